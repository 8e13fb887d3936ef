"""A reason for change must say something: eight letters or more, a Japanese character counting as two."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.forms import DeleteReasonForm
from audit.reasons import validate_reason
from partners.models import Capability, Company
from tests.factories import CompanyFactory

REFUSED = [
    "",
    ".",
    "ok",
    "訂正",  # "corrected": two characters, four letters' worth
    "n/a ...",
    "12345678 !!",  # digits and punctuation are not words
    "  typo  ",
]
ACCEPTED = [
    "Corrected typo in title",
    "誤記訂正",  # "corrected a clerical error": four CJK characters
    "修正する",  # kana count two as well
    "ｶﾀｶﾅのみ",  # half-width katakana count as the full-width letters they stand for
]


@pytest.mark.parametrize("reason", REFUSED)
def test_reasons_that_say_nothing_are_refused(reason):
    with pytest.raises(ValidationError) as caught:
        validate_reason(reason)
    assert caught.value.code == "reason_too_short"


@pytest.mark.parametrize("reason", ACCEPTED)
def test_reasons_that_say_something_are_accepted(reason):
    validate_reason(reason)


def test_the_boundary_is_eight_letters():
    validate_reason("Abcdefgh")
    with pytest.raises(ValidationError):
        validate_reason("Abcdefg")
    validate_reason("訂正済み")  # 4 wide letters = 8
    with pytest.raises(ValidationError):
        validate_reason("訂正済")  # 3 wide letters = 6
    with pytest.raises(ValidationError):
        validate_reason("訂正 ok")  # 4 + 2 = 6


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "a reason needs at least 8 letters, or 4 Japanese characters"),
        ("ja", "日本語なら4文字以上"),
    ],
)
def test_the_refusal_is_explained_in_the_readers_language(language, message):
    with translation.override(language):
        form = DeleteReasonForm({"change_reason": "ok"})
        assert not form.is_valid()
        assert message in form.errors["change_reason"][0]


def test_an_edit_with_a_one_word_reason_is_refused_in_the_admin(admin_client, db):
    capability = Capability.objects.create(code="cryo-storage", name="Cryogenic storage")
    url = reverse("admin:partners_capability_change", args=[capability.pk])
    response = admin_client.post(url, {"code": "cryo", "name": "Cryo storage", "change_reason": "."})
    assert response.status_code == 200
    assert "at least 8 letters" in response.text
    assert Capability.objects.get(pk=capability.pk).name == "Cryogenic storage"
    assert capability.history.count() == 1


def test_a_deletion_with_a_short_reason_is_refused_and_says_why(admin_client, db):
    company = CompanyFactory(name="Short-lived Co.")
    url = reverse("admin:partners_company_delete", args=[company.pk])
    response = admin_client.post(url, {"post": "yes", "change_reason": "訂正"}, follow=True)
    assert Company.objects.filter(pk=company.pk).exists()
    assert "at least 8 letters" in response.text
