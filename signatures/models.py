"""Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.100, §11.200; EU GMP Annex 11 §14).

A signature names its signer (a user, kept even after the account is deactivated, never reassigned), the signer's
printed name at the time, what it means, when it was made, and the version and content hash of the record signed
(``signatures.content``). Signatures are append-only and form one hash chain of their own, sealed and checked by
the same machinery as the history tables: ``verify_audit`` walks it, checkpoints and evidence manifests anchor it,
and database triggers refuse any update or delete.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from audit.history import bulk_written
from audit.models import ChainedHistory, ChainedQuerySet
from signatures import content
from signatures.meanings import Meaning

__all__ = ["Meaning", "Signature"]


class SignatureQuerySet(ChainedQuerySet):
    def for_record(self, record: models.Model) -> SignatureQuerySet:
        """The record's signatures, oldest first, with their signers."""
        return (
            self.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
            .select_related("signer")
            .order_by("chain_seq")
        )

    def for_records(self, model: type[models.Model], pks) -> SignatureQuerySet:
        return (
            self.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=list(pks))
            .select_related("signer")
            .order_by("chain_seq")
        )

    def bulk_create(self, objs, *args, **kwargs):
        # Signatures change what a record counts for (a QA-approved training record clears its person): the
        # summaries kept from them hear of a bulk signing as they hear of a save, in the same transaction.
        with transaction.atomic(using=self.db):
            objs = super().bulk_create(objs, *args, **kwargs)
            bulk_written.send(sender=self.model, objs=objs)
        return objs

    def update(self, **kwargs):
        raise PermissionError("Signatures are append-only.")

    def delete(self):
        raise PermissionError("Signatures are append-only.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("Signatures are append-only.")

    delete.queryset_only = True


def signed_at_current_version(model: type[models.Model], meaning: str) -> models.Exists:
    """SQL: the outer ``model`` row has a signature with ``meaning`` taken at the version it is at now."""
    return models.Exists(
        Signature.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=models.OuterRef("pk"),
            meaning=meaning,
            record_version=content.version_expression(model, models.OuterRef(models.OuterRef("pk"))),
        )
    )


class Signature(ChainedHistory):
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("signer")
    )
    printed_name = models.CharField(_("printed name"), max_length=300)
    meaning = models.CharField(_("meaning"), max_length=20, choices=Meaning.choices)
    signed_at = models.DateTimeField(_("signed at"))
    content_sha256 = models.CharField(_("SHA-256 of the signed content"), max_length=64)
    record_version = models.CharField(_("record version signed"), max_length=40)

    objects = SignatureQuerySet.as_manager()

    # The column that dates a link of this chain, for the anchors (history tables use history_date).
    chain_written_at = "signed_at"

    class Meta:
        ordering = ["chain_seq"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        indexes = [models.Index(fields=["content_type", "object_id"], name="signature_record")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meaning__in=list(Meaning)),
                name="signature_meaning_known",
                violation_error_message=_("That is not a meaning a signature can have."),
            ),
            models.CheckConstraint(
                condition=~models.Q(printed_name=""),
                name="signature_printed_name_given",
                violation_error_message=_("A signature needs the signer's printed name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.printed_name} — {self.get_meaning_display()}"

    def clean(self) -> None:
        from accounts.signing import meanings_for

        if self.signer_id and self.content_type_id and self.object_id is not None and self.meaning:
            record = self.content_type.get_object_for_this_type(pk=self.object_id)
            already = Signature.objects.filter(
                content_type=self.content_type_id,
                object_id=self.object_id,
                signer=self.signer_id,
                meaning=self.meaning,
                record_version=self.record_version,
            )
            if already.exists():
                raise ValidationError(
                    _("You have already signed this version of the record with this meaning."), code="already_signed"
                )
            if self.meaning not in meanings_for(self.signer, record):
                raise ValidationError(
                    {
                        "meaning": ValidationError(
                            _("You may not sign this record with the meaning “%(meaning)s”."),
                            code="meaning_not_allowed",
                            params={"meaning": self.get_meaning_display()},
                        )
                    }
                )

    def delete(self, *args, **kwargs):
        raise PermissionError("Signatures are append-only.")

    def covers_current_version(self) -> bool:
        """Whether the record's content is still the content signed (False once a signed field changed)."""
        now = content.current(self.content_type.model_class(), [self.object_id]).get(self.object_id)
        return now is not None and now.sha256 == self.content_sha256
