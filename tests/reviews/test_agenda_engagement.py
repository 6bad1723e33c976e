"""Input 9.3.2 f lists what staff proposed and what was learned: accepted suggestions, lessons
learned, and the pulse survey (folded for anonymity)."""

import datetime

import pytest
from django.utils import timezone

from leadership.engagement.services.suggestions import (
    suggestion_accept_as_opportunity,
    suggestion_decline,
    suggestion_submit,
)
from reviews.agenda import compile_agenda

pytestmark = pytest.mark.django_db


def _f(cast, start, end):
    (f,) = [
        i for i in compile_agenda(organization=cast.org_a, start=start, end=end)
        if i.key == "f_improvement"
    ]  # fmt: skip
    return f


def test_accepted_staff_suggestions_are_an_input_and_declined_ones_are_not(cast, members):
    today = timezone.localdate()
    kept = suggestion_submit(membership=members["carl"], title="Colour-code the gauges")
    dropped = suggestion_submit(membership=members["carl"], title="Free coffee")
    suggestion_accept_as_opportunity(suggestion=kept, actor=members["quinn"], note="Next review")
    suggestion_decline(suggestion=dropped, actor=members["quinn"], reason="Not quality")
    f = _f(cast, today - datetime.timedelta(days=30), today)
    assert f.has_data
    assert [s["title"] for s in f.data["staff_suggestions"]] == ["Colour-code the gauges"]
    before = _f(cast, today - datetime.timedelta(days=400), today - datetime.timedelta(days=300))
    assert before.data["staff_suggestions"] == []
