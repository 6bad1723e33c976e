"""Importing the review registers: a good file creates every row; one bad row rejects the file."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ProviderEvaluation
from tests.reviews.factories import make_nc

pytestmark = pytest.mark.django_db


def _post(client, key, body: str):
    upload = io.BytesIO(body.encode("utf-8"))
    upload.name = f"{key}.csv"
    return client.post(reverse(f"registers:{key}-import", args=["acme-test"]), {"file": upload})


NC_HEADER = (
    "title,source,detected_on,severity,owner,unit_code,status,closed_on,effective,"
    "verified_by,verified_on\n"
)
NC_GOOD = "Burr on flange,internal,2026-01-10,minor,carl,A1,,,,,\n"


def test_nonconformity_import_creates_every_row_with_members_and_units(client, cast):
    client.force_login(cast.quinn)
    body = (
        NC_HEADER
        + NC_GOOD
        + (
            "Wrong connector,Customer complaint,2026-01-12,Major,alice@example.test,A,"
            "closed,2026-02-01,yes,quinn,2026-03-01\n"
        )
    )
    response = _post(client, "nonconformities", body)
    assert response.status_code == 302
    first, second = Nonconformity.objects.order_by("number")
    assert (first.reference, first.owner.user.username, first.org_unit.code) == (
        "NC-001",
        "carl",
        "A1",
    )
    assert (first.status, first.effective) == ("open", None)
    assert (second.source, second.severity, second.status) == (
        "customer_complaint",
        "major",
        "closed",
    )
    assert (second.effective, second.verified_by.user.username) == (True, "quinn")


def test_only_the_quality_team_imports_nonconformities(client, cast):
    # Staff report nonconformities one by one; a file of them is the quality team's work.
    for user in (cast.audrey, cast.carl):
        client.force_login(user)
        assert _post(client, "nonconformities", NC_HEADER + NC_GOOD).status_code == 403
    assert not Nonconformity.objects.exists()
    client.force_login(cast.quinn)
    assert _post(client, "nonconformities", NC_HEADER + NC_GOOD).status_code == 302
    assert Nonconformity.objects.count() == 1


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "X,internal,10/01/2026,minor,,,,,,,",
            "Row 3: detected_on: &quot;10/01/2026&quot; is not a date",
        ),
        ("X,internal,2026-01-10,huge,,,,,,,", "Row 3: severity: Select a valid choice"),
        (
            "X,internal,2026-01-10,minor,nobody,,,,,,",
            "Row 3: owner: nobody is not a current member",
        ),
        ("X,internal,2026-01-10,minor,bob,,,,,,", "Row 3: owner: bob is not a current member"),
        ("X,internal,2026-01-10,minor,,B,,,,,", "Row 3: unit_code: B is not an org unit code"),
        (
            "X,internal,2026-01-10,minor,,,closed,,,,",
            "Row 3: closed_on: Say when the nonconformity",
        ),
        (
            "X,internal,2026-01-10,minor,,,closed,2026-02-01,yes,,2026-03-01",
            "Row 3: verified_by: Say who",
        ),
        (
            "X,internal,2026-01-10,minor,,,,,maybe,,",
            "Row 3: effective: &quot;maybe&quot; is not yes or no",
        ),
    ],
)
def test_one_bad_nonconformity_row_rejects_the_whole_file(client, cast, row, message):
    client.force_login(cast.quinn)
    response = _post(client, "nonconformities", NC_HEADER + NC_GOOD + row + "\n")
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text
    assert "Nothing was imported" in text
    assert not Nonconformity.objects.exists()


AF_HEADER = "title,audit_kind,audit_reference,audit_date,finding_type,clause,status,closed_on\n"
AF_GOOD = "Gauge overdue,internal,IA-2026-03,2026-03-10,minor,7.1.5,,\n"


def test_audit_finding_import_creates_every_row(client, cast):
    client.force_login(cast.quinn)
    body = (
        AF_HEADER
        + AF_GOOD
        + (
            "No effectiveness checks,External / certification,CB-2026,2026-03-20,"
            "Major nonconformity,10.2.1,closed,2026-04-30\n"
        )
    )
    assert _post(client, "audit-findings", body).status_code == 302
    first, second = AuditFinding.objects.order_by("number")
    assert (first.reference, first.finding_type, first.status) == ("AF-001", "minor", "open")
    assert (second.audit_kind, second.finding_type, second.status) == (
        "certification",
        "major",
        "closed",
    )


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "X,internal,IA-1,2026-31-01,minor,,,",
            "Row 3: audit_date: &quot;2026-31-01&quot; is not a date",
        ),
        ("X,internal,IA-1,2026-03-10,serious,,,", "Row 3: finding_type: Select a valid choice"),
        ("X,internal,IA-1,2026-03-10,minor,seven,,", "Row 3: clause: Write the clause as numbers"),
        (
            "X,internal,IA-1,2026-03-10,minor,,closed,2026-03-01",
            "Row 3: closed_on: The finding cannot",
        ),
    ],
)
def test_one_bad_finding_row_rejects_the_whole_file(client, cast, row, message):
    client.force_login(cast.quinn)
    response = _post(client, "audit-findings", AF_HEADER + AF_GOOD + row + "\n")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditFinding.objects.exists()


CF_HEADER = (
    "title,received_on,customer,channel,feedback_type,score,nonconformity_reference,status\n"
)
CF_GOOD = "Survey Q1,2026-03-31,Hydra Systems,survey,Survey score,8.5,,\n"


def test_feedback_import_links_complaints_to_nonconformities_by_reference(client, cast):
    make_nc(cast)  # NC-001
    ours = make_nc(cast, title="Scratched shafts")  # NC-002
    client.force_login(cast.quinn)
    body = CF_HEADER + CF_GOOD + "Scratches,2026-02-01,Vale Ltd,phone,complaint,,nc-002,answered\n"
    assert _post(client, "customer-feedback", body).status_code == 302
    survey, complaint = CustomerFeedback.objects.order_by("number")
    assert (survey.reference, survey.score, survey.nonconformity) == (
        "CF-001",
        Decimal("8.5"),
        None,
    )
    assert (complaint.nonconformity, complaint.status) == (ours, "answered")


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "X,2026-02-01,V,phone,complaint,,NC-001,",
            "Row 3: nonconformity_reference: NC-001 is not a nonconformity of this organisation",
        ),
        ("X,2026-02-01,V,phone,complaint,,NC-1x,", "Row 3: nonconformity_reference: NC-1x is not"),
        ("X,2026-02-01,V,email,compliment,9,,", "Row 3: score: Only a survey score has a score"),
        ("X,2026-02-01,V,email,survey_score,,,", "Row 3: score: Give the survey score"),
        ("X,2026-02-01,V,email,survey_score,12,,", "Row 3: score: Ensure this value is less than"),
        ("X,2026-02-01,V,fax,complaint,,,", "Row 3: channel: Select a valid choice"),
        (
            "X,yesterday,V,email,complaint,,,",
            "Row 3: received_on: &quot;yesterday&quot; is not a date",
        ),
    ],
)
def test_one_bad_feedback_row_rejects_the_whole_file(client, cast, row, message):
    make_nc(cast, org=cast.org_b)  # NC-001 exists, but in the other organisation
    client.force_login(cast.quinn)
    response = _post(client, "customer-feedback", CF_HEADER + CF_GOOD + row + "\n")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert not CustomerFeedback.objects.exists()


PE_HEADER = (
    "provider,period_start,period_end,quality_score,delivery_score,status,evaluated_on,"
    "evaluated_by\n"
)
PE_GOOD = "Castings & Co,2025-07-01,2025-12-31,92,85,approved,2026-01-15,quinn\n"


def test_provider_evaluation_import_creates_every_row(client, cast):
    client.force_login(cast.quinn)
    body = (
        PE_HEADER
        + PE_GOOD
        + ("QuickFreight,2025-07-01,2025-12-31,60,55,Disqualified,2026-01-20,\n")
    )
    assert _post(client, "provider-evaluations", body).status_code == 302
    first, second = ProviderEvaluation.objects.order_by("number")
    assert (first.reference, first.evaluated_by.user.username) == ("PE-001", "quinn")
    assert (str(first.overall_score), second.status) == ("88.50", "disqualified")


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "P,2026-01-01,2025-12-31,92,85,approved,2026-01-15,",
            "Row 3: period_end: The period cannot end",
        ),
        (
            "P,2025-07-01,2025-12-31,120,85,approved,2026-01-15,",
            "Row 3: quality_score: Ensure this value",
        ),
        (
            "P,2025-07-01,2025-12-31,92,85,banned,2026-01-15,",
            "Row 3: status: Select a valid choice",
        ),
        (
            "P,2025-07-01,2025-12-31,92,85,approved,2026-01-15,audrey",
            "Row 3: evaluated_by: audrey is not",
        ),
    ],
)
def test_one_bad_evaluation_row_rejects_the_whole_file(client, cast, row, message):
    client.force_login(cast.quinn)
    response = _post(client, "provider-evaluations", PE_HEADER + PE_GOOD + row + "\n")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProviderEvaluation.objects.exists()


@pytest.mark.parametrize(
    "key, header",
    [
        ("nonconformities", "title,source,detected_on,severity,description,unit_code"),
        ("customer-feedback", "title,received_on,customer,channel,feedback_type,score"),
        ("provider-evaluations", "provider,period_start,period_end,quality_score"),
        ("audit-findings", "title,audit_kind,audit_reference,audit_date,finding_type"),
    ],
)
def test_template_lists_the_import_columns(client, cast, key, header):
    client.force_login(cast.quinn)
    response = client.get(reverse(f"registers:{key}-template", args=["acme-test"]))
    assert response.content.decode().splitlines()[0].startswith(header)
