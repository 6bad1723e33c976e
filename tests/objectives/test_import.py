"""Measurement import: a good file writes every value; any bad row rejects the whole file,
writes nothing, and says which row to fix."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from objectives import imports
from objectives.import_files import ImportFileError, read_rows
from objectives.imports import measurements_import, validate_rows
from objectives.models import Measurement, QualityObjective
from objectives.periods import next_period_end
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(cast):
    return make_objective(cast, code="OBJ-07")


def csv_file(text: str, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def xlsx_file(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def run_import(cast, data, filename="values.csv", user=None):
    return measurements_import(
        organization=cast.org_a,
        rows=read_rows(data, filename),
        user=user or cast.quinn,
        reason=f"Imported from {filename}",
    )


def history_count():
    return Measurement.history.count()


def assert_rejected(cast, text, message, filename="values.csv"):
    """The file is refused with exactly this message first, and nothing is written."""
    before = (Measurement.objects.count(), history_count())
    result = run_import(cast, csv_file(text) if isinstance(text, str) else text, filename)
    assert not result.ok
    assert result.errors[0]["message"] == message
    assert (Measurement.objects.count(), history_count()) == before
    return result


def test_good_csv_imports_every_value_as_the_importing_user(cast, objective):
    result = run_import(
        cast,
        csv_file(
            "objective_code,period_end,value,note\n"
            "OBJ-07,2025-01-31,93.5,\n"
            "OBJ-07,2025-02-28,94,New carrier\n"
        ),
    )
    assert (result.created, result.updated, result.error_count) == (2, 0, 0)
    values = list(Measurement.objects.filter(objective=objective).order_by("period_end"))
    assert [v.value for v in values] == [Decimal("93.5"), Decimal("94")]
    assert values[1].note == "New carrier"
    assert {v.source for v in values} == {Measurement.Source.IMPORT}
    assert {v.entered_by for v in values} == {cast.quinn}
    record = Measurement.history.filter(id=values[0].id).get()
    assert record.history_user == cast.quinn
    assert record.history_change_reason == "Imported from values.csv"


def test_columns_may_come_in_any_order_and_case_with_a_bom(cast, objective):
    data = "\ufeffNote;VALUE;Period_End;Objective_Code\nok;90;2025-03-31;OBJ-07\n"
    result = run_import(cast, csv_file(data))
    assert result.created == 1
    assert Measurement.objects.get(objective=objective).note == "ok"


def test_xlsx_with_date_and_number_cells_imports(cast, objective):
    QualityObjective.objects.filter(pk=objective.pk).update(decimal_places=2)
    data = xlsx_file(
        [
            ["objective_code", "period_end", "value", "note"],
            # Excel date cells have no time zone.
            ["OBJ-07", datetime.datetime(2025, 1, 31), 93.25, None],  # noqa: DTZ001
            [None, None, None, None],  # blank rows in a sheet are skipped
            ["OBJ-07", "2025-02-28", round(100 / 3, 2), "formula result"],
        ]
    )
    result = run_import(cast, data, filename="values.xlsx")
    assert result.ok, result.errors
    values = list(Measurement.objects.filter(objective=objective).order_by("period_end"))
    assert [v.value for v in values] == [Decimal("93.25"), Decimal("33.33")]


def test_xlsx_errors_give_the_spreadsheet_row_number(cast, objective):
    data = xlsx_file(
        [
            ["objective_code", "period_end", "value"],
            ["OBJ-07", datetime.date(2025, 1, 31), 93],
            [None, None, None],
            ["OBJ-07", datetime.date(2025, 2, 28), "lots"],
        ]
    )
    assert_rejected(
        cast, data, 'Row 4: "lots" is not a number (use "." for decimals).', "values.xlsx"
    )


def test_a_correction_keeps_the_old_value_in_history(cast, objective):
    add_values(objective, {"2025-01-31": 90})
    result = run_import(cast, csv_file("objective_code,period_end,value\nOBJ-07,2025-01-31,91\n"))
    assert (result.created, result.updated) == (0, 1)
    measurement = Measurement.objects.get(objective=objective)
    assert measurement.value == Decimal("91")
    assert measurement.entered_by == cast.quinn
    versions = list(measurement.history.order_by("history_date", "history_id"))
    assert [v.value for v in versions] == [Decimal("90"), Decimal("91")]
    assert versions[-1].history_type == "~"
    assert versions[-1].history_change_reason == "Imported from values.csv"
    assert versions[-1].history_user == cast.quinn
    # The trail reads like any other record's: the change shows its before and after.
    delta = versions[-1].diff_against(versions[-1].prev_record)
    value_change = next(change for change in delta.changes if change.field == "value")
    assert (value_change.old, value_change.new) == (Decimal("90"), Decimal("91"))


def test_unchanged_rows_make_no_new_version(cast, objective):
    add_values(objective, {"2025-01-31": 90})
    before = history_count()
    result = run_import(cast, csv_file("objective_code,period_end,value\nOBJ-07,2025-01-31,90.0\n"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert history_count() == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("OBJ-99,2025-01-31,90", "Row 3: OBJ-99 is not an objective code of Acme Test Ltd."),
        ("OBJ-07,31/01/2025,90", 'Row 3: "31/01/2025" is not a date in the form YYYY-MM-DD.'),
        ("OBJ-07,2025-01-31,9O", 'Row 3: "9O" is not a number (use "." for decimals).'),
        ("OBJ-07,2025-01-31,", "Row 3: the value is empty."),
        (
            "OBJ-07,2025-02-15,90",
            "Row 3: period 2025-02-15 is not a period end for monthly objective OBJ-07 "
            "(did you mean 2025-02-28, February 2025?).",
        ),
        (
            "OBJ-07,2025-02-28,120",
            "Row 3: value 120 is above 100, the highest valid value for OBJ-07.",
        ),
        ("OBJ-07,2025-02-28,1e15", "Row 3: value 1E+15 is out of range."),
        (
            "OBJ-07,2023-12-31,90",
            "Row 3: period 2023-12-31 is before OBJ-07 started (on 1 Jan 2024).",
        ),
        (",2025-02-28,90", "Row 3: the objective code is empty."),
    ],
)
def test_a_bad_row_rejects_the_whole_file(cast, objective, row, message):
    text = f"objective_code,period_end,value\nOBJ-07,2025-01-31,90\n{row}\n"
    result = assert_rejected(cast, text, message)
    assert result.error_count == 1
    assert result.errors[0]["row"] == 3


def test_another_organisations_code_reads_like_an_unknown_one(cast, objective):
    make_objective(cast, code="OBJ-B1", org=cast.org_b)
    assert_rejected(
        cast,
        "objective_code,period_end,value\nOBJ-B1,2025-01-31,90\n",
        "Row 2: OBJ-B1 is not an objective code of Acme Test Ltd.",
    )


def test_a_period_twice_in_the_file_is_refused(cast, objective):
    assert_rejected(
        cast,
        "objective_code,period_end,value\nOBJ-07,2025-01-31,90\nOBJ-07,2025-01-31,91\n",
        "Row 3: OBJ-07 2025-01-31 is already in row 2 of the file.",
    )


def test_several_problems_of_a_row_are_one_message(cast, objective):
    assert_rejected(
        cast,
        "objective_code,period_end,value\nOBJ-07,soon,lots\n",
        'Row 2: "soon" is not a date in the form YYYY-MM-DD; '
        '"lots" is not a number (use "." for decimals).',
    )


def test_errors_are_capped_but_all_counted(cast, objective):
    rows = "".join(f"OBJ-99,2025-01-31,{n}\n" for n in range(250))
    result = assert_rejected(
        cast,
        "objective_code,period_end,value\n" + rows,
        "Row 2: OBJ-99 is not an objective code of Acme Test Ltd.",
    )
    assert result.error_count == 250
    assert len(result.errors) == 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("objective_code,period_end,value\n", "no rows below it"),
        ("objective_code,value\nOBJ-07,90\n", "The file has no period_end column."),
        ("code,date\nOBJ-07,90\n", "The file has no objective_code, period_end or value column."),
        ("\n\nobjective_code,period_end,value\n", "The first row of the file is empty."),
    ],
)
def test_file_level_problems_are_one_clear_error(cast, objective, text, message):
    result = run_import(cast, csv_file(text))
    assert result.error_count == 1
    assert result.errors[0]["row"] is None
    assert message in result.errors[0]["message"]


def test_a_non_utf8_csv_is_refused(cast, objective):
    data = csv_file(
        "objective_code,period_end,value,note\nOBJ-07,2025-01-31,90,Qualität\n", "cp1252"
    )
    assert_rejected(cast, data, "The file is not UTF-8 text. Save it as CSV UTF-8.")


def test_a_file_that_is_not_an_xlsx_is_refused(cast, objective):
    assert_rejected(
        cast,
        csv_file("objective_code,period_end,value\n"),
        "The file is not a valid Excel workbook (.xlsx). Save it as .xlsx or CSV UTF-8.",
        filename="values.xlsx",
    )


def test_a_zip_bomb_is_refused_before_opening(cast, objective, monkeypatch):
    monkeypatch.setattr("objectives.import_files.MAX_XLSX_UNCOMPRESSED_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", "0" * 5000)
    result = run_import(cast, buffer, filename="values.xlsx")
    assert "expands to more than" in result.errors[0]["message"]


def test_an_oversized_file_is_refused(cast, objective, monkeypatch):
    monkeypatch.setattr("objectives.import_files.MAX_FILE_BYTES", 50)
    assert_rejected(
        cast,
        "objective_code,period_end,value\nOBJ-07,2025-01-31,90\nOBJ-07,2025-02-28,90\n",
        "The file is larger than 0 MB. Split it into smaller files.",
    )


def test_too_many_rows_are_refused(cast, objective, monkeypatch):
    monkeypatch.setattr("objectives.import_files.MAX_ROWS", 2)
    text = "objective_code,period_end,value\n" + "OBJ-07,2025-01-31,90\n" * 3
    assert_rejected(cast, text, "The file has more than 2 rows. Split it into smaller files.")


def test_another_file_type_is_refused(cast, objective):
    with pytest.raises(ImportFileError, match=re.escape("Upload a .csv or .xlsx file.")):
        list(read_rows(csv_file("x"), "values.txt"))


def test_api_rows_validate_with_their_own_numbering(cast, objective):
    rows = [
        {"objective_code": "OBJ-07", "period_end": "2025-01-31", "value": "90", "note": ""},
        {"objective_code": "OBJ-07", "period_end": "2025-01-30", "value": "90", "note": ""},
    ]
    valid, errors, count = validate_rows(organization=cast.org_a, rows=enumerate(rows, start=1))
    assert len(valid) == 1 and count == 1
    assert errors[0]["message"].startswith("Row 2: period 2025-01-30 is not a period end")
    result = imports.measurements_write(
        organization=cast.org_a, rows=valid, user=cast.quinn, source=Measurement.Source.API
    )
    assert result.created == 1
    assert Measurement.objects.get().source == Measurement.Source.API


def test_rollups_are_queued_per_objective_once_committed(
    cast, objective, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "objectives.tasks.rollup_objective.apply_async",
        lambda args, **options: queued.append(tuple(args)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_import(
            cast,
            csv_file("objective_code,period_end,value\nOBJ-07,2025-02-28,1\nOBJ-07,2025-01-31,2\n"),
        )
    assert queued == [(objective.id, ["2025-01-31", "2025-02-28"])]


def test_many_objectives_queue_one_full_rollup(
    cast, objective, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("objectives.imports.MAX_OBJECTIVE_ROLLUPS", 1)
    make_objective(cast, code="OBJ-08")
    queued = []
    monkeypatch.setattr(
        "objectives.tasks.rollup_all.apply_async",
        lambda args, **options: queued.append(tuple(args)),
    )
    monkeypatch.setattr("objectives.tasks.rollup_objective.apply_async", lambda *a, **k: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(
            cast,
            csv_file("objective_code,period_end,value\nOBJ-07,2025-02-28,1\nOBJ-08,2025-01-31,2\n"),
        )
    assert queued == [(cast.org_a.id,)]


def test_five_thousand_rows_import_in_batches(cast, objective):
    objectives = [objective] + [make_objective(cast, code=f"OBJ-{n:02}") for n in range(10, 19)]
    # 500 months of history, all ended: the objectives started long ago.
    QualityObjective.objects.filter(pk__in=[o.pk for o in objectives]).update(
        start_date=datetime.date(1980, 1, 1)
    )
    ends = [datetime.date(1980, 1, 31)]
    while len(ends) < 500:
        ends.append(next_period_end("monthly", ends[-1]))
    lines = [f"{o.code},{e.isoformat()},{n % 100}" for o in objectives for n, e in enumerate(ends)]
    text = "objective_code,period_end,value\n" + "\n".join(lines) + "\n"
    progress = []
    result = measurements_import(
        organization=cast.org_a,
        rows=read_rows(csv_file(text), "big.csv"),
        user=cast.quinn,
        progress=progress.append,
    )
    assert result.created == 5000, result.errors[:3]
    assert progress == [2000, 4000, 5000]
    assert Measurement.objects.count() == 5000
