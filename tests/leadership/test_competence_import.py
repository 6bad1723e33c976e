"""Importing existing competence records from CSV/XLSX: all rows or none, each bad row named."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadership.models import Competence, CompetenceRecord
from leadership.services.competence_import import competence_records_import

pytestmark = pytest.mark.django_db

HEADER = "member,competence,level,attained_on,evidence_kind,evidence,expires_on\n"


@pytest.fixture
def competences(cast):
    Competence.objects.create(organization=cast.org_a, name="Internal auditing", validity_months=36)
    Competence.objects.create(organization=cast.org_b, name="Theirs")


def _csv(text, name="records.csv"):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def test_a_good_file_imports_every_row(members, competences):
    text = HEADER + (
        "carl,Internal auditing,2,2025-01-31,training,IRCA course,\n"
        "adam@example.com,internal auditing,1,2024-05-01,,,2026-01-01\n"
    )
    members["adam"].user.email = "adam@example.com"
    members["adam"].user.save()
    result = competence_records_import(
        actor=members["quinn"], source=_csv(text), filename="records.csv"
    )
    assert result.ok, result.errors
    records = CompetenceRecord.objects.order_by("membership__user__username")
    assert [(r.membership.user.username, r.level, str(r.expires_on)) for r in records] == [
        ("adam", 1, "2026-01-01"),
        ("carl", 2, "2028-01-31"),  # the competence's 36-month validity
    ]
    assert records[0].evidence_kind == "assessment"


def test_one_bad_row_rejects_the_whole_file_and_names_each_bad_row(members, competences):
    text = HEADER + (
        "carl,Internal auditing,2,2025-01-31,training,,\n"
        "bob,Internal auditing,5,31/01/2025,,,\n"
        "carl,Theirs,2,2025-01-31,diploma,,2024-01-01\n"
    )
    result = competence_records_import(
        actor=members["quinn"], source=_csv(text), filename="records.csv"
    )
    assert not result.ok
    assert [e["message"] for e in result.errors] == [
        'Row 3: member: bob is not a current member; level: "5" is not a level from 1 to 4; '
        'attained_on: "31/01/2025" is not a date written YYYY-MM-DD.',
        'Row 4: competence: Theirs is not a competence of yours; evidence_kind: "diploma" is '
        "not training, qualification, assessment or experience.",
    ]
    assert not CompetenceRecord.objects.exists()


def test_an_expiry_before_the_attainment_is_a_row_error(members, competences):
    text = HEADER + "carl,Internal auditing,2,2025-01-31,,,2025-01-01\n"
    result = competence_records_import(
        actor=members["quinn"], source=_csv(text), filename="records.csv"
    )
    assert result.error_count == 1 and result.errors[0]["message"].startswith("Row 2:")
    assert not CompetenceRecord.objects.exists()


def test_an_xlsx_file_imports_like_a_csv(members, competences):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["member", "competence", "level", "attained_on"])
    sheet.append(["carl", "Internal auditing", 3, datetime.date(2025, 6, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "records.xlsx"
    result = competence_records_import(
        actor=members["quinn"], source=buffer, filename="records.xlsx"
    )
    assert result.ok, result.errors
    assert CompetenceRecord.objects.get().level == 3


def test_a_file_without_the_required_columns_is_refused_as_a_whole(members, competences):
    result = competence_records_import(
        actor=members["quinn"], source=_csv("who,what\ncarl,x\n"), filename="records.csv"
    )
    assert not result.ok and result.errors[0]["row"] is None
    assert "member" in result.errors[0]["message"]


def test_the_import_page_lists_the_rows_to_fix_and_saves_nothing(client, cast, competences):
    client.force_login(cast.quinn)
    upload = SimpleUploadedFile(
        "records.csv", (HEADER + "carl,Nope,2,2025-01-31,,,\n").encode(), "text/csv"
    )
    response = client.post(
        reverse("leadership:competence-import", args=[cast.org_a.slug]), {"file": upload}
    )
    assert response.status_code == 400
    assert "Row 2: competence: Nope is not a competence of yours." in response.content.decode()
    assert not CompetenceRecord.objects.exists()


def test_the_import_page_refuses_a_file_that_is_not_a_spreadsheet(client, cast, competences):
    client.force_login(cast.quinn)
    upload = SimpleUploadedFile("records.exe", b"MZ", "application/octet-stream")
    response = client.post(
        reverse("leadership:competence-import", args=[cast.org_a.slug]), {"file": upload}
    )
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file." in response.content.decode()


def test_the_import_page_imports_a_good_file(client, cast, competences):
    client.force_login(cast.quinn)
    upload = SimpleUploadedFile(
        "records.csv", (HEADER + "carl,Internal auditing,2,2025-01-31,,,\n").encode(), "text/csv"
    )
    response = client.post(
        reverse("leadership:competence-import", args=[cast.org_a.slug]), {"file": upload}
    )
    assert response.status_code == 302
    assert CompetenceRecord.objects.count() == 1


def test_the_template_names_the_columns(client, cast):
    client.force_login(cast.quinn)
    response = client.get(reverse("leadership:competence-import-template", args=[cast.org_a.slug]))
    assert response.content.decode().splitlines()[0] == HEADER.strip()
