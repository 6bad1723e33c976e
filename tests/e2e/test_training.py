"""A quality manager records a training session, takes the register, evaluates its
effectiveness, and sees the competence matrix change, in a real browser on the demo."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _gaps(page) -> int:
    return int(page.get_by_test_id("gap-count").inner_text())


def _gap_list(page) -> str:
    return page.get_by_role("region", name="Gaps to close").inner_text()


def test_training_is_recorded_attended_evaluated_and_closes_a_gap(
    page, live_server, demo, screenshot
):
    # `screenshot` photographs this fixture page, so the test drives that one.
    matrix_url = f"{live_server.url}/o/acme/leadership/competence/"
    sign_in(page, live_server, "quality", "demo1234")

    page.goto(matrix_url)
    before = _gaps(page)
    assert "Carla Diaz: Measurement and calibration at level 1, 2 required by Contributor" in (
        _gap_list(page)
    )

    page.goto(f"{live_server.url}/o/acme/leadership/training/")
    page.get_by_role("link", name="Record a training session").click()
    page.get_by_label("Topic").fill("Gauge handling refresher")
    page.get_by_label("Competences").select_option(label="Measurement and calibration")
    page.get_by_label("Invitees").select_option(label="Carla Diaz (contributor)")
    page.get_by_label("Trainer").fill("Metrology Ltd")
    page.locator("#id_held_on").fill(timezone.localdate().isoformat())
    page.get_by_label("Duration (hours)").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Training recorded.")

    page.get_by_label("Carla Diaz").check()
    page.get_by_role("button", name="Save the register").click()
    expect(page.locator("body")).to_contain_text("Register saved: 1 attended.")

    evaluation = page.get_by_role("form", name="Evaluate Carla Diaz")
    evaluation.get_by_label("Result").select_option("effective")
    evaluation.get_by_label("Method").select_option("test")
    evaluation.get_by_label("Note").fill("Passed the gauge R&R test")
    evaluation.get_by_role("button", name="Save evaluation").click()
    saved = re.compile(r"Evaluation saved\. Carla Diaz.s competence record updated\.")
    expect(page.locator("body")).to_contain_text(saved)
    screenshot("training-evaluated")

    page.goto(matrix_url)
    assert _gaps(page) == before - 1
    assert "Carla Diaz: Measurement and calibration" not in _gap_list(page)
    screenshot("competence-matrix")
