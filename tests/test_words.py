"""Every word the product writes reads like a board paper, not a draft (issue 21).

The demo organisation is seeded once for the module, the reminders and the weekly digest are
run on it, and every page of the organisation (found by the security walk,
`tests.security.routes.discover`) is read as the quality manager and as the executive, with
every export they can download (dashboard CSVs, the board XLSX and PDF, the minutes PDF), the
API's lists, the evidence pack's CSVs and the e-mails the reminders sent. The text a person
reads fails on the marks of generated text seen before: a value with six decimals
("7.000000", "target 96.000000%"), a count that disagrees with its noun ("1 objectives"),
a doubled word ("Planned Planned"), ".." or ".;", "none" glued to a word ("noneitems"), an
internal id as a record's name in the audit trail ("Measurement created 16 2026-11-30"), and a
code where people read a label (`customer_complaint`, `investigating`) in a CSV cell.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
import zipfile
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.security.routes import DOWNLOAD_SUFFIXES, all_routes, discover, is_api
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

ORG_ROUTES, _ = all_routes()
READERS = {"quality_manager": "quality", "executive": "executive"}

# --- what reads like a draft -------------------------------------------------------------------

# A number with four or more decimals: no objective in the demo keeps more than three.
LONG_DECIMAL = re.compile(r"(?<![\w.:])\d[\d,]*\.\d{4,}(?![\d.])")
# Money or a value written without its thousands separator and with trailing zeros: "60700.00".
RAW_AMOUNT = re.compile(r"(?<![\w.,])\d{5,}\.\d+(?![\d.])")
# "1 objectives", "1 items": a count of one with a plural noun. Not "7.1 resources" (a clause).
ONE_PLURAL = re.compile(
    r"(?<![\w.,/:-])(?<![Ll]evel )(?<![Vv]ersion )(?<![Ss]tep )(?<![Rr]ound )(?<![Ss]tage )"
    r"1 ([a-z]{3,}s)\b"
)
SINGULAR_ENDING_IN_S = ("ss", "us", "is", "ics", "ews", "ies")  # process, status, analysis...
DOUBLED = re.compile(r"\b([A-Za-z]{3,})\s+\1\b", re.IGNORECASE)
PUNCTUATION = re.compile(r"(?<!\.)\.\.(?![./])|\.;|;\.|,\.|(?<!\bno)\.,")
NONE_GLUED = re.compile(r"\bnone(?!theless)([a-z]{2,})")
DOUBLE_S = re.compile(r"\b\w*(?:us|is)s\b")  # "statuss", "analysiss"
DOUBLE_S_WORDS = {"discuss", "miss", "dismiss", "swiss", "amiss", "kiss"}
RECORD_NAMED_BY_ID = re.compile(r"\b(?:created|changed|deleted) \d+ ")
# "Escalation | Escalation: ACT-0012 …": a badge, then a title that says the same word again.
LABEL_REPEATED = re.compile(r"\b([A-Z][a-z]{2,}) \| \1:")
# "(1 minor, 2 major, )", "(, 2 major)": a separator left over from a list of counts.
LEFT_OVER_SEPARATOR = re.compile(r"[,;]\s*\)|\(\s*[,;]|,\s*,")
# "“Agreed by the board.”.": a quotation's own stop, then the sentence's.
STOP_AFTER_QUOTED_STOP = re.compile(r"[.!?][\u201d\"\u2019]\.")
# "1 ofi": a stored abbreviation where people read "opportunity for improvement".
CODE_AS_WORD = re.compile(r"\b\d+ (?:ofis?|ncs?|nc_\w+)\b")
# "notification(s)": a count that did not decide its noun.
UNDECIDED_PLURAL = re.compile(r"[a-z]\((?:s|es)\)")
# An ISO date or week inside a sentence ("OBJ-04 (2026-10-31): …", "digest, 2026-W49"): prose
# writes dates as people read them ("31 Oct 2026"); a table cell of a date alone is data.
# Not a file's name ("matrix-at-end-2026-12-03.csv") nor an exact instant ("…T16:45:24Z").
ISO_DAY = re.compile(r"(?<![\w/-])20\d\d-(?:[01]\d-[0-3]\d|W\d\d)(?![\w-]|\.\w)")
# In a text whose elements run together (a PDF), only where a sentence clearly holds the date.
ISO_DAY_IN_SENTENCE = re.compile(
    r"(?:\(|, |\b(?:on|by|due|since|until|from|to) )(?:20\d\d-[01]\d-[0-3]\d|20\d\d-W\d\d)"
    r"|(?:20\d\d-[01]\d-[0-3]\d|20\d\d-W\d\d)[);:]"
)


def draft_marks(text: str, *, elements_apart: bool = True, spreadsheet: bool = False) -> list[str]:
    """The marks of generated text in `text`, each with a little of its context. A PDF's text
    runs its table cells together ("Closed Closed on time"), so there doubled words are not
    looked for (`elements_apart=False`); a spreadsheet's numbers are for computing, written
    without thousands separators (`spreadsheet=True`)."""
    marks = []

    def add(match: re.Match, why: str) -> None:
        start, end = max(match.start() - 40, 0), match.end() + 30
        marks.append(f"{why}: …{text[start:end]}…")

    for match in LONG_DECIMAL.finditer(text):
        add(match, "long decimal")
    for match in RAW_AMOUNT.finditer("" if spreadsheet else text):
        add(match, "unformatted amount")
    for match in ONE_PLURAL.finditer(text):
        if not match.group(1).endswith(SINGULAR_ENDING_IN_S):
            add(match, "1 with a plural")
    for match in DOUBLED.finditer(text if elements_apart else ""):  # within one element
        add(match, "doubled word")
    for match in PUNCTUATION.finditer(text):
        add(match, "doubled punctuation")
    for match in NONE_GLUED.finditer(text):
        add(match, "none glued to a word")
    for match in DOUBLE_S.finditer(text):
        if match.group(0).lower() not in DOUBLE_S_WORDS:
            add(match, "doubled s")
    for match in RECORD_NAMED_BY_ID.finditer(text):
        add(match, "record named by its id")
    for match in LABEL_REPEATED.finditer(text):
        add(match, "label said twice")
    for match in LEFT_OVER_SEPARATOR.finditer(text):
        add(match, "separator left over")
    for match in STOP_AFTER_QUOTED_STOP.finditer(text):
        add(match, "doubled stop after a quotation")
    for match in CODE_AS_WORD.finditer(text):
        add(match, "abbreviation where a label belongs")
    for match in UNDECIDED_PLURAL.finditer(text):
        add(match, "undecided plural")
    if not spreadsheet:
        for match in iso_days_in_prose(text, elements_apart=elements_apart):
            add(match, "ISO date in a sentence")
    return marks


def iso_days_in_prose(text: str, *, elements_apart: bool) -> list[re.Match]:
    """ISO dates written inside a sentence. With the elements apart ("|" between them), an
    element that holds a date and words is a sentence; a cell of a date alone is not."""
    if not elements_apart:
        return list(ISO_DAY_IN_SENTENCE.finditer(text))
    found = []
    for element in re.finditer(r"[^|]+", text):
        words = ISO_DAY.sub("", element.group(0))
        if re.search(r"[A-Za-z]{3,}", words):
            found += list(ISO_DAY.finditer(text, element.start(), element.end()))
    return found


_HIDDEN = re.compile(r"<(script|style|template|textarea)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
# Phrasing elements run on in the sentence around them; every other element is its own text
# (a table cell, a list item, a menu entry), so "Audit" beside "Audit readiness" is no doubling.
_INLINE_TAG = re.compile(r"</?(?:strong|em|b|i|code|abbr|small|time|mark|sub|sup|a)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def page_text(content: str) -> str:
    """What a person reads on a page: the text between the tags (not scripts, not the text of
    an edit field, which is what they typed), each element's text apart ("|" between them)."""
    content = _HIDDEN.sub(" ", content)
    content = _INLINE_TAG.sub("", content)
    content = _TAG.sub(" | ", content)
    content = re.sub(r"\s+", " ", html.unescape(content))
    return re.sub(r"(?:\s*\|\s*)+", " | ", content)


