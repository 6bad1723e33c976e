"""The agenda has 9.3.2 c 3 (process performance and conformity of products and services) and
c 5 (monitoring and measurement results), compiled from the process register and the KPIs, in
the clause's order, on the review page, the printed minutes and the evidence pack."""

import datetime
import io
import json
import re
import zipfile

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from leadership.models import Process
from objectives.templatetags.objectives_tags import kpi
from reviews.agenda import compile_agenda
from reviews.models import ManagementReview, ReviewStatus
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from tests.seeded import seeded_demo

    return seeded_demo()


def _upcoming(organization) -> ManagementReview:
    return ManagementReview.objects.get(organization=organization, status=ReviewStatus.PREPARED)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_demo_agenda_shows_process_performance_and_measurement_results(client, demo):
    review = _upcoming(demo.organization)
    clauses = [i.clause for i in review.inputs.order_by("order")]
    assert clauses.index("9.3.2 c 2") < clauses.index("9.3.2 c 3") < clauses.index("9.3.2 c 4")
    assert clauses.index("9.3.2 c 4") < clauses.index("9.3.2 c 5") < clauses.index("9.3.2 c 6")

    processes = review.inputs.get(key="c_processes")
    process = Process.objects.filter(organization=demo.organization).exclude(objectives=None)[0]
    (row,) = [p for p in processes.data["processes"] if p["reference"] == process.reference]
    objective = process.objectives.order_by("code")[0]
    assert row["kpis"][0]["code"] == objective.code
    assert row["kpis"][0]["value_text"] == kpi(objective.current_value, objective)

    measured = review.inputs.get(key="c_measurement")
    assert measured.has_data and measured.data["values"] > 0

    client.force_login(demo.members["executive"].user)
    text = _text(client.get(reverse("reviews:detail", args=["acme", review.number])))
    assert "9.3.2 c 3 Process performance and conformity of products and services" in text
    assert f"{process.reference} {process.title}" in text
    assert f"{objective.code} {row['kpis'][0]['value_text']} (target" in text
    assert "9.3.2 c 5 Monitoring and measurement results" in text
    assert f"Of the {measured.data['due']} KPI values of the period due by the day" in text
    first = measured.data["objectives"][0]
    assert f"{first['values']} of {first['due']} due" in text

    printed = _text(client.get(reverse("reviews:print", args=["acme", review.number])))
    assert "Process performance and conformity of products and services" in printed
    assert "Monitoring and measurement results" in printed


def test_the_signed_minutes_pdf_and_the_evidence_pack_carry_both_inputs(client, demo, tmp_path):
    from qms.evidence import builder
    from qms.evidence.sections import Scope

    signed = ManagementReview.objects.filter(
        organization=demo.organization, status=ReviewStatus.SIGNED_OFF
    ).latest("held_on")
    client.force_login(demo.members["executive"].user)
    pdf = client.get(reverse("reviews:minutes-pdf", args=["acme", signed.number])).content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "9.3.2 c 3 Process performance" in text
    assert "9.3.2 c 5 Monitoring and measurement results" in text

    today = timezone.localdate()
    scope = Scope(demo.organization, None, today - datetime.timedelta(days=365), today)
    with override_settings(
        MEDIA_ROOT=tmp_path / "media", EVIDENCE_SIGNING_KEY_FILE=str(tmp_path / "key.pem")
    ):
        built = builder.build(scope, tmp_path / "pack.zip", created_by="Test")
    with zipfile.ZipFile(built.path) as archive:
        inputs = json.loads(archive.read(f"9.3-management-reviews/{signed.reference}/inputs.json"))
    assert {"c_processes", "c_measurement"} <= {i["key"] for i in inputs}


def test_measurement_results_count_the_values_due_and_name_the_missing_periods(cast, members):
    objective = make_objective(cast, code="OBJ-M", start_date=datetime.date(2026, 1, 1))
    # April's value logged early (before 10 May, when it is due): not one of the due ones.
    add_values(objective, {"2026-01-31": "91", "2026-03-31": "96.25", "2026-04-30": "97"})
    inputs = compile_agenda(
        organization=cast.org_a, start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 4, 30), today=datetime.date(2026, 5, 5),
    )  # fmt: skip
    (c5,) = [i for i in inputs if i.key == "c_measurement"]
    (row,) = [r for r in c5.data["objectives"] if r["code"] == objective.code]
    # April's value is not due before 10 May: three months due, February missing.
    assert (row["values"], row["due"], row["missing"], row["early"]) == (2, 3, ["February 2026"], 1)
    assert (row["first_text"], row["last_text"], row["trend"]) == ("91.0%", "97.0%", "improving")
    assert c5.data["values"] + c5.data["missing"] == c5.data["due"]  # it read "3 of 2 due"


def test_a_review_without_processes_says_so(cast):
    today = timezone.localdate()
    (c3,) = [
        i for i in compile_agenda(organization=cast.org_a, start=today, end=today)
        if i.key == "c_processes"
    ]  # fmt: skip
    assert not c3.has_data and "process register" in c3.missing


def test_the_demos_prepared_agenda_is_what_recompiling_it_gives(demo):
    """Found by the try-out: the seeded agenda counted 14 actions raised, 1 closed; pressing
    Recompile gave 23 and 4 (it was compiled before the back-dated actions were seeded)."""
    from reviews.services import management_reviews as s

    review = ManagementReview.objects.get(organization=demo.organization,
                                          status=ReviewStatus.PREPARED)  # fmt: skip
    seeded = {i.key: i.data for i in review.inputs.all()}
    s.review_prepare(review=review, membership=demo.members["quality"], today=demo.today)
    again = {i.key: i.data for i in review.inputs.all()}
    assert seeded == again
