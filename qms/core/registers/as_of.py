"""Register records as they stood at a past moment, read from their audit trail.

A management review held on an earlier day compiles its inputs as of the end of its meeting
day (`reviews.agenda`): a risk closed, a complaint resolved or a process retired after the
meeting was still open or in use then, and a record made later did not exist yet. Every audited
record has a version for each change (django-simple-history), so the state at a moment is each
record's latest version by then, deletions left out.
"""

from __future__ import annotations

import datetime

from django.db import models


def ids_as_of(
    model: type[models.Model], moment: datetime.datetime, **conditions
) -> models.QuerySet:
    """The ids of `model`'s records whose version at `moment` met `conditions` (field lookups
    on the record's own fields): a subquery to filter today's rows by (`pk__in=`)."""
    return model.history.as_of(moment).filter(**conditions).values("id")


def field_as_of(
    model: type[models.Model], ids, field: str, moment: datetime.datetime
) -> dict[int, object]:
    """Per record id, the value of `field` in its version at `moment` (one query)."""
    return dict(model.history.as_of(moment).filter(id__in=ids).values_list("id", field))
