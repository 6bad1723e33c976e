"""What apps plug into notifications, from their AppConfig.ready():

- `register_kind(key, label, critical=False, description="")`: a kind of notification. Members
  may mute a kind unless it is critical (escalations).
- `register_rule(rule)`: `rule(organization, today) -> Iterable[NotificationSpec]`, run by the
  reminders task for each active organisation. A rule only says who should be told what, and on
  which occasion; it may return the same spec every run, as creation is idempotent.
- `register_waiting(kind, finder, models=(...))`: a decision that waits for someone (a sign-off,
  an approval, a triage). `finder(organization, today) -> Iterable[NotificationSpec]` yields one
  spec per person who must take each decision waiting now. `services.waiting_refresh` tells the
  new ones and resolves the notifications whose decision is no longer waiting (taken by anyone
  entitled); the service that takes the decision calls it, and so does the daily run.
- `register_digest_section(section)`: `section(membership, today) -> (heading, lines) | None`, one
  part of an executive's weekly digest.

Adding a rule from another app is one function and two lines in its ready()::

    def review_coming_up(organization, today):
        for review in upcoming_reviews(organization, within_days=14):
            for attendee in review.attendees.all():
                yield NotificationSpec(
                    recipient=attendee, kind="review-coming-up", subject=review,
                    occasion=f"days-{(review.date - today).days}", title=..., url=...)

    register_kind("review-coming-up", "Management review coming up")
    register_rule(review_coming_up)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

KIND_MAX_LENGTH = 50
SUBJECT_KEY_MAX_LENGTH = 100
OCCASION_MAX_LENGTH = 100


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    critical: bool = False
    description: str = ""


@dataclass(frozen=True)
class NotificationSpec:
    """One notification a rule asks for. `(recipient, kind, subject_key, occasion)` identifies it:
    the same spec on a later run (or in a concurrent worker) creates nothing new.

    `subject` is the record it is about (any model instance, or None); `subject_key` defaults to
    "<app_label>.<model_name>:<pk>" of it. `occasion` tells apart notifications about the same
    subject that are meant to be sent again, e.g. "due-2026-11-30" or "overdue-escalated-...".
    `url` is a path inside the site (the notification links to it)."""

    recipient: Any  # qms.core.models.Membership
    kind: str
    occasion: str
    title: str
    body: str = ""
    url: str = ""
    subject: Any = None
    subject_key: str = ""

    def key(self) -> tuple[int, str, str, str]:
        return (self.recipient.pk, self.kind, self.resolved_subject_key(), self.occasion)

    def resolved_subject_key(self) -> str:
        if self.subject_key:
            return self.subject_key
        if self.subject is None:
            return ""
        meta = self.subject._meta
        return f"{meta.app_label}.{meta.model_name}:{self.subject.pk}"


Rule = Callable[[Any, datetime.date], Iterable[NotificationSpec]]
DigestSection = Callable[[Any, datetime.date], "tuple[str, list[str]] | None"]

_KINDS: dict[str, Kind] = {}
_RULES: list[Rule] = []
_DIGEST_SECTIONS: list[tuple[int, DigestSection]] = []


@dataclass(frozen=True)
class Waiting:
    kind: str
    finder: Rule
    models: tuple[type, ...] = ()


_WAITING: dict[str, Waiting] = {}


def register_kind(key: str, label: str, *, critical: bool = False, description: str = "") -> Kind:
    """Declare a kind; registering the same key again replaces it (ready() may run twice)."""
    if len(key) > KIND_MAX_LENGTH:
        raise ValueError(f"Notification kind {key!r} is longer than {KIND_MAX_LENGTH} characters.")
    kind = Kind(key, label, critical, description)
    _KINDS[key] = kind
    return kind


def register_rule(rule: Rule) -> None:
    if rule not in _RULES:
        _RULES.append(rule)


def register_waiting(kind: str, finder: Rule, *, models: Iterable[type] = ()) -> None:
    """Declare `kind` (registered with `register_kind`) a waiting decision found by `finder`;
    `models` are the records whose change may take or open one (see `waiting_refresh`)."""
    _WAITING[kind] = Waiting(kind, finder, tuple(models))


def waiting(about: Any = None) -> list[Waiting]:
    """The waiting decisions, or those a change of `about` (a model or an instance) may touch."""
    if about is None:
        return list(_WAITING.values())
    model = about if isinstance(about, type) else type(about)
    return [w for w in _WAITING.values() if any(issubclass(model, m) for m in w.models)]


def is_waiting_kind(key: str) -> bool:
    return key in _WAITING


def register_digest_section(section: DigestSection, *, order: int = 100) -> None:
    """Add a section to the executives' weekly digest; sections appear in `order`."""
    if all(existing is not section for _, existing in _DIGEST_SECTIONS):
        _DIGEST_SECTIONS.append((order, section))
        _DIGEST_SECTIONS.sort(key=lambda pair: pair[0])


def get_kind(key: str) -> Kind:
    """The registered kind, or a stand-in for a kind no app declares any more."""
    return _KINDS.get(key) or Kind(key, key.replace("-", " ").capitalize())


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)


def rules() -> list[Rule]:
    return list(_RULES)


def digest_sections() -> list[DigestSection]:
    return [section for _, section in _DIGEST_SECTIONS]
