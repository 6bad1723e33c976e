"""Training pages (ISO 9001 7.2 c): sessions and workshops, invitations, the attendance
register, and the effectiveness evaluation that updates attendees' competence records."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership.forms_competence import (
    AttendanceForm,
    EvaluationForm,
    InviteForm,
    TrainingSessionForm,
)
from leadership.models import TrainingAttendance, TrainingSession
from leadership.selectors import training as selectors
from leadership.services import training as services
from leadership.views.competence import _editor, _errors, _require_editor, _serve
from qms.core import audit
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.limits import form_status, upload_limit


def _session(request, pk) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.for_organization(request.organization).select_related(
            "org_unit", "resource_allocation"
        ),
        pk=pk,
    )


@require_safe
def session_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    page = Paginator(selectors.session_list(organization=organization), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "leadership/training_list.html",
        {
            "page": page,
            "due": selectors.evaluations_due(organization=organization, today=timezone.localdate())[
                :20
            ],
            "can_edit": _editor(request),
        },
    )


@upload_limit("ATTACHMENT_MAX_BYTES")
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    _require_editor(request)
    initial = {}
    if request.GET.get("competence", "").isdigit():
        initial["competences"] = [request.GET["competence"]]
    if request.GET.get("member", "").isdigit():
        initial["invitees"] = [request.GET["member"]]
    form = TrainingSessionForm(
        request.POST or None,
        request.FILES or None,
        organization=request.organization,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        competences, invitees = data.pop("competences"), data.pop("invitees")
        try:
            session = services.training_session_create(
                membership=request.membership,
                competences=competences,
                invitees=invitees,
                **data,
            )
        except (ValidationError, NotAllowed) as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "Training recorded.")
            return redirect("leadership:training-detail", org_slug=org_slug, pk=session.pk)
    return render(
        request, "leadership/training_form.html", {"form": form}, status=form_status(form)
    )


@require_safe
def session_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    session = _session(request, pk)
    attendances = list(selectors.session_attendances(session))
    today = timezone.localdate()
    can_edit = _editor(request)
    return render(
        request,
        "leadership/training_detail.html",
        {
            "session": session,
            "competences": session.competences.all(),
            "attendances": attendances,
            "attendance_form": AttendanceForm(session=session) if can_edit else None,
            "invite_form": InviteForm(organization=request.organization, session=session)
            if can_edit
            else None,
            "evaluation_form": EvaluationForm(),
            "can_edit": can_edit,
            "held": session.held_on <= today,
            "evaluation_due": session.evaluation_due_on <= today,
            "history": audit.record_history(session, limit=10),
        },
    )


@require_POST
def session_invite(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _require_editor(request)
    session = _session(request, pk)
    form = InviteForm(request.POST, organization=request.organization, session=session)
    if form.is_valid():
        services.training_invite(
            session=session, membership=request.membership, invitees=form.cleaned_data["invitees"]
        )
        messages.success(request, "Invitations recorded.")
    else:
        messages.error(request, "Choose members of this organisation who are not invited yet.")
    return redirect("leadership:training-detail", org_slug=org_slug, pk=pk)


@require_POST
def session_attendance(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _require_editor(request)
    session = _session(request, pk)
    form = AttendanceForm(request.POST, session=session)
    if not form.is_valid():
        messages.error(request, "Tick only members who were invited.")
    else:
        try:
            present = services.training_attendance_mark(
                session=session,
                membership=request.membership,
                attended=form.cleaned_data["attended"],
            )
        except (ValidationError, TransitionError) as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, f"Register saved: {present} attended.")
    return redirect("leadership:training-detail", org_slug=org_slug, pk=pk)


@require_POST
def attendance_evaluate(
    request: HttpRequest, org_slug: str, pk: int, attendance_pk: int
) -> HttpResponse:
    _require_editor(request)
    session = _session(request, pk)
    attendance = get_object_or_404(
        TrainingAttendance.objects.filter(session=session), pk=attendance_pk
    )
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Evaluation not saved: "
            + " ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()),
        )
    else:
        try:
            records = services.training_evaluate(
                attendance=attendance, evaluator=request.membership, **form.cleaned_data
            )
        except (ValidationError, TransitionError) as error:
            messages.error(request, _errors(error))
        else:
            updated = (
                f" {attendance.membership.display_name}'s competence record"
                f"{'' if len(records) == 1 else 's'} updated."
                if records
                else " No competence record changed."
            )
            messages.success(request, "Evaluation saved." + updated)
    return redirect("leadership:training-detail", org_slug=org_slug, pk=pk)


@require_safe
def session_materials(request: HttpRequest, org_slug: str, pk: int) -> FileResponse:
    """Training materials, for members of the organisation only."""
    session = get_object_or_404(
        TrainingSession.objects.for_organization(request.organization).exclude(materials=""),
        pk=pk,
    )
    return _serve(session.materials)
