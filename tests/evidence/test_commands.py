"""manage.py export_evidence_pack and verify_evidence_pack, as an administrator runs them."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.evidence.factories import objective_with_values

pytestmark = pytest.mark.django_db


def test_export_writes_a_pack_that_verifies(cast, tmp_path, capsys):
    objective_with_values(cast)
    out = tmp_path / "pack.zip"
    args = ["--org", "acme-test", "--from", "2025-01-01", "--to", "2025-12-31"]
    call_command("export_evidence_pack", *args, "--out", str(out), verbosity=0)
    assert f"Wrote {out}" in capsys.readouterr().out
    call_command("verify_evidence_pack", str(out))
    assert "PACK VERIFIED" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--org", "nope", "--from", "2025-01-01", "--to", "2025-12-31"], "No organisation"),
        (["--org", "acme-test", "--from", "2025-13-01", "--to", "2025-12-31"], "is not a date"),
        (["--org", "acme-test", "--from", "2025-12-31", "--to", "2025-01-01"], "comes after"),
        (["--org", "acme-test", "--from", "2025-01-01", "--to", "2025-12-31", "--unit", "ZZ"],
         "No unit"),
    ],
)  # fmt: skip
def test_export_refuses_bad_arguments_with_a_sentence(cast, tmp_path, args, message):
    out = tmp_path / "pack.zip"
    with pytest.raises(CommandError, match=message):
        call_command("export_evidence_pack", *args, "--out", str(out), verbosity=0)
    assert not out.exists()
