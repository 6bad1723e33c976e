"""Refusing stale edits (optimistic locking): an edit is saved only if the record is still the
version the person or client loaded.

Two people open the same risk; both save. Without this the second save silently replaced the
first. Now every edit carries the version it was opened on (a hidden field on pages, `If-Match`
in the API, required on a PUT or PATCH) and is refused, with who changed the record and when,
if the record was saved in between. Pages use `qms.core.forms.StaleEditMixin`, the API
`qms.core.api.scoping.OrganizationScopedViewSetMixin`; both call `lock_unchanged` here.

The version is derived from `updated_at` (BaseModel, `auto_now`) rather than from a new integer
`version` column: every edited model already has it, every `save()` sets it (to the
microsecond, on PostgreSQL and SQLite alike), so no migration and no save path to forget. A
`QuerySet.update()` does not touch it; edits never go through one.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Collection

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst

from qms.core import audit

# The hidden field of every edit form of an existing record.
VERSION_FIELD = "loaded_version"
NOT_SAVED = "Your changes were not saved: here is the current version; make your change again."


def version_stamp_field(model: type[models.Model]) -> str:
    """The field every save sets: `updated_at`, or the one a model names as `version_field`
    (a KPI value's `entered_at`, set on every record and correction)."""
    return getattr(model, "version_field", "updated_at")


def is_versioned(model: type[models.Model]) -> bool:
    return any(f.name == version_stamp_field(model) for f in model._meta.concrete_fields)


def version_of(record: models.Model) -> str:
    """The record's version: changes on every save. Opaque to clients (it is also the API's
    ETag); the model and key are in it so that one record's version never matches another's."""
    return _version(record, getattr(record, version_stamp_field(type(record))))


def _version(record: models.Model, stamp: datetime.datetime) -> str:
    stamp = stamp.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    digest = hashlib.sha256(f"{record._meta.label}:{record.pk}:{stamp}".encode())
    return digest.hexdigest()[:20]


def ever_a_version_of(record: models.Model, versions: Collection[str]) -> bool:
    """Whether any of `versions` is a version the record has or once had (its audit trail
    keeps every saved state's stamp). False: the client named no version of this record at
    all (made up, or another record's), so "changed after you opened it" would be untrue."""
    wanted = set(versions)
    field = version_stamp_field(type(record))
    stamps = [getattr(record, field)]
    history = getattr(record, "history", None)
    if history is not None:
        stamps += [s for s in history.values_list(field, flat=True) if s is not None]
    return any(_version(record, stamp) in wanted for stamp in stamps)


class StaleEdit(Exception):
    """The record was saved by someone else after this edit was opened. `current` is the record
    as it is now; `message` says who changed it, when, and what to do."""

    def __init__(self, current: models.Model):
        self.current = current
        self.message = stale_message(current)
        super().__init__(self.message)


class VersionMissing(StaleEdit):
    """An edit page's form came back without the version it was opened on (a script, a tab
    opened before versions existed, a hand-made POST): it cannot be checked against changes
    made since, so it is refused, and the page shows the current version. Nobody is said to
    have changed anything: nothing is known of what the sender saw."""

    def __init__(self, current: models.Model):
        self.current = current
        self.message = (
            f"This form did not say which version of {describe(current)} it was editing, so "
            "it cannot be checked against changes made since it was opened, and saving it "
            f"could overwrite someone else's. {NOT_SAVED}"
        )
        Exception.__init__(self, self.message)


class VersionUnknown(StaleEdit):
    """The form (or `If-Match`) named a version the record never had: made up, or copied
    from another record. Refused like a stale edit, but said as it is."""

    def __init__(self, current: models.Model):
        self.current = current
        self.message = (
            f"This form named a version {describe(current)} never had, so it cannot be "
            f"checked against changes made since it was opened. {NOT_SAVED}"
        )
        Exception.__init__(self, self.message)


def lock_unchanged(record: models.Model, loaded: str | Collection[str] | None) -> models.Model:
    """Lock the record's row until the surrounding transaction ends, then raise `StaleEdit` if
    it is no longer the version `loaded` (or one of them: an `If-Match` header may list
    several), or `VersionUnknown` if `loaded` was never a version of this record. `None`
    means not checked: an API client that sent `If-Match: *` (any version).
    Returns the locked row.

    Check and save must be one step, or two saves that both read the old version could both
    pass: the lock makes a second save wait for the first to commit, and then see its version.
    (SQLite has no row locks; it lets one writer at a time, which refuses the second instead.)
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_unchanged needs a transaction: the lock ends with it.")
    current = type(record)._base_manager.select_for_update().get(pk=record.pk)
    if loaded is None:
        return current
    accepted = {loaded} if isinstance(loaded, str) else set(loaded)
    if version_of(current) not in accepted:
        if not ever_a_version_of(current, accepted):
            raise VersionUnknown(current)
        raise StaleEdit(current)
    return current


def describe(record: models.Model) -> str:
    """How a message names the record: Risk or opportunity RISK-003, Policy version 3."""
    label = capfirst(record._meta.verbose_name)
    name = getattr(record, "reference", "") or getattr(record, "code", "")
    if name and getattr(record, "name", ""):
        # A record people call by its name, its code beside it: "Org unit Sheffield Machining
        # (SHF)", not "Org unit SHF" (try-out finding).
        return f"{label} {record.name} ({name})"
    if not name and hasattr(record, "number"):
        name = str(record.number)
    if not name:
        return f"{label} “{str(record)[:80]}”"
    return f"{label} {name}"


def stale_message(current: models.Model) -> str:
    who, when = last_change(current)
    return (
        f"{describe(current)} was changed by {who} at "
        f"{timezone.localtime(when):%-d %b %Y, %H:%M} after you opened it. {NOT_SAVED}"
    )


def last_change(record: models.Model) -> tuple[str, datetime.datetime]:
    """Who saved the record last and when, from its audit trail where it has one."""
    history = getattr(record, "history", None)
    latest = None
    if history is not None:
        latest = history.select_related("history_user").order_by("-history_date").first()
    if latest is None:
        return "someone else", timezone.localtime(record.updated_at)
    user = latest.history_user
    who = audit.user_label(user) if user is not None else "an automatic task"
    return who, timezone.localtime(latest.history_date)
