"""Access changes on the audit trail: user accounts and roles (Django's User and Group) get chained history.

A user's row carries who they are, whether they are active, staff or superuser, their roles (groups) and
their own permissions; a role's row its permissions. The password hash never enters a row: the row says
whether password login is possible and whether this change set a new password. A login is no access
change, so saving ``last_login`` writes nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, GroupManager, User, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from audit.history import AuditedQuerySet, chained_options
from audit.models import ChainedHistory

# Saved without being an access change: a login, and the hash Django upgrades when the password is checked.
NOT_ACCESS = {"last_login", "password"}


class AccountHistory(ChainedHistory):
    """A user's history row: the chained row plus what it may say about the password."""

    password_usable = models.BooleanField(_("password-based authentication"), default=False)
    password_changed = models.BooleanField(_("password"), default=False)

    # Shown on the trail as fields of the record: a state, diffed like the others, and an event of this row.
    trail_state_fields = ("password_usable",)
    trail_event_fields = ("password_changed",)

    class Meta:
        abstract = True


def password_set_now(user: User) -> bool:
    # set_password() keeps the raw password here until the save that stores its hash has run.
    return user._password is not None


class AccountRecords(HistoricalRecords):
    def post_save(self, instance, created, using=None, update_fields=None, **kwargs):
        if not created and update_fields is not None and not changes_access(instance, update_fields):
            return
        super().post_save(instance, created, using=using, update_fields=update_fields, **kwargs)


def changes_access(user: User, update_fields) -> bool:
    """Whether a save of only ``update_fields`` changes what the user may do."""
    fields = set(update_fields)
    if not fields <= NOT_ACCESS:
        return True
    if "password" not in fields:
        return False
    if password_set_now(user):
        return True
    last = user.history.order_by("-history_date", "-chain_seq").first()
    return last is None or last.password_usable != user.has_usable_password()


def mark_password(sender, instance, history_instance, **kwargs) -> None:
    history_instance.password_usable = instance.has_usable_password()
    history_instance.password_changed = password_set_now(instance)


def register_access_history() -> None:
    """Called once, from accounts.models, so the history models belong to this app and its migrations."""
    register(
        User,
        app="accounts",
        records_class=AccountRecords,
        **chained_options(
            bases=(AccountHistory,),
            m2m_fields=("groups", "user_permissions"),
            excluded_fields=["password", "last_login"],
        ),
    )
    register(Group, app="accounts", **chained_options(m2m_fields=("permissions",)))
    pre_create_historical_record.connect(
        mark_password, sender=User.history.model, dispatch_uid="accounts.history.mark_password"
    )
    # Bulk writes on accounts and roles leave history or are refused, as on every audited model. The managers
    # stay Django's classes (their migrations record them), so their querysets are swapped in place.
    UserManager._queryset_class = AuditedQuerySet
    GroupManager._queryset_class = AuditedQuerySet


BASELINE_REASON = "On record when access changes joined the audit trail"
MIGRATED_REASON = "Role permissions redefined in code (accounts/roles.py) by a migration"


def state(model: type[models.Model], obj) -> dict:
    """What a user's or role's trail shows, read from the record or from one of its history rows."""
    values = {f.attname: getattr(obj, f.attname) for f in model.history.model.tracked_fields}
    if model is User:
        values["password_usable"] = obj.has_usable_password() if isinstance(obj, User) else obj.password_usable
    return values


def record_access_state(sender=None, using: str = "default", **kwargs) -> None:
    """After every migrate: a history row for each account and role whose trail does not show how it stands.

    Migrations set roles through historical models, which write no history, and the
    accounts and roles that existed before their history began have none at all.
    """
    from django.db import connections

    from audit.trail import m2m_snapshots

    tables = set(connections[using].introspection.table_names())
    for model in (User, Group):
        if model.history.model._meta.db_table not in tables:  # migrated back to before access history
            continue
        m2m_names = [field.name for field in model.history.model._history_m2m_fields]
        for obj in model._default_manager.using(using).prefetch_related(*m2m_names):
            last = obj.history.using(using).order_by("-history_date", "-chain_seq").first()
            if last is None:
                reason = BASELINE_REASON
            else:
                snapshots = m2m_snapshots(model, [last])
                now = {name: {target.pk for target in getattr(obj, name).all()} for name in m2m_names}
                then = {name: by_row.get(last.pk, set()) for name, (_l, _t, by_row) in snapshots.items()}
                if state(model, obj) == state(model, last) and now == then:
                    continue
                reason = MIGRATED_REASON
            obj._change_reason = reason
            obj.save(using=using)
