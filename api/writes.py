"""Writes: what a write carries besides the record (its reason, the version it was read at), and the record's fields.

The model's rules run in the same service the admin's save runs (``full_clean()`` then ``save()``), so a refused
field gets the admin's own words, field by field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status

from audit.reasons import validate_reason
from core.fields import fits_bigint
from partners.models import Exchange
from training.models import TrainingRecord

REASON_FIELD = "change_reason"
REASON_HEADER = "X-Change-Reason"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("Send the version you read as “If-Match” (the ETag of the record): updates need it.")
    default_code = "version_missing"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"


class RecordId(serializers.PrimaryKeyRelatedField):
    """An id that must name an existing record; one no database column could hold is refused, not a 500."""

    def to_internal_value(self, data):
        if not isinstance(data, bool) and not fits_bigint(data):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class Reasoned(serializers.ModelSerializer):
    serializer_related_field = RecordId
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,  # judged by the reason rule (audit/reasons.py), whose message says what a reason needs
        max_length=1000,
        help_text=_("Why the record is created or changed (or send the X-Change-Reason header)."),
    )


class ExchangeWrite(Reasoned):
    class Meta:
        model = Exchange
        fields = [
            "person",
            "partnership",
            "host_company",
            "host_site",
            "host_supervisor",
            "kind",
            "purpose",
            "function_area",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status",
            "objectives",
            "outcome",
            REASON_FIELD,
        ]


class TrainingRecordWrite(Reasoned):
    class Meta:
        model = TrainingRecord
        fields = [
            "person",
            "requirement",
            "version",
            "completed_on",
            "trainer",
            "evaluator",
            "result",
            "evidence",
            "exchange",
            REASON_FIELD,
        ]


def change_reason(request, data: dict) -> str:
    """The write's reason, from the body or the header; refused (a 400 on ``change_reason``) when it says nothing."""
    reason = (data.pop(REASON_FIELD, "") or request.headers.get(REASON_HEADER, "")).strip()
    try:
        validate_reason(reason)
    except DjangoValidationError as refused:
        raise serializers.ValidationError({REASON_FIELD: refused.messages}) from refused
    return reason


def model_errors(refused: DjangoValidationError) -> serializers.ValidationError:
    """The model's ValidationError as DRF's, field by field (errors of the whole record under non_field_errors)."""
    errors = refused.message_dict if hasattr(refused, "error_dict") else {"__all__": refused.messages}
    return serializers.ValidationError(
        {("non_field_errors" if key == "__all__" else key): messages for key, messages in errors.items()}
    )
