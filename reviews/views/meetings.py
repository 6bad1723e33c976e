"""Management review pages (ISO 9001 9.3): the list and schedule, one review's page (agenda,
meeting record, decisions, sign-off, addenda) and its printable minutes. Every step posts to
its own URL and calls one service; the page shows only the steps this member may take now."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from qms.core import audit
from qms.core.concurrency import StaleEdit
from qms.core.documents import render_pdf
from qms.core.forms import StaleEditMixin
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.roles import APPROVER_ROLES
from reviews import selectors_meetings as selectors
from reviews.charts import objectives_attainment_figure, objectives_attainment_svg
from reviews.forms_meetings import (
    AddendumForm,
    AttendanceForm,
    CommentaryForm,
    DecisionForm,
    HoldForm,
    PlanForm,
    RecordForm,
    RescheduleForm,
    ScheduleForm,
    SignOffForm,
    SkipForm,
)
from reviews.models import ReviewSchedule, ReviewStatus
from reviews.services import management_reviews as services

STATUS_STYLE = {
    ReviewStatus.PLANNED: "nodata",
    ReviewStatus.PREPARED: "amber",
    ReviewStatus.HELD: "amber",
    ReviewStatus.SIGNED_OFF: "green",
    ReviewStatus.SKIPPED: "red",
}


def _organiser(request) -> bool:
    return request.membership.role in services.ORGANISER_ROLES


@require_safe
def review_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    today = timezone.localdate()
    reviews = list(selectors.review_list(organization).order_by("-planned_on", "-number")[:40])
    rows = [
        {"review": r, "timing": r.timing_text(today), "style": STATUS_STYLE[r.status],
         "late": bool(r.days_late(today))}
        for r in reviews
    ]  # fmt: skip
    return render(
        request,
        "reviews/review_list.html",
        {
            "rows": rows,
            "next": selectors.next_review(organization),
            "last": selectors.last_held_review(organization),
            "schedules": ReviewSchedule.objects.for_organization(organization).filter(
                is_active=True
            ),
            "can_organise": _organiser(request),
            "plan_form": PlanForm(organization=organization),
            "schedule_form": ScheduleForm(organization=organization),
            "today": today,
        },
    )


def _fail(request, error) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, str(error))


def _run(request, org_slug, number, work, done: str) -> HttpResponse:
    """Call a service step; 403 for a role that may not, a message for a step not allowed now
    or bad input; back to the review."""
    try:
        work()
    except StaleEdit as stale:
        # The review's page, where this form was, shows the current version.
        messages.error(request, stale.message)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except (TransitionError, ValidationError) as error:
        _fail(request, error)
    else:
        if done:
            messages.success(request, done)
    return redirect("reviews:detail", org_slug=org_slug, number=number)


@require_POST
def review_plan(request: HttpRequest, org_slug: str) -> HttpResponse:
    if not _organiser(request):
        raise PermissionDenied("Only the quality team and top management plan reviews.")
    form = PlanForm(request.POST, organization=request.organization)
    if not form.is_valid():
        messages.error(request, "Give the review a title and a planned date.")
        return redirect("reviews:list", org_slug=org_slug)
    review = services.review_plan(membership=request.membership, **form.cleaned_data)
    messages.success(request, f"{review.reference} planned for {review.planned_on:%-d %b %Y}.")
    return redirect("reviews:detail", org_slug=org_slug, number=review.number)


@require_POST
def schedule_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    if not _organiser(request):
        raise PermissionDenied("Only the quality team and top management plan reviews.")
    form = ScheduleForm(request.POST, organization=request.organization)
    if not form.is_valid():
        messages.error(request, "Give the schedule a title, an interval and the first date.")
        return redirect("reviews:list", org_slug=org_slug)
    schedule = services.schedule_create(membership=request.membership, **form.cleaned_data)
    messages.success(request, f"{schedule} set up; its first review is planned.")
    return redirect("reviews:list", org_slug=org_slug)


def _review(request, number):
    return selectors.review_get(organization=request.organization, number=number)


@require_safe
def review_detail(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    organization = request.organization
    inputs = list(review.inputs.all())
    objectives = next((i for i in inputs if i.key == "c_objectives"), None)
    organiser = _organiser(request) and not review.is_locked
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "style": STATUS_STYLE[review.status],
            "timing": review.timing_text(timezone.localdate()),
            "inputs": [
                (i, CommentaryForm(initial={"commentary": i.commentary}, record=i)) for i in inputs
            ],
            "objectives_figure": objectives_attainment_figure(objectives.data["objectives"])
            if objectives and objectives.has_data
            else None,
            "attendees": list(review.attendees.all()),
            # Signed: each action as it stood at sign-off, as the minutes print it, and where
            # it is now.
            "decisions": selectors.decisions_with_actions(review, as_signed=True),
            "addenda": list(review.addenda.all()),
            "history": audit.record_history(review, limit=20),
            "organiser": organiser,
            "can_prepare": organiser and review.status in selectors.UPCOMING,
            "can_record": organiser and review.status == ReviewStatus.HELD,
            "can_sign_off": request.membership.role in APPROVER_ROLES
            and review.status == ReviewStatus.HELD,
            "can_add_addendum": _organiser(request) and review.is_locked,
            "hold_form": HoldForm(),
            "skip_form": SkipForm(),
            "reschedule_form": RescheduleForm(initial={"planned_on": review.planned_on}),
            "record_form": RecordForm(
                organization=organization,
                initial={
                    "minutes": review.minutes,
                    "location": review.location,
                    "chair": review.chair_id,
                },
                record=review,
            ),
            "attendance_form": AttendanceForm(organization=organization),
            "decision_form": DecisionForm(organization=organization),
            "sign_off_form": SignOffForm(),
            "addendum_form": AddendumForm(),
        },
    )


@require_safe
def review_print(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return render(request, "reviews/review_print.html", _minutes_context(review))


def _minutes_context(review) -> dict:
    inputs = list(review.inputs.all())
    objectives = next((i for i in inputs if i.key == "c_objectives"), None)
    return {
        "review": review,
        "timing": review.timing_text(timezone.localdate()),
        "inputs": [(i, None) for i in inputs],
        # The attainment chart the review's page shows, drawn for paper as the board PDF's is
        # (no JavaScript in a PDF), from the same frozen rows.
        "objectives_svg": objectives_attainment_svg(objectives.data["objectives"])
        if objectives and objectives.has_data
        else "",
        "attendees": list(review.attendees.all()),
        # Signed minutes read as they were signed, whatever became of the actions since.
        "decisions": selectors.decisions_with_actions(review, as_signed=True),
        "addenda": list(review.addenda.all()),
    }


@require_safe
def review_minutes_pdf(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    """The signed-off minutes as a PDF for the board: a controlled copy."""
    review = _review(request, number)
    if review.status != ReviewStatus.SIGNED_OFF:
        messages.error(request, "The minutes are exported as PDF once the review is signed off.")
        return redirect("reviews:detail", org_slug=org_slug, number=number)
    pdf = render_pdf(
        "reviews/minutes_pdf.html",
        # The minutes show the review's inputs, whose links need the organisation (a PDF is
        # rendered without the request's context processors).
        {**_minutes_context(review), "current_membership": request.membership},
        organization=request.organization,
        title=f"Minutes of {review.reference} {review.title}",
        period=f"held {review.held_on:%-d %b %Y}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{org_slug}-{review.reference}-minutes.pdf"'
    )
    return response


@require_POST
def review_prepare(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _run(
        request,
        org_slug,
        number,
        lambda: services.review_prepare(review=review, membership=request.membership),
        "Agenda compiled from the data since the previous review.",
    )


@require_POST
def input_comment(request: HttpRequest, org_slug: str, number: int, key: str) -> HttpResponse:
    # The role first: a contributor's POST was told "this page is out of date" (its missing
    # version checked before the service's role rule) instead of 403.
    if not _organiser(request):
        raise PermissionDenied("Only the quality team and top management record reviews.")
    review = _review(request, number)
    review_input = get_object_or_404(review.inputs.all(), key=key)
    form = CommentaryForm(request.POST, record=review_input)
    if not form.is_valid():
        messages.error(request, "The commentary is too long (10,000 characters at most).")
        return redirect("reviews:detail", org_slug=org_slug, number=number)
    return _run(
        request,
        org_slug,
        number,
        lambda: _saving(
            form,
            lambda: services.review_input_comment(
                review_input=review_input,
                membership=request.membership,
                commentary=form.cleaned_data["commentary"],
            ),
        ),
        f"Commentary on {review_input.clause} saved.",
    )


def _with_form(request, org_slug, number, form, work, done, invalid: str):
    # Every step with a form is the organisers' (sign-off: executives, checked by the service),
    # so a member who may not gets 403 whatever they sent, not a message about the form.
    if not _organiser(request):
        raise PermissionDenied("Only the quality team and top management record reviews.")
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("reviews:detail", org_slug=org_slug, number=number)
    return _run(
        request, org_slug, number, lambda: _saving(form, lambda: work(form.cleaned_data)), done
    )


def _saving(form, work):
    """Run `work` refusing a stale edit if `form` edits a record (`StaleEditMixin`)."""
    if not isinstance(form, StaleEditMixin):
        return work()
    with form.saving():
        return work()


@require_POST
def review_hold(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number, HoldForm(request.POST),
        lambda data: services.review_hold(
            review=review, membership=request.membership, held_on=data["held_on"]
        ),
        "Recorded as held; the inputs are frozen as they are now.",
        "Give the date the review was held.",
    )  # fmt: skip


@require_POST
def review_skip(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number, SkipForm(request.POST),
        lambda data: services.review_skip(
            review=review, membership=request.membership, reason=data["reason"]
        ),
        "Recorded as skipped.",
        "Say why the review is skipped.",
    )  # fmt: skip


@require_POST
def review_reschedule(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number, RescheduleForm(request.POST),
        lambda data: services.review_reschedule(
            review=review, membership=request.membership, planned_on=data["planned_on"]
        ),
        "Moved; invitees get the updated calendar invitation.",
        "Give the new date.",
    )  # fmt: skip


@require_POST
def review_record(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number,
        RecordForm(request.POST, organization=request.organization, record=review),
        lambda data: services.review_record_update(
            review=review, membership=request.membership, **data
        ),
        "Meeting record saved.",
        "Check the minutes, location and chair.",
    )  # fmt: skip


@require_POST
def review_attendance(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number,
        AttendanceForm(request.POST, organization=request.organization),
        lambda data: services.review_attendance_set(
            review=review, membership=request.membership,
            attendee=data["membership"], attendance=data["attendance"],
        ),
        "Attendance recorded.",
        "Choose a member of this organisation and their attendance.",
    )  # fmt: skip


@require_POST
def decision_add(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number,
        DecisionForm(request.POST, organization=request.organization),
        lambda data: services.review_decision_add(
            review=review, membership=request.membership, **data
        ),
        "Decision recorded and its action raised.",
        "Give the decision, its action, owner, accountable executive and due date.",
    )  # fmt: skip


@require_POST
def review_sign_off(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number, SignOffForm(request.POST),
        lambda data: services.review_sign_off(
            review=review, membership=request.membership, comment=data["comment"]
        ),
        "Signed off. The review is now locked; later corrections are addenda.",
        "The comment is too long.",
    )  # fmt: skip


@require_POST
def addendum_add(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    review = _review(request, number)
    return _with_form(
        request, org_slug, number, AddendumForm(request.POST),
        lambda data: services.review_addendum_add(
            review=review, membership=request.membership, text=data["text"]
        ),
        "Addendum added.",
        "Write the addendum (10,000 characters at most).",
    )  # fmt: skip
