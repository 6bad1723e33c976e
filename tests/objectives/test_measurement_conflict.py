"""Two first values for the same period saved at the same moment (a double click, a client
retrying, twelve identical POSTs at once): each request checks that no value exists, then
inserts, and all but one insert hit the period's unique constraint. Those answer 409 with what
to do (a different value) or succeed once (the same value), never a 500.

The race is made deterministic: the other request's row is inserted between the service's
existence check and its insert."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from objectives import services
from objectives.models import Measurement, QualityObjective
from objectives.periods import describe
from qms.core.models import Membership
from tests.objectives.factories import make_objective
from tests.page_forms import kpi_values_seen

pytestmark = pytest.mark.django_db

PERIOD_END = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)  # last month's
PERIOD = PERIOD_END.isoformat()


@pytest.fixture
def objective(cast):
    return make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))


@pytest.fixture
def other_request_saves_first(monkeypatch, cast):
    """Another request records `value` (committed), after this one's check found nothing."""

    def arrange(value, note=""):
        first = QuerySet.first
        checked = []

        def nothing_there_yet(queryset):
            # The service's existence check is the first lookup of a value: it sees none.
            if queryset.model is Measurement and not checked:
                checked.append(True)
                return None
            return first(queryset)

        monkeypatch.setattr(QuerySet, "first", nothing_there_yet)
        objective = QualityObjective.objects.get(code="OBJ-07")
        Measurement.objects.create(
            organization_id=objective.organization_id,
            objective=objective,
            period_end=PERIOD_END,
            value=Decimal(value),
            note=note,
            entered_by=cast.quinn,
            entered_at=timezone.now(),
        )

    return arrange


def post(api_client, cast, value="92.5"):
    api_client.force_authenticate(cast.carl)
    return api_client.post(
        reverse("measurement-list", kwargs={"org_slug": "acme-test"}),
        {"objective": "OBJ-07", "period_end": PERIOD, "value": value},
        format="json",
    )


def stored(objective):
    return list(Measurement.objects.filter(objective=objective).values_list("value", "note"))


def test_a_different_value_saved_at_the_same_moment_answers_409_and_changes_nothing(
    api_client, cast, objective, other_request_saves_first
):
    other_request_saves_first("88")
    history = Measurement.history.count()
    response = post(api_client, cast, value="92.5")
    assert response.status_code == 409
    detail = response.json()["detail"]
    period = describe("monthly", PERIOD_END)
    assert f"Someone else recorded 88 for {period} of OBJ-07 at the same moment" in detail
    assert "enter it again as a correction" in detail
    assert stored(objective) == [(Decimal("88"), "")]  # the other value stands, ours is not in
    assert Measurement.history.count() == history


def test_the_same_value_saved_twice_at_the_same_moment_is_recorded_once(
    api_client, cast, objective, other_request_saves_first
):
    other_request_saves_first("92.5")
    response = post(api_client, cast, value="92.5")
    assert response.status_code == 200  # not created by this request, but there as asked
    assert response.json()["value"] == "92.5"
    assert stored(objective) == [(Decimal("92.5"), "")]


def test_the_same_value_with_another_note_is_a_conflict(cast, objective, other_request_saves_first):
    other_request_saves_first("92.5", note="from the weekly report")
    with pytest.raises(services.MeasurementConflict):
        services.measurement_record(
            objective=objective,
            period_end=PERIOD_END,
            value=Decimal("92.5"),
            actor=cast.carl,
        )
    assert stored(objective) == [(Decimal("92.5"), "from the weekly report")]


