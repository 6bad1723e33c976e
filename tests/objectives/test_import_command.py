"""`manage.py import_measurements`: the same rules as the upload page, from a shell."""

import io

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from objectives.models import Measurement
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(cast):
    return make_objective(cast, code="OBJ-07")


def write(tmp_path, text, name="values.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_measurements", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_and_prints_a_summary(cast, objective, tmp_path):
    add_values(objective, {"2025-01-31": 80})
    path = write(
        tmp_path,
        "objective_code,period_end,value\nOBJ-07,2025-01-31,81\nOBJ-07,2025-02-28,82\n",
    )
    out, err = run(path, "--org", "acme-test", "--user", "quinn")
    assert out.strip() == "Imported 2 values: 1 new, 1 correction."
    assert err == ""
    assert set(Measurement.objects.values_list("value", "entered_by__username")) == {
        (81, "quinn"),
        (82, "quinn"),
    }


def test_without_a_user_values_are_entered_by_nobody(cast, objective, tmp_path):
    path = write(tmp_path, "objective_code,period_end,value\nOBJ-07,2025-01-31,81\n")
    run(path, "--org", "acme-test")
    assert Measurement.objects.get().entered_by is None


def test_a_rejected_file_prints_the_row_errors_and_fails(cast, objective, tmp_path):
    path = write(
        tmp_path,
        "objective_code,period_end,value\nOBJ-07,2025-01-31,81\nOBJ-99,2025-02-28,82\n",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 problem\. Nothing was imported\."):
        call_command("import_measurements", path, "--org", "acme-test", stderr=err)
    assert "Row 3: OBJ-99 is not an objective code of Acme Test Ltd." in err.getvalue()
    assert Measurement.objects.count() == 0


def test_an_unknown_organisation_is_a_clear_error(cast, tmp_path):
    path = write(tmp_path, "objective_code,period_end,value\n")
    with pytest.raises(CommandError, match="No organisation with slug 'nope'"):
        run(path, "--org", "nope")


def test_a_user_outside_the_organisation_is_refused(cast, objective, tmp_path):
    path = write(tmp_path, "objective_code,period_end,value\nOBJ-07,2025-01-31,81\n")
    with pytest.raises(CommandError, match=r"'bob' is not a member of Acme Test Ltd\."):
        run(path, "--org", "acme-test", "--user", "bob")
    assert Measurement.objects.count() == 0


def test_a_missing_file_is_a_clear_error(cast, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        run(str(tmp_path / "nope.csv"), "--org", "acme-test")


def test_the_exit_status_is_non_zero_on_rejection(cast, objective, tmp_path, capsys):
    """As run from a shell (manage.py's own entry point): a script or CI job sees the failure."""
    path = write(tmp_path, "objective_code\nOBJ-07\n")
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(
            ["manage.py", "import_measurements", path, "--org", "acme-test"]
        ).execute()
    assert exit_info.value.code == 1
    assert "The file has no period_end or value column." in capsys.readouterr().err


def test_the_exit_status_is_zero_on_success(cast, objective, tmp_path, capsys):
    path = write(tmp_path, "objective_code,period_end,value\nOBJ-07,2025-01-31,81\n")
    ManagementUtility(["manage.py", "import_measurements", path, "--org", "acme-test"]).execute()
    assert "Imported 1 value: 1 new, 0 corrections." in capsys.readouterr().out
