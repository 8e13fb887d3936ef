"""The schema is the contract: schemathesis sends what the schema allows, with each role's token, to the app itself
(WSGI), and every response must be no server error and exactly what the schema documents."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from cdmo.wsgi import application
from tests.api.conftest import ROLES, token_for
from tests.factories import (
    ExchangeFactory,
    MilestoneFactory,
    RequirementVersionFactory,
    TrainingRecordFactory,
    UserFactory,
)
from tests.scheduling import heavy


@pytest.fixture
def records(alliance):
    """A few records of every kind, so reads return rows and ids in the schema's examples can name something."""
    ExchangeFactory(person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet)
    MilestoneFactory(partnership=alliance.partnership)
    TrainingRecordFactory(person=alliance.medinet_person, version=RequirementVersionFactory())


@pytest.fixture
def role_tokens(db) -> dict[str, str]:
    users = {role: UserFactory(username=role, role=role.capitalize()) for role in ROLES}
    return {role: token_for(user) for role, user in users.items()}


@pytest.fixture
def test_transaction_kept_open():
    """Called through WSGI, Django closes "old" connections at each request's start and end, and a connection inside
    the test's transaction looks old: on PostgreSQL that closes it. Django's own test client stops the same signals."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, records, role_tokens, settings, test_transaction_kept_open):
    """The schema as the app serves it to a token, and the app to send requests to (WSGI, in this process)."""
    settings.API_RATE = "1000000/minute"  # the throttle has its own test; here every request must be answered
    headers = {"Authorization": f"Token {role_tokens['auditor']}"}
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=headers)


@heavy("api-schema")
def test_every_response_of_every_role_conforms_to_the_schema(api_schema, role_tokens):
    """Every operation, with data the schema allows, as every role: no 5xx, every status, header and body documented.

    (Driven by hand: schemathesis' pytest plugin does not run under this pytest.) Not checked: that every request the
    schema allows is accepted: filters have rules across fields (an end before its start) that a schema cannot state,
    answered with the documented field-level 400.
    """
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def conforms(case):
            probed = []
            for token in role_tokens.values():
                response = case.call_and_validate(
                    app=application,
                    headers={"Authorization": f"Token {token}"},
                    excluded_checks=[positive_data_acceptance, *probed],
                )
                # After a success, schemathesis sends the case again without a token and with a wrong one (a 2xx
                # either way fails): the same two requests whatever the role, so the first role's success sends them.
                if 200 <= response.status_code < 300:
                    probed = [ignored_auth]

        try:
            conforms()
        except (Exception, BaseExceptionGroup) as failure:  # every operation's failures, not only the first one's
            failures.append(f"{operation.label}: {failure}")
    assert failures == []


def test_the_schema_documents_every_dataset_the_exports_offer():
    from api.datasets import api_datasets

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {f"/api/{name}/" for name in api_datasets()} <= paths.keys()