def test_a_different_value_for_a_period_with_one_corrects_it_only_when_it_names_it(
    api_client, cast, objective
):
    """Twelve clients each sending the period's "first" value one after another (SQLite lets
    one writer at a time) were each taken as a correction: the last one silently won."""
    assert post(api_client, cast, value="92.5").status_code == 201
    assert post(api_client, cast, value="92.5").status_code == 200  # the same again: fine
    first = post(api_client, cast, value="92.5")
    response = post(api_client, cast, value="93")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "already has 92.5 for" in detail and "nothing was changed" in detail
    assert stored(objective) == [(Decimal("92.5"), "")]
    # A correction names the value it corrects: its ETag, on the POST's answer, on GET of the
    # value, and in the 409's sentence.
    measurement = Measurement.objects.get(objective=objective)
    url = reverse("measurement-detail", kwargs={"org_slug": "acme-test", "pk": measurement.pk})
    etag = api_client.get(url)["ETag"]
    assert first["ETag"] == etag and f"If-Match: {etag}" in detail
    endpoint = reverse("measurement-list", kwargs={"org_slug": "acme-test"})
    body = {"objective": "OBJ-07", "period_end": PERIOD, "value": "93"}
    response = api_client.post(endpoint, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and stored(objective) == [(Decimal("93"), "")]
    # The same ETag again is stale now: 412, and 93 stands.
    body["value"] = "94"
    response = api_client.post(endpoint, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert stored(objective) == [(Decimal("93"), "")]


def _log_form_values_seen(client) -> str:
    page = client.get(
        reverse("objectives:detail", kwargs={"org_slug": "acme-test", "code": "OBJ-07"})
    )
    return kpi_values_seen(page.content)


def test_two_people_logging_the_same_period_from_open_pages_do_not_overwrite_each_other(
    client, cast, objective
):
    log = reverse("objectives:log", kwargs={"org_slug": "acme-test", "code": "OBJ-07"})
    client.force_login(cast.quinn)
    quinn_saw = _log_form_values_seen(client)
    client.force_login(cast.carl)
    carl_saw = _log_form_values_seen(client)
    assert quinn_saw == carl_saw == ""  # the period has no value yet
    client.force_login(cast.quinn)
    saved = client.post(log, {"period_end": PERIOD, "value": "80.5", "values_seen": quinn_saw})
    assert saved.status_code == 302
    client.force_login(cast.carl)
    refused = client.post(log, {"period_end": PERIOD, "value": "91", "values_seen": carl_saw})
    assert refused.status_code == 409
    html = " ".join(refused.content.decode().split())
    assert "Quinn Test recorded 80.5 for" in html and "after you opened it" in html
    assert stored(objective) == [(Decimal("80.5"), "")]
    # The refused page now carries what is there: sent again, Carl's value corrects Quinn's.
    now_seen = kpi_values_seen(html)
    assert now_seen.startswith(f"{PERIOD}=")
    again = client.post(log, {"period_end": PERIOD, "value": "91", "values_seen": now_seen})
    assert again.status_code == 302 and stored(objective) == [(Decimal("91"), "")]


def test_the_page_shows_the_conflict_on_the_form(
    client, cast, objective, other_request_saves_first
):
    other_request_saves_first("88")
    client.force_login(cast.carl)
    response = client.post(
        reverse("objectives:log", kwargs={"org_slug": "acme-test", "code": "OBJ-07"}),
        {"period_end": PERIOD, "value": "92.5", "note": "", "reason": ""},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "at the same moment, so your value was not saved" in html
    assert stored(objective) == [(Decimal("88"), "")]


def test_a_log_form_post_without_what_it_saw_records_a_first_value_but_corrects_nothing(
    client, cast, objective
):
    """A POST without `values_seen` (a script, a page from before the field) replaced an
    existing value unchecked (third issue-20 try-out); now it names none, like the API without
    If-Match."""
    log = reverse("objectives:log", kwargs={"org_slug": "acme-test", "code": "OBJ-07"})
    client.force_login(cast.quinn)
    first = client.post(log, {"period_end": PERIOD, "value": "80.5"})
    assert first.status_code == 302 and stored(objective) == [(Decimal("80.5"), "")]
    client.force_login(cast.carl)
    refused = client.post(log, {"period_end": PERIOD, "value": "91"})
    assert refused.status_code == 409
    # Nobody recorded anything after Carl opened the page (there was no page): said as it is.
    html = " ".join(refused.content.decode().split())
    assert "This form did not say which values of OBJ-07 it was showing" in html
    assert "the 80.5 already recorded" in html and "after you opened it" not in html
    assert stored(objective) == [(Decimal("80.5"), "")]
    # The page answered carries what is there now: sent with it, Carl's value corrects it.
    again = client.post(
        log, {"period_end": PERIOD, "value": "91", "values_seen": kpi_values_seen(html)}
    )
    assert again.status_code == 302 and stored(objective) == [(Decimal("91"), "")]


@pytest.mark.parametrize("made_up", ["0123456789abcdef0123", "garbage"])
def test_a_log_form_naming_a_version_the_value_never_had_is_refused_saying_so(
    client, cast, objective, made_up
):
    log = reverse("objectives:log", kwargs={"org_slug": "acme-test", "code": "OBJ-07"})
    client.force_login(cast.quinn)
    assert client.post(log, {"period_end": PERIOD, "value": "80.5"}).status_code == 302
    refused = client.post(
        log, {"period_end": PERIOD, "value": "91", "values_seen": f"{PERIOD}={made_up}"}
    )
    assert refused.status_code == 409
    html = " ".join(refused.content.decode().split())
    assert "value of OBJ-07 you named is not one it ever had" in html
    assert "after you opened it" not in html
    assert stored(objective) == [(Decimal("80.5"), "")]


def test_a_correction_naming_a_quoted_star_is_stale_and_a_bare_star_corrects(
    api_client, cast, objective
):
    """A quoted "*" is an ETag whose value is *, which no value has (RFC 9110): only a bare *
    means "whatever the value is"."""
    first = post(api_client, cast, value="92.5")
    endpoint = reverse("measurement-list", kwargs={"org_slug": "acme-test"})
    body = {"objective": "OBJ-07", "period_end": PERIOD, "value": "93"}
    refused = api_client.post(endpoint, body, format="json", HTTP_IF_MATCH='"*"')
    assert refused.status_code == 412
    assert "you named is not one it ever had" in refused.json()["detail"]
    assert "after you opened it" not in refused.json()["detail"]
    assert stored(objective) == [(Decimal("92.5"), "")]
    # Who recorded the value, and the value as its GET answers it, with its ETag.
    current = refused.json()["current"]
    assert (current["value"], refused.json()["changed_by"]) == ("92.5", "Carl Test")
    assert refused["ETag"] == first["ETag"]
    corrected = api_client.post(endpoint, body, format="json", HTTP_IF_MATCH="*")
    assert corrected.status_code == 200 and stored(objective) == [(Decimal("93"), "")]


@pytest.mark.parametrize("if_match", ["", "garbage", '"unterminated', "*, *"])
def test_a_correction_whose_if_match_is_not_an_etag_gets_400(api_client, cast, objective, if_match):
    post(api_client, cast, value="92.5")
    endpoint = reverse("measurement-list", kwargs={"org_slug": "acme-test"})
    body = {"objective": "OBJ-07", "period_end": PERIOD, "value": "93"}
    response = api_client.post(endpoint, body, format="json", HTTP_IF_MATCH=if_match)
    assert response.status_code == 400
    assert "not an ETag this API gave" in response.json()["detail"]
    assert stored(objective) == [(Decimal("92.5"), "")]