def pdf_text(content: bytes) -> str:
    return re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    )


def choice_codes() -> set[str]:
    """Every stored code of a choice field of our apps whose label says something else
    ("customer_complaint" → "Customer complaint", "investigating" → "Under investigation")."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith(("qms.", "objectives.", "leadership.", "reviews.")):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if (
                    isinstance(value, str)
                    and value
                    and not value.isdigit()
                    and ("_" in value or value.lower() != str(label).lower())
                ):
                    codes.add(value)
    return codes


def coded_cells(rows: list[list[str]], codes: set[str]) -> list[str]:
    """Cells holding a code (snake_case, or a choice's stored value) where a label belongs,
    once per column and code: "Status: investigating"."""
    header, found = rows[0] if rows else [], {}
    for row in rows[1:]:
        for index, cell in enumerate(row):
            if cell and (cell in codes or re.fullmatch(r"[a-z]+(?:_[a-z0-9]+)+", cell)):
                column = header[index] if index < len(header) else str(index)
                found.setdefault(f"{column}: {cell}", None)
    return list(found)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def cells_text(rows: list[list[str]]) -> str:
    """The cells of a sheet as one text, each cell (and each line in a cell) apart."""
    return " | ".join(cell.replace("\n", " | ") for row in rows for cell in row)


# --- the walk ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The seeded demo after a reminder run and the weekly digest, the e-mails they sent, and
    a real path for every route the quality manager and the executive reach."""
    from qms.core.notifications.services import digest_run, reminders_run

    with demo_for_module(django_db_blocker) as context:
        today = timezone.localdate()
        with django_db_blocker.unblock():
            mail.outbox = []
            reminders_run(today=today, raise_errors=False)
            monday = today - datetime.timedelta(days=today.weekday())
            digest_run(today=monday)
            emails = [(m.subject, m.body) for m in mail.outbox]
            users = {role: context.members[who].user for role, who in READERS.items()}
            _one_finished_import(context.organization, users["quality_manager"])
            client, found, read = Client(), {}, set()
            for role in READERS:
                client.force_login(users[role])
                discover(client, context.organization.slug, ORG_ROUTES, found=found, read=read)
            more = _every_review_and_objective(context.organization)
        yield SimpleNamespace(
            organization=context.organization, users=users, found=found, emails=emails, more=more
        )


def _one_finished_import(organization, user) -> None:
    """One import in the list of recent imports: its caption counted "the last 1 imports"."""
    from django.core.files.base import ContentFile

    from objectives.models import MeasurementImport

    job = MeasurementImport(
        organization=organization, uploaded_by=user, original_name="values.csv", total_rows=1,
        processed_rows=1, created_count=1, state=MeasurementImport.State.DONE,
    )  # fmt: skip
    job.file.save("values.csv", ContentFile(b"objective_code,period_end,value\n"), save=False)
    job.save()


def _every_review_and_objective(organization) -> list[str]:
    """The walk reads one record of each kind; the sentences of a review's agenda and of an
    objective's forecast depend on its data, so every one is read (the held reviews too)."""
    from objectives.models import QualityObjective
    from reviews.models import ManagementReview

    slug = organization.slug
    reviews = ManagementReview.objects.filter(organization=organization)
    objectives = QualityObjective.objects.for_organization(organization)
    return [
        *(f"/o/{slug}/reviews/{r.number}/" for r in reviews),
        *(f"/o/{slug}/reviews/{r.number}/print/" for r in reviews),
        *(f"/o/{slug}/reviews/{r.number}/minutes.pdf" for r in reviews if r.is_locked),
        *(f"/o/{slug}/objectives/{o.code}/" for o in objectives),
    ]


def _pages(demo) -> list[str]:
    return sorted(
        {
            path
            for route, path in demo.found.items()
            if not is_api(route) and not path.endswith(DOWNLOAD_SUFFIXES)
        }
        | {p for p in demo.more if not p.endswith(DOWNLOAD_SUFFIXES)}
    )


def test_the_walk_reads_the_pages_that_show_figures(demo):
    pages = _pages(demo)
    slug = demo.organization.slug
    for page in ("dashboard/", "objectives/", "reviews/", "audit-trail/"):
        assert f"/o/{slug}/{page}" in pages
    assert any("/reviews/" in p and p.rstrip("/").split("/")[-1].isdigit() for p in pages)
    assert len(pages) > 60


@pytest.mark.parametrize("role", list(READERS))
def test_no_page_reads_like_a_draft(client, demo, role):
    client.force_login(demo.users[role])
    marks = []
    for path in _pages(demo):
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        marks += [f"{path}: {m}" for m in draft_marks(page_text(response.content.decode()))]
    assert not marks, "\n".join(marks)


def _downloads(demo) -> list[str]:
    slug = demo.organization.slug
    found = [p for r, p in demo.found.items() if not is_api(r) and p.endswith((".pdf", ".xlsx"))]
    found += [p for p in demo.more if p.endswith(".pdf")]  # every review's signed minutes
    return sorted(
        set(found)
        | {f"/o/{slug}/dashboard/board.pdf", f"/o/{slug}/dashboard/tables.xlsx"}
        | {
            f"/o/{slug}/dashboard/{t}.csv"
            for t in ("objectives", "kpi-trends", "reviews", "action-closure", "open-actions",
                      "accountability", "pulse-survey")
        }
    )  # fmt: skip


@pytest.mark.parametrize("role", list(READERS))
def test_no_export_reads_like_a_draft(client, demo, role):
    client.force_login(demo.users[role])
    codes = choice_codes()
    marks = []
    for path in _downloads(demo):
        response = client.get(path)
        assert response.status_code == 200, path
        if path.endswith(".pdf"):
            text = pdf_text(response.content)
            marks += [f"{path}: {m}" for m in draft_marks(text, elements_apart=False)]
        elif path.endswith(".csv"):
            rows = csv_rows(response.content)
            marks += [f"{path}: {m}" for m in draft_marks(cells_text(rows), spreadsheet=True)]
            marks += [f"{path}: code {c}" for c in coded_cells(rows, codes)]
        elif path.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(response.content))
            for sheet in book.worksheets:
                rows = [["" if c is None else str(c) for c in r] for r in sheet.values]
                texts = cells_text([[c for c in r if isinstance(c, str)] for r in sheet.values])
                marks += [
                    f"{path} {sheet.title}: {m}" for m in draft_marks(texts, spreadsheet=True)
                ]
                marks += [f"{path} {sheet.title}: code {c}" for c in coded_cells(rows, codes)]
    assert not marks, "\n".join(marks)


