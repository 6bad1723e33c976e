"""Requesting, building, downloading and verifying packs through the pages; who may; bad
input; the auditors' access log."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from qms.core.models import Membership, OrgUnit
from qms.evidence import services
from qms.evidence.models import AuditorAccess, EvidencePack, PackStatus

pytestmark = pytest.mark.django_db
PACKS = reverse("evidence:packs", args=["acme-test"])


def _request(client, capture, **data):
    today = timezone.localdate()
    form = {"period_start": today - datetime.timedelta(days=30), "period_end": today, **data}
    with capture(execute=True):
        return client.post(PACKS, form)


def test_an_auditor_requests_a_pack_downloads_it_and_it_verifies(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.audrey)
    response = _request(client, django_capture_on_commit_callbacks)
    pack = EvidencePack.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:pack", args=["acme-test", pack.uuid])
    assert pack.status == PackStatus.READY and pack.progress == 100
    page = client.get(response["Location"]).content.decode()
    assert "Download the pack" in page and pack.sha256 in page

    download = client.get(reverse("evidence:pack-download", args=["acme-test", pack.uuid]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).read("index.html").startswith(b"<!doctype html>")
    assert pack.downloads.count() == 1

    upload = io.BytesIO(body)
    upload.name = "pack.zip"
    checked = client.post(reverse("evidence:verify", args=["acme-test"]), {"pack": upload})
    assert "Every file is intact and the signature is valid." in checked.content.decode()


def test_the_verify_page_reports_an_altered_pack(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.quinn)
    _request(client, django_capture_on_commit_callbacks)
    pack = EvidencePack.objects.get()
    body = b"".join(client.get(reverse("evidence:pack-download", args=["acme-test", pack.uuid])))
    altered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as old, zipfile.ZipFile(altered, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            new.writestr(name, data + b"x" if name == "index.html" else data)
    altered.seek(0)
    altered.name = "pack.zip"
    page = client.post(reverse("evidence:verify", args=["acme-test"]), {"pack": altered})
    text = page.content.decode()
    assert "Not verified" in text
    assert "altered" in text


def test_an_expired_auditor_cannot_export(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.eddie)
    assert client.get(PACKS).status_code == 403
    response = _request(client, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert "expired" in response.content.decode().lower()
    assert not EvidencePack.objects.exists()


def test_contributors_may_not_export_and_strangers_see_nothing(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.carl)
    assert client.get(PACKS).status_code == 403
    assert _request(client, django_capture_on_commit_callbacks).status_code == 403
    client.force_login(cast.bob)
    assert client.get(PACKS).status_code == 404
    assert not EvidencePack.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"period_start": "2025-06-01", "period_end": "2025-05-01"}, "comes after the first day"),
        ({"period_end": "2999-01-01"}, "days that have passed"),
        ({"period_start": "2015-01-01", "period_end": "2025-01-01"}, "at most"),
        ({"period_start": "yesterday"}, "Enter a valid date"),
        ({"period_start": "x" * 10_000}, "Enter a valid date"),
    ],
)
def test_bad_periods_are_refused_with_a_sentence_and_nothing_is_queued(
    client, cast, data, message, django_capture_on_commit_callbacks
):
    client.force_login(cast.quinn)
    response = _request(client, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EvidencePack.objects.exists()


def test_another_organisations_unit_is_refused(client, cast, django_capture_on_commit_callbacks):
    foreign = OrgUnit.objects.get(organization=cast.org_b, code="B")
    client.force_login(cast.quinn)
    response = _request(client, django_capture_on_commit_callbacks, org_unit=foreign.pk)
    assert response.status_code == 400
    assert not EvidencePack.objects.exists()


def test_an_auditor_given_a_unit_gets_packs_of_that_unit_only(
    client, cast, django_capture_on_commit_callbacks
):
    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    top = OrgUnit.objects.get(organization=cast.org_a, code="A")
    Membership.objects.filter(user=cast.audrey).update(org_unit=plant)
    client.force_login(cast.audrey)
    assert _request(client, django_capture_on_commit_callbacks, org_unit=top.pk).status_code == 400
    _request(client, django_capture_on_commit_callbacks)  # "whole organisation" = their unit
    assert EvidencePack.objects.get().org_unit == plant


def test_only_the_requester_or_a_quality_manager_downloads(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.audrey)
    _request(client, django_capture_on_commit_callbacks)
    pack = EvidencePack.objects.get()
    url = reverse("evidence:pack-download", args=["acme-test", pack.uuid])
    client.force_login(cast.alice)
    assert client.get(url).status_code == 403
    client.force_login(cast.quinn)
    assert client.get(url).status_code == 200
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404


def test_an_expired_pack_keeps_its_record_but_not_its_file(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.quinn)
    _request(client, django_capture_on_commit_callbacks)
    pack = EvidencePack.objects.get()
    path = services.pack_path(pack)
    assert path.exists()
    assert services.packs_expire(now=pack.expires_at + datetime.timedelta(seconds=1)) == 1
    assert not path.exists()
    pack.refresh_from_db()
    assert pack.status == PackStatus.EXPIRED
    response = client.get(reverse("evidence:pack-download", args=["acme-test", pack.uuid]))
    assert response.status_code == 302
    assert "expired" in client.get(response["Location"]).content.decode()


def test_the_progress_endpoint_answers_json(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.quinn)
    _request(client, django_capture_on_commit_callbacks)
    pack = EvidencePack.objects.get()
    status = client.get(reverse("evidence:pack-status", args=["acme-test", pack.uuid])).json()
    assert status == {"status": "Ready to download", "percent": 100, "step": "Ready",
                      "stalled": "", "done": True}  # fmt: skip


def test_auditors_views_and_exports_are_logged_for_admins(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.audrey)
    client.get(reverse("objectives:list", args=["acme-test"]))
    _request(client, django_capture_on_commit_callbacks)
    pack = EvidencePack.objects.get()
    client.get(reverse("evidence:pack-download", args=["acme-test", pack.uuid]))
    kinds = list(AuditorAccess.objects.order_by("id").values_list("kind", "method"))
    assert ("page", "GET") in kinds and ("page", "POST") in kinds and ("export", "GET") in kinds
    log_url = reverse("evidence:access-log", args=["acme-test"])
    assert client.get(log_url).status_code == 403  # auditors do not read their own log
    client.force_login(cast.quinn)
    client.get(PACKS)
    assert AuditorAccess.objects.filter(membership__user=cast.quinn).count() == 0
    client.force_login(cast.adam)
    page = client.get(log_url).content.decode()
    assert "/download/" in page and "Audrey Test" in page


def test_the_packs_page_costs_the_same_queries_for_one_and_many_packs(
    client, cast, django_assert_max_num_queries
):
    quinn = Membership.objects.get(user=cast.quinn)
    today = timezone.localdate()

    def add():
        EvidencePack.objects.create(
            organization=cast.org_a, requested_by=quinn, period_start=today, period_end=today
        )

    add()
    client.force_login(cast.quinn)
    with django_assert_max_num_queries(30) as one:
        client.get(PACKS)
    for _ in range(15):
        add()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(PACKS)


def test_an_auditor_of_the_top_unit_gets_the_whole_organisation(
    client, cast, django_capture_on_commit_callbacks
):
    top = OrgUnit.objects.get(organization=cast.org_a, code="A")
    Membership.objects.filter(user=cast.audrey).update(org_unit=top)
    client.force_login(cast.audrey)
    _request(client, django_capture_on_commit_callbacks)
    assert EvidencePack.objects.get().org_unit is None
