"""What may raise an action: apps register their models here from AppConfig.ready(), so the core
links actions to objectives, review decisions, risks or findings without importing any app.

A source is referred to in URLs and the API as "<app_label>.<model_name>:<pk>", e.g.
"objectives.qualityobjective:12" (see `source_ref` and `resolve_source_ref`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

# Actions raised by hand have no source; the list filters them under this kind.
MANUAL_KIND = "manual"
MANUAL_LABEL = "Raised by hand"


@dataclass(frozen=True)
class ActionSource:
    model: type[models.Model]
    kind: str  # short and stable: used in filters and the API ("objective", "finding")
    label: str  # a person's word for one of them ("Objective", "Audit finding")
    url: Callable[[models.Model], str]  # the source's page
    # Relations its str() and url() read, loaded with the sources in one query.
    select_related: tuple[str, ...] = ()

    @property
    def model_key(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"


_BY_MODEL: dict[type[models.Model], ActionSource] = {}


def register_action_source(
    model: type[models.Model],
    *,
    kind: str,
    label: str,
    url: Callable[[models.Model], str],
    select_related: Iterable[str] = (),
) -> None:
    """Let records of `model` raise actions. The model must have an `organization` foreign key;
    `url(obj)` returns the record's page (its organisation is loaded with it)."""
    if kind == MANUAL_KIND:
        raise ValueError(f'The kind "{MANUAL_KIND}" is reserved for actions raised by hand.')
    if not any(f.name == "organization" for f in model._meta.fields):
        raise TypeError(f"{model.__name__} has no organization field; it cannot raise actions.")
    for other in _BY_MODEL.values():
        if other.kind == kind and other.model is not model:
            raise ValueError(f'The action source kind "{kind}" is taken by {other.model_key}.')
    related = tuple(dict.fromkeys(("organization", *select_related)))
    _BY_MODEL[model] = ActionSource(model, kind, label, url, related)


def registered_sources() -> list[ActionSource]:
    return sorted(_BY_MODEL.values(), key=lambda s: s.label)


def source_for_model(model: type[models.Model]) -> ActionSource | None:
    return _BY_MODEL.get(model)


def source_for_kind(kind: str) -> ActionSource | None:
    return next((s for s in _BY_MODEL.values() if s.kind == kind), None)


def kind_choices() -> list[tuple[str, str]]:
    """("manual", "Raised by hand") and one choice per registered kind, for filters."""
    return [(MANUAL_KIND, MANUAL_LABEL), *((s.kind, s.label) for s in registered_sources())]


def source_ref(obj: models.Model) -> str:
    """The reference of a source record: "<app_label>.<model_name>:<pk>"."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def resolve_source_ref(ref: str, *, organization) -> models.Model:
    """The organisation's record a reference names, or ValidationError saying what is wrong
    (malformed, not a kind of record that raises actions, no such record in this organisation:
    another organisation's record is not told apart from a missing one)."""
    model_key, _, raw_pk = (ref or "").strip().partition(":")
    app_label, _, model_name = model_key.partition(".")
    if not (app_label and model_name and raw_pk.isdigit()):
        raise ValidationError(
            f'"{ref}" is not a source reference; use "<app>.<model>:<id>", '
            'e.g. "objectives.qualityobjective:12".'
        )
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        model = None
    registration = _BY_MODEL.get(model) if model is not None else None
    if registration is None:
        raise ValidationError(f'"{model_key}" records cannot raise actions.')
    return check_source(
        registration.model._default_manager.filter(pk=int(raw_pk)).first(),
        organization=organization,
        missing=f"There is no {registration.label.lower()} {raw_pk} in this organisation.",
    )


def check_source(source: models.Model | None, *, organization, missing: str = "") -> models.Model:
    """The source itself when it may raise an action of `organization`, else ValidationError."""
    if source is None:
        raise ValidationError(missing or "There is no such source in this organisation.")
    registration = _BY_MODEL.get(type(source))
    if registration is None:
        raise ValidationError(
            f"{source._meta.verbose_name.capitalize()} records cannot raise actions."
        )
    if source.organization_id != organization.id:
        raise ValidationError(
            missing or f"There is no {registration.label.lower()} {source.pk} in this organisation."
        )
    return source


def load_sources(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], models.Model]:
    """{(content type id, pk): record} for many sources: one query per kind of source, however
    many actions point at them."""
    wanted: dict[int, set[int]] = {}
    for type_id, pk in pairs:
        wanted.setdefault(type_id, set()).add(pk)
    found: dict[tuple[int, int], models.Model] = {}
    for type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()  # cached after first use
        registration = _BY_MODEL.get(model)
        if registration is None:
            continue  # a source kind no longer registered: shown by its id
        queryset = model._default_manager.select_related(*registration.select_related)
        for pk, obj in queryset.in_bulk(pks).items():
            found[(type_id, pk)] = obj
    return found