def test_the_evidence_packs_csvs_carry_labels_and_read_like_a_report(demo, tmp_path, settings):
    from qms.evidence import builder
    from qms.evidence.sections import Scope

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    today = timezone.localdate()
    scope = Scope(demo.organization, None, today - datetime.timedelta(days=3 * 365), today)
    built = builder.build(scope, tmp_path / "pack.zip", created_by="Test")
    codes = choice_codes()
    marks = []
    with zipfile.ZipFile(built.path) as archive:
        for name in archive.namelist():
            if name.endswith(".csv"):
                rows = csv_rows(archive.read(name))
                marks += [f"{name}: code {c}" for c in coded_cells(rows, codes)]
                marks += [f"{name}: {m}" for m in draft_marks(cells_text(rows), spreadsheet=True)]
            elif name.endswith((".html", ".md")):
                text = archive.read(name).decode()
                marks += [f"{name}: {m}" for m in draft_marks(page_text(text))]
    assert not marks, "\n".join(marks)


def test_no_e_mail_reads_like_a_draft(demo):
    assert demo.emails  # the demo has overdue actions and a digest to send
    marks = [
        f"{subject}: {m}"
        for subject, body in demo.emails
        for m in draft_marks(f"{subject} | {body}")
    ]
    assert not marks, "\n".join(marks)


