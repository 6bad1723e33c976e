"""The dashboard reads rollups and aggregates: its query count does not grow with the data."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from objectives.models import Granularity, KpiRollup, QualityObjective
from objectives.periods import month_end
from qms.core.models import OrgUnit
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])


def _add_objectives(template: QualityObjective, start: int, count: int) -> None:
    """Copies of an objective with a status and a year of monthly rollups each."""
    plant = OrgUnit.objects.get(organization=template.organization, code="A1")
    copies = []
    for n in range(start, start + count):
        copy = QualityObjective.objects.get(pk=template.pk)
        copy.pk = None
        copy.code = f"OBJ-{n:03d}"
        copy.org_unit = plant if n % 2 else template.org_unit
        copy.current_status = ["green", "amber", "red", "no_data"][n % 4]
        copy.current_value = Decimal("90") + n % 7
        copies.append(copy)
    QualityObjective.objects.bulk_create(copies)
    end = month_end(timezone.localdate())
    rollups = []
    for objective in QualityObjective.objects.filter(code__in=[c.code for c in copies]):
        month = end
        for _ in range(12):
            rollups.append(
                KpiRollup(
                    organization_id=objective.organization_id,
                    objective=objective,
                    org_unit_id=objective.org_unit_id,
                    granularity=Granularity.MONTH,
                    period_end=month,
                    value=Decimal("93"),
                    measurement_count=1,
                    status="amber",
                    computed_at=timezone.now(),
                )
            )
            month = month_end(month.replace(day=1) - datetime.timedelta(days=1))
    KpiRollup.objects.bulk_create(rollups)


@pytest.mark.parametrize(
    "query",
    ["", "?period=quarter&unit={unit}", "?period=custom&start=2025-01-01&end=2025-12-31"],
)
def test_same_query_count_for_10_and_200_objectives(
    client, cast, django_assert_max_num_queries, query
):
    template = make_objective(cast, code="OBJ-000")
    _add_objectives(template, 1, 9)
    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    url = URL + query.format(unit=plant.pk)
    client.force_login(cast.alice)
    client.get(url)  # the first visit also records the organisation in the session
    with django_assert_max_num_queries(80) as ten:
        assert client.get(url).status_code == 200
    _add_objectives(template, 10, 190)
    assert QualityObjective.objects.count() == 200
    with django_assert_max_num_queries(len(ten.captured_queries)) as two_hundred:
        response = client.get(url)
    assert len(two_hundred.captured_queries) == len(ten.captured_queries)
    assert len(response.context["data"].kpi_series) == 8


def test_the_page_never_reads_raw_measurements(client, cast, django_assert_max_num_queries):
    make_objective(cast, code="OBJ-001")
    client.force_login(cast.alice)
    with django_assert_max_num_queries(80) as captured:
        client.get(URL)
    measurement_table = "objectives_measurement"
    assert not [q for q in captured.captured_queries if measurement_table in q["sql"]]
