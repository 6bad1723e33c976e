"""The agenda's sentences of counts read as a person writes them, and their numbers add up:
audit findings and nonconformities open at the start, raised, closed and open at the end;
every kind of customer feedback in the total; kinds by the label people read; no separator
left over when the last kind has none; dates as the pages write them."""

import datetime
import html as html_text
import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from reviews import selectors
from tests.reviews.factories import make_feedback, make_finding

pytestmark = pytest.mark.django_db

D = datetime.date
Q1 = {"start": D(2026, 1, 1), "end": D(2026, 3, 31)}


def _text(key: str, data: dict) -> str:
    html = render_to_string(
        "reviews/_input_data.html",
        {"i": SimpleNamespace(key=key, data=data), "current_membership": None},
    )
    return html_text.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip())


def test_audit_results_say_open_at_start_raised_closed_and_open_at_end_consistently(cast):
    # Open since last year: one closed in the period, one still open.
    last_year = {"audit_reference": "IA-2025-04", "audit_date": D(2025, 11, 1)}
    make_finding(cast, **last_year, finding_type="minor", status="closed", closed_on=D(2026, 1, 9))
    make_finding(cast, **last_year, finding_type="major")
    # Raised in the period: a major nonconformity (open) and an OFI (closed).
    march = {"audit_reference": "CB-2026", "audit_date": D(2026, 3, 10)}
    make_finding(cast, **march, finding_type="major")
    make_finding(cast, **march, finding_type="ofi", status="closed", closed_on=D(2026, 3, 12))

    summary = selectors.audit_findings_summary(organization=cast.org_a, **Q1)
    assert (summary.open_at_start, summary.raised, summary.closed, summary.open_at_end) == (
        2,
        2,
        2,
        2,
    )
    text = _text("c_audits", selectors_plain(summary))
    assert text == (
        "Findings open at the start of the period: 2. Raised in the period: 2 from 1 audit "
        "(1 major nonconformity, 1 opportunity for improvement). Closed in the period: 2. "
        "Open at the end of the period: 2, of which 2 nonconformities."
    )


def test_an_agenda_frozen_before_open_at_start_was_kept_gives_it_from_the_other_numbers():
    frozen = {"audits": 1, "raised": 3, "closed": 3, "open_at_end": 3, "audits_kinds": {},
              "by_type": {"major": 1, "minor": 1, "observation": 0, "ofi": 1},
              "open_nonconformities_at_end": 2}  # fmt: skip
    text = _text("c_audits", frozen)
    assert "Findings open at the start of the period: 3. Raised in the period: 3 from 1 audit" in (
        text
    )
    assert "(1 major nonconformity, 1 minor nonconformity, 1 opportunity for improvement)" in text
    assert "ofi" not in text


def test_nonconformities_leave_no_separator_when_the_last_severity_has_none():
    frozen = {"raised": 3, "by_severity": {"minor": 1, "major": 2, "critical": 0},
              "by_source": {}, "closed": 2, "open_at_end": 4, "open_at_start": 3,
              "open_major_at_end": 2, "closed_effective": 1, "closed_not_effective": 0,
              "closed_unverified": 1}  # fmt: skip
    text = _text("c_nonconformities", frozen)
    assert "Raised in the period: 3 (1 minor, 2 major). " in text
    assert "Open at the start of the period: 3." in text
    assert "Open at the end of the period: 4, of which 2 major or critical." in text
    assert ", )" not in text


def test_customer_feedback_counts_every_kind_in_its_total(cast):
    make_feedback(cast, received_on=D(2026, 1, 5))
    make_feedback(cast, received_on=D(2026, 2, 6), feedback_type="compliment")
    for day, score in ((D(2026, 1, 31), "8"), (D(2026, 2, 28), "8.6")):
        make_feedback(cast, received_on=day, feedback_type="survey_score", score=score)

    summary = selectors.customer_feedback_summary(organization=cast.org_a, **Q1)
    assert sum(summary.by_type.values()) == summary.received == 4
    text = _text("c_customers", selectors_plain(summary))
    assert text == (
        "4 pieces of feedback received in the period: 1 complaint, 1 compliment, "
        "2 survey scores (mean 8.3 out of 10)."
    )


def test_external_providers_read_as_a_sentence():
    frozen = {"evaluations": 4, "by_status": {"approved": 2, "conditional": 1, "disqualified": 1},
              "mean_overall_score": "81.63", "conditional_providers": ["Castings & Co."],
              "disqualified_providers": ["QuickFreight Logistics"]}  # fmt: skip
    text = _text("c_providers", frozen)
    assert text == (
        "4 evaluations of external providers in the period: 2 approved, 1 approved with "
        "conditions, 1 disqualified; mean score 81.6 out of 100. Approved with conditions at "
        "the end of the period: Castings & Co. Disqualified at the end of the period: "
        "QuickFreight Logistics."
    )


def test_off_track_periods_and_expiring_competences_are_dated_as_the_pages_write_dates():
    objectives = {"counts": {}, "objectives": [], "locked_corrections": [],
                  "arrived_after_review": [],
                  "off_track": [{"code": "OBJ-04", "period_end": "2026-10-31",
                                 "explanation": "Late supplier.", "next_step": "",
                                 "decision": "Corrective action proposed", "action": "",
                                 "dismissal_reason": ""}]}  # fmt: skip
    assert "OBJ-04 (31 Oct 2026): Late supplier." in _text("c_objectives", objectives)
    resources = {"totals": [], "pending_requests": 0, "competence_expiring_count": 1,
                 "competence_expiring": [{"member": "Carla Diaz", "competence": "Calibration",
                                          "expires_on": "2027-01-02"}]}  # fmt: skip
    assert "Carla Diaz: Calibration, 2 Jan 2027." in _text("d_resources", resources)


def test_a_competence_gap_says_which_number_is_held_and_which_required():
    """It read "Measurement and calibration 1 of 2"."""
    resources = {"totals": [], "pending_requests": 0, "competence_gap_count": 1,
                 "competence_gaps": [{"member": "Carla Diaz", "competence": "Calibration",
                                      "held": 1, "required": 2}]}  # fmt: skip
    text = _text("d_resources", resources)
    assert "Carla Diaz: Calibration at level 1, level 2 required." in text


def selectors_plain(summary) -> dict:
    from reviews.agenda import plain

    return plain(summary)
