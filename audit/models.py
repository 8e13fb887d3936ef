from __future__ import annotations

from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from audit import chain
from audit.chain import GENESIS


class ChainHead(models.Model):
    """The last link of one history table's chain. Its row is the lock that serialises appends."""

    chain = models.CharField(_("chain"), max_length=100, primary_key=True)
    length = models.BigIntegerField(_("length"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS)

    class Meta:
        ordering = ["chain"]
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")
        permissions = [("view_audit_trail", _("Can read the audit trail"))]

    def __str__(self) -> str:
        return f"{self.chain} ({self.length})"


class ChainedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain.seal(self.model, objs, self.db)
            return super().bulk_create(objs, *args, **kwargs)


class ChainedHistory(models.Model):
    """Base of every historical model: each row is a sealed link of its table's hash chain."""

    chain_seq = models.BigIntegerField(_("chain position"), unique=True, editable=False)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("History rows are append-only.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            chain.seal(type(self), [self], using)
            # seal() gave the row its key: insert it as is, never try an UPDATE first.
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)
