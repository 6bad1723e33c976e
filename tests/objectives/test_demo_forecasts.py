"""The demo's first sight: its forecasts refuse only where the data are meant to show why a
forecast refuses (values that swing, a band held on target, values gone missing), not for
KPIs drawn flat on their target by the demo's own shape."""

import datetime
import random
from decimal import Decimal

from objectives import demo
from objectives.forecast import forecast
from objectives.periods import latest_due_period_end, previous_period_end


def _demo_forecasts(today: datetime.date) -> dict[str, str]:
    """Each demo objective's forecast sentence, from the series `seed_objectives` stores."""
    last = latest_due_period_end("monthly", 10, today)
    ends = [last]
    while len(ends) < 36:
        ends.append(previous_period_end("monthly", ends[-1]))
    ends.reverse()
    rng = random.Random(9001)  # the demo's own seed
    sentences = {}
    for (
        code,
        _,
        _,
        _,
        _,
        unit,
        direction,
        baseline,
        target,
        amber,
        _,
        _,
        shape,
        valid,
    ) in demo.OBJECTIVES:
        places = 0 if unit in ("complaints", "items", "ppm") else (2 if unit == "kWh" else 1)
        values = demo._series(shape, baseline, target, len(ends), rng)
        series = [
            (end, Decimal(str(round(min(max(v, valid[0]), valid[1]), places))))
            for end, v in zip(ends, values, strict=True)
            if v is not None
        ]
        sentences[code] = forecast(
            series,
            direction=direction,
            target=Decimal(str(target)),
            amber_threshold=Decimal(str(amber)),
            due_date=datetime.date(today.year + 1, 12, 31),
            decimal_places=places,
            unit=unit,
            latest_due=last,
            today=today,
        ).sentence
    return sentences


def test_demo_forecasts_refuse_only_where_the_demo_shows_why():
    sentences = _demo_forecasts(datetime.date(2026, 12, 3))
    no_trend = sorted(code for code, s in sentences.items() if "no clear trend" in s)
    # OBJ-06 and OBJ-12 swing month to month; OBJ-15 is a band held on its target.
    assert no_trend == ["OBJ-06", "OBJ-12", "OBJ-15"]
    refused = [code for code, s in sentences.items() if s.startswith("No forecast")]
    assert len(refused) == 5  # and OBJ-09, OBJ-13: no value for three months
