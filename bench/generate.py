"""Scale data for the rollup benchmark: organisation "bench" with 10 org units, 2,000 objectives
and exactly 1,000,000 measurements, loaded with PostgreSQL COPY.

    createdb -h 127.0.0.1 -U postgres qms_bench   # the script also creates it if missing
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench .venv/bin/python bench/generate.py

Idempotent and deterministic (fixed seed): when "bench" already holds the full data set it is
left alone; a partial one is wiped and rebuilt. Other organisations (e.g. "bench-import") are
never touched. Bench measurements get no audit-trail (history) rows.
"""

from __future__ import annotations

import datetime
import io
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

SLUG = "bench"
OBJECTIVES = {"monthly": 1150, "weekly": 750, "quarterly": 100}
MEASUREMENTS = 1_000_000
MONTHLY_HISTORY = 120  # ten years of months; quarterly: ten years of quarters
LAST_PERIOD = datetime.date(2025, 12, 31)
SEED = 9001


def ensure_database() -> None:
    """Create the database named in DATABASE_URL if it does not exist yet."""
    import psycopg2

    url = urlparse(os.environ.get("DATABASE_URL", ""))
    if url.scheme not in ("postgres", "postgresql"):
        sys.exit("Set DATABASE_URL=postgres://...: the benchmark runs on PostgreSQL.")
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
        dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")
    admin.close()


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from objectives.models import Measurement, QualityObjective
    from qms.core.models import Organization

    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is not None:
        objectives = QualityObjective.objects.filter(organization=organization).count()
        measurements = Measurement.objects.filter(organization=organization).count()
        if (objectives, measurements) == (sum(OBJECTIVES.values()), MEASUREMENTS):
            print(f'"{SLUG}" is complete: {objectives} objectives, {measurements} measurements.')
            add_reviews_and_actions(organization)
            return
        wipe(organization)
    started = time.perf_counter()
    build()
    add_reviews_and_actions(Organization.objects.get(slug=SLUG))
    print(f"Generated in {time.perf_counter() - started:.1f} s.")


def wipe(organization) -> None:
    """Delete the bench organisation with raw deletes (Django's collector would load 1M rows)."""
    from django.db import connection, transaction

    tables = [
        "core_action",
        "objectives_kpirollup",
        "objectives_unitrollup",
        "objectives_measurement",
        "objectives_actionstep",
        "objectives_qualityobjective",
        "core_membership",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.id])  # noqa: S608
        cursor.execute(
            "DELETE FROM reviews_reviewattendee WHERE review_id IN "
            "(SELECT id FROM reviews_managementreview WHERE organization_id = %s)",
            [organization.id],
        )
        cursor.execute(
            "DELETE FROM reviews_managementreview WHERE organization_id = %s", [organization.id]
        )
        cursor.execute("DELETE FROM core_orgunit WHERE organization_id = %s", [organization.id])
        cursor.execute(
            "DELETE FROM auth_user WHERE username LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM core_membership m WHERE m.user_id = auth_user.id)",
            ["bench-%"],
        )
        organization.delete()
    print(f'Wiped the incomplete "{SLUG}" organisation.')