PADDED = re.compile(r'"-?\d+\.\d*0"')  # "8.400000", "96.0": a value padded with zeros


def test_the_api_writes_values_exactly_without_padding_zeros(client, demo):
    """The API keeps every value exact (a client that reads and writes back loses nothing), so
    it is not rounded to the objective's decimals, but it is not padded either: "8.4", not
    "8.400000". Each objective carries its `decimal_places` for display."""
    client.force_login(demo.users["quality_manager"])
    slug = demo.organization.slug
    padded = []
    for path in ("objectives/", "measurements/?objective=OBJ-01", "rollups/?objective=OBJ-01"):
        response = client.get(f"/api/v1/organizations/{slug}/{path}")
        assert response.status_code == 200, path
        body = response.content.decode()
        assert '"value"' in body or '"target"' in body
        padded += [f"{path}: {m}" for m in PADDED.findall(body)]
    assert not padded, "\n".join(padded)


def test_every_audited_record_is_named_by_what_people_call_it(demo):
    from qms.core.audit import audited_models

    named_by_id = []
    for model in audited_models():
        for record in model._base_manager.all()[:20]:
            name = str(record)
            # "16 2026-11-30": an id first; a clause ("9.3.2 c 1") or an amount is a name.
            if re.match(r"\d+ ", name) or re.search(r"object \(\d+\)|#\d+", name):
                named_by_id.append(f"{model.__name__}: {name}")
    assert not named_by_id, "\n".join(named_by_id)


