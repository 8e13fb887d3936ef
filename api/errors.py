"""Errors as the API sends them, and as its schema documents them."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

Detail = inline_serializer("Error", {"detail": serializers.CharField()})
# Field name → messages, in the model's own words (the same as the admin's); non_field_errors for the whole record.
FieldErrors = inline_serializer(
    "FieldErrors", {"field_name": serializers.ListField(child=serializers.CharField(), required=False)}
)

DESCRIPTIONS = {
    400: "Bad filter or bad field values: each field's messages, in the model's own words.",
    401: "No token, or one that is unknown, expired or revoked.",
    403: "The token's user lacks this role's permission.",
    404: "No such record, or a bad page cursor.",
    412: "The record changed since the version in If-Match: read it again.",
    428: "An update without If-Match.",
    429: "Too many requests for this token: wait the seconds in Retry-After.",
}


def responses(*codes: int) -> dict:
    found = {}
    for code in codes:
        if code == 400:
            found[code] = OpenApiResponse(
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                description=DESCRIPTIONS[code],
            )
        else:
            found[code] = OpenApiResponse(Detail, description=DESCRIPTIONS[code])
    return found


def retry_after() -> OpenApiParameter:
    return OpenApiParameter(
        "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
    )


def write_examples(name: str) -> list[OpenApiExample]:
    if name == "exchanges":
        value = {
            "person": 12,
            "partnership": 1,
            "host_company": 2,
            "host_site": 3,
            "kind": "secondment",
            "purpose": "knowledge_transfer",
            "function_area": "manufacturing",
            "objectives": "Transfer of the CAR-T fill-finish process",
            "planned_start": "2026-12-01",
            "planned_end": "2027-02-28",
            "status": "planned",
            "change_reason": "Agreed at the steering committee",
        }
    else:
        value = {
            "person": 12,
            "requirement": 4,
            "version": 9,
            "completed_on": "2026-11-20",
            "result": "passed",
            "evaluator": 7,
            "evidence": "TR-2026-0412",
            "change_reason": "Training form signed by the trainer",
        }
    return [OpenApiExample("A typical request", value=value, request_only=True)]


def handler(exc, context):
    if isinstance(exc, exceptions.Throttled):
        wait = math.ceil(exc.wait or 1)
        polite = _("Too many requests for this token: please wait %(seconds)d seconds and try again.")
        exc = exceptions.Throttled(detail=polite % {"seconds": wait})
        exc.wait = wait  # becomes the Retry-After header
    return exception_handler(exc, context)
