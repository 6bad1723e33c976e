"""The dashboard shows the pulse survey's trend of closed rounds, folded like everywhere else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.models import SurveyRound
from leadership.engagement.services import surveys as services
from qms.core.models import Membership, OrgUnit
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_survey_trend_shows_closed_rounds_and_groups_of_six_or_more_only(client, cast):
    quinn = Membership.objects.get(user=cast.quinn)
    services.survey_statement_create(organization=cast.org_a, actor=quinn, text="I know why.")
    survey_round = services.survey_round_open_if_due(organization=cast.org_a)
    top = OrgUnit.objects.get(organization=cast.org_a, code="A")
    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    for unit, count, score in ((top, 6, 4), (plant, 4, 2)):
        for n in range(count):
            member = MembershipFactory(user=UserFactory(username=f"s{unit.code}{n}"),
                                       organization=cast.org_a, role="contributor",
                                       org_unit=unit)  # fmt: skip
            services.survey_answer(
                membership=member, survey_round=survey_round,
                scores={q["key"]: score for q in survey_round.questions}, comment="",
            )  # fmt: skip
    client.force_login(cast.alice)
    dashboard = reverse("dashboard:dashboard", args=["acme-test"])
    assert client.get(dashboard).context["panels"]["pulse-survey"].rows == []  # still open
    today = timezone.localdate()
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        opens_on=today - datetime.timedelta(days=15), closes_on=today - datetime.timedelta(days=1)
    )
    panel = client.get(dashboard).context["panels"]["pulse-survey"]
    labels = [row[0] for row in panel.rows]
    assert labels[0] == "Whole organisation"
    assert "Plant One" not in labels  # 4 respondents: folded into its parent, never shown
    # Its parent's row says it counts it (try-out: read as a second name for everyone), and
    # its means read with one decimal, as the sentence above the table writes them.
    (parent,) = [row for row in panel.rows[1:] if "Plant One" in row[0]]
    assert parent[0].endswith("(includes Plant One)")
    assert str(parent[1]) == "3.2" and str(panel.rows[0][1]) == "3.2"
    assert "counted in the unit above it" in panel.summary
    assert panel.figure is not None