def test_the_words_checks_catch_the_drafts_seen_before():
    seen = (
        "7.000000", "60700.00 GBP", "target 96.000000%", "noneitems", "3 statuss",
        "1 objectives", "1 items", "Planned Planned", "Escalation Escalation:", "done..",
        "done.; next", "Measurement created 16 2026-11-30",
        "Escalation | Escalation: ACT-0012 is 92 days overdue", "The last 1 imports",
        "(1 minor, 2 major, )", "Signed off: “Agreed by the board.”.", "(1 major, 1 ofi)",
        "OBJ-04 (2026-10-31): a late supplier", "3 notification(s) created",
        "Your weekly QMS digest, 2026-W49", "Measurement and calibration, 2027-01-02; next",
    )  # fmt: skip
    assert [s for s in seen if not draft_marks(s)] == []
    fine = (
        "7.1 resources", "1 process", "1 status", "96.4%", "60,700.00 GBP", "Wait…",
        "1 objective", "Planned", "ISO 9001:2015", "nonetheless", "v1.2.3", "…",
        "at 10:21:08.052886Z", "Calibration level 1 expires", "Audit | Audit readiness",
        "Signed off: “Agreed by the board.”", "(1 minor, 2 major)", "OBJ-04 | 2026-10-31 | 93%",
        "1 opportunity for improvement", "Urgent | ACT-0012 is 92 days overdue",
        "CNC setting (ISO 9001), 2 Jan 2027.",
    )  # fmt: skip
    assert [s for s in fine if draft_marks(s)] == []


def test_no_notification_title_starts_with_its_kind(demo):
    """The list names each notification's kind beside its date; a title that starts with it
    ("Corrective action proposed: OBJ-06 off track" beside "Corrective action proposed") said
    it twice."""
    from qms.core.notifications.models import Notification

    notifications = Notification.objects.filter(organization=demo.organization)
    assert notifications.exists()
    repeated = [
        f"{n.kind_label} | {n.title}"
        for n in notifications
        if n.title.lower().startswith(f"{n.kind_label.lower()}:")
    ]
    assert not repeated, "\n".join(repeated)