def build() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from objectives.models import QualityObjective
    from qms.core import services
    from qms.core.models import Membership, Organization
    from qms.core.roles import Role

    rng = random.Random(SEED)  # noqa: S311 (benchmark data, not secrets)
    with transaction.atomic():
        organization = Organization.objects.create(name="Bench Manufacturing", slug=SLUG)
        root = services.org_unit_create(
            organization=organization, name="Bench HQ", kind="company", code="B"
        )
        units = [root]
        for site in range(3):
            parent = services.org_unit_create(
                organization=organization,
                name=f"Site {site + 1}",
                parent=root,
                kind="site",
                code=f"B{site + 1}",
            )
            units.append(parent)
            for department in range(2 if site < 2 else 1):
                units.append(
                    services.org_unit_create(
                        organization=organization,
                        name=f"Site {site + 1} dept {department + 1}",
                        parent=parent,
                        code=f"B{site + 1}{department + 1}",
                    )
                )
        units.append(
            services.org_unit_create(
                organization=organization, name="Quality", parent=root, code="BQ"
            )
        )
        User = get_user_model()
        members = {Role.EXECUTIVE: [], Role.CONTRIBUTOR: []}
        for role, count in ((Role.EXECUTIVE, 3), (Role.CONTRIBUTOR, 20)):
            for number in range(count):
                user = User(username=f"bench-{role}-{number + 1}")
                user.set_unusable_password()
                user.save()
                members[role].append(
                    Membership.objects.create(user=user, organization=organization, role=role)
                )
        objectives = []
        frequencies = [f for f, count in OBJECTIVES.items() for _ in range(count)]
        for number, frequency in enumerate(frequencies):
            direction = rng.choice(["higher", "higher", "lower", "band"])
            amber, red = {"higher": (92, 88), "lower": (4, 8), "band": (2, 5)}[direction]
            objectives.append(
                QualityObjective(
                    organization=organization,
                    code=f"BX-{number + 1:04}",
                    title=f"Bench KPI {number + 1}",
                    org_unit=rng.choice(units),
                    owner=rng.choice(members[Role.CONTRIBUTOR]),
                    accountable_executive=rng.choice(members[Role.EXECUTIVE]),
                    start_date=datetime.date(2000, 1, 1),
                    due_date=datetime.date(2027, 12, 31),
                    unit="%",
                    direction=direction,
                    target={"higher": 95, "lower": 2, "band": 50}[direction],
                    amber_threshold=amber,
                    red_threshold=red,
                    frequency=frequency,
                    aggregation=rng.choice(["mean", "mean", "mean", "sum", "last", "min", "max"]),
                    data_due_days=rng.choice([5, 10, 10, 15, 30]),
                    status="active" if rng.random() < 0.9 else "achieved",
                )
            )
        QualityObjective.objects.bulk_create(objectives, batch_size=500)
        plans = period_plans(objectives, rng)
        for objective, ends in zip(objectives, plans, strict=True):
            objective.start_date = ends[0].replace(day=1)
        QualityObjective.objects.bulk_update(objectives, ["start_date"], batch_size=500)
        copy_measurements(connection, organization, objectives, plans, rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE objectives_measurement")
    print(f'Built "{SLUG}": {len(units)} units, {len(objectives)} objectives, ', end="")
    print(f"{MEASUREMENTS} measurements.")


REVIEWS = 200  # ~50 years of quarterly reviews: a scale check, not a plausible history
ACTIONS = 20_000
STATUSES = ["open", "in_progress", "done", "verified", "verified", "cancelled"]


def add_reviews_and_actions(organization) -> None:
    """For the dashboard benchmark: 200 management reviews (all but the last few held and
    signed off, some late, with the executives as attendees) and 20,000 actions in every state.
    Bulk-created (no audit rows); skipped when they are there already."""
    from django.db import transaction
    from django.utils import timezone

    from qms.core.actions.models import Action
    from qms.core.models import Membership
    from reviews.models import ManagementReview, ReviewAttendee

    have = (
        ManagementReview.objects.filter(organization=organization).count(),
        Action.objects.filter(organization=organization).count(),
    )
    if have == (REVIEWS, ACTIONS):
        print(f'"{SLUG}" has its {REVIEWS} reviews and {ACTIONS} actions.')
        return
    rng = random.Random(SEED + 1)  # noqa: S311 (benchmark data)
    executives = list(Membership.objects.filter(organization=organization, role="executive"))
    owners = list(Membership.objects.filter(organization=organization, role="contributor"))
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        Action.objects.filter(organization=organization).delete()
        ReviewAttendee.objects.filter(review__organization=organization).delete()
        ManagementReview.objects.filter(organization=organization).delete()
        reviews = []
        for number in range(1, REVIEWS + 1):
            planned = today - datetime.timedelta(days=91 * (REVIEWS - number) - 30)
            held = planned <= today
            late = rng.choice([0, 0, 0, 2, 14]) if held else 0
            held_on = planned + datetime.timedelta(days=late) if held else None
            moment = datetime.datetime.combine(
                held_on or today, datetime.time(12), tzinfo=datetime.UTC
            )
            reviews.append(
                ManagementReview(
                    organization=organization, number=number, title="Quarterly review",
                    planned_on=planned, held_on=held_on, status="signed_off" if held else "planned",
                    frozen_at=moment if held else None, signed_off_at=moment if held else None,
                    signed_off_by=executives[0] if held else None, minutes="Bench." if held else "",
                )
            )  # fmt: skip
        ManagementReview.objects.bulk_create(reviews, batch_size=500)
        ReviewAttendee.objects.bulk_create(
            [
                ReviewAttendee(review=r, membership=e, is_top_management=True,
                               attendance="attended" if rng.random() < 0.85 else "apologies")
                for r in reviews if r.held_on for e in executives
            ],
            batch_size=2000,
        )  # fmt: skip
        actions = []
        for number in range(1, ACTIONS + 1):
            due = today + datetime.timedelta(days=rng.randint(-720, 120))
            status = rng.choice(
                ["open", "in_progress", "done", "verified", "verified", "cancelled"]
            )
            closed = status not in ("open", "in_progress")
            owner = rng.choice(owners)
            actions.append(
                Action(
                    organization=organization, number=number, title=f"Bench action {number}",
                    owner=owner, accountable_executive=rng.choice(executives), raised_by=owner,
                    due_date=due, status=status,
                    closed_at=now - datetime.timedelta(days=rng.randint(0, 700))
                    if closed
                    else None,
                    closed_by=owner if closed else None,
                    closing_note="Done." if closed else "",
                    verified_at=now if status == "verified" else None,
                    verified_by=executives[0] if status == "verified" else None,
                    verification_result="effective" if status == "verified" else "",
                )
            )  # fmt: skip
        Action.objects.bulk_create(actions, batch_size=2000)
    print(f'Added {REVIEWS} reviews and {ACTIONS} actions to "{SLUG}".')


def period_plans(objectives, rng) -> list[list[datetime.date]]:
    """Each objective's period ends, oldest first. Monthly: ten years with ~5% gaps; quarterly:
    ten years; weekly: share the rest so the total is exactly MEASUREMENTS (~22 years each)."""
    from objectives.periods import period_end, previous_period_end

    def history(frequency, count):
        ends = [period_end(frequency, LAST_PERIOD)]
        while len(ends) < count:
            ends.append(previous_period_end(frequency, ends[-1]))
        return ends[::-1]

    plans: list[list[datetime.date] | None] = [None] * len(objectives)
    for index, objective in enumerate(objectives):
        if objective.frequency == "monthly":
            plans[index] = [
                end for end in history("monthly", MONTHLY_HISTORY) if rng.random() > 0.05
            ]
        elif objective.frequency == "quarterly":
            plans[index] = history("quarterly", MONTHLY_HISTORY // 3)
    weekly = [i for i, objective in enumerate(objectives) if objective.frequency == "weekly"]
    remaining = MEASUREMENTS - sum(len(plan) for plan in plans if plan)
    for position, index in enumerate(weekly):
        count = remaining // len(weekly) + (1 if position < remaining % len(weekly) else 0)
        plans[index] = history("weekly", count)
    return plans


def copy_measurements(connection, organization, objectives, plans, rng) -> None:
    """COPY the values in chunks: a random walk around each objective's target."""
    entered_at = "2026-01-05 09:00:00+00"
    buffer = io.StringIO()
    rows = 0
    with connection.cursor() as cursor:
        for objective, ends in zip(objectives, plans, strict=True):
            level = float(objective.target)
            for end in ends:
                level += rng.uniform(-1.5, 1.5) - (level - float(objective.target)) * 0.1
                buffer.write(
                    f"{organization.id}\t{objective.id}\t{end}\t{level:.2f}\t\timport\t{entered_at}\n"
                )
                rows += 1
            if rows >= 200_000:
                flush(cursor, buffer)
                buffer, rows = io.StringIO(), 0
        flush(cursor, buffer)


def flush(cursor, buffer) -> None:
    buffer.seek(0)
    cursor.copy_expert(
        "COPY objectives_measurement (organization_id, objective_id, period_end, value, note, "
        "source, entered_at) FROM STDIN",
        buffer,
    )


if __name__ == "__main__":
    main()
