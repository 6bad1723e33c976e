"""Pages of engagement under /o/<org_slug>/engagement/: the staff quality board, suggestions and
their triage, the pulse survey (answering, folded results, statements), recognition and lessons
learned. Views are thin: rules live in services, reads in selectors."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership.engagement import charts, permissions
from leadership.engagement.forms import (
    RecognitionForm,
    StatementForm,
    SuggestionForm,
    SurveyAnswerForm,
    TriageForm,
)
from leadership.engagement.lessons import lessons_learned
from leadership.engagement.models import SuggestionStatus, SurveyRound, SurveyStatement
from leadership.engagement.selectors import recognition as recognition_selectors
from leadership.engagement.selectors import suggestions as suggestion_selectors
from leadership.engagement.selectors import surveys as survey_selectors
from leadership.engagement.selectors.board import staff_board
from leadership.engagement.services import recognition as recognition_services
from leadership.engagement.services import suggestions as suggestion_services
from leadership.engagement.services import surveys as survey_services
from qms.core import audit
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.permissions import role_required

FIGURE_MONTHS = 12
SENT_COOKIE = "qms_suggestion_sent"
TREND_ROUNDS = 8


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 10 else None


# --- the staff quality board --------------------------------------------------------------------


@require_safe
def board(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    return render(
        request,
        "engagement/board.html",
        {
            "board": staff_board(membership=membership, today=timezone.localdate()),
            "can_suggest": permissions.can_suggest(membership),
        },
    )


# --- suggestions --------------------------------------------------------------------------------


@require_safe
def suggestion_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    status = request.GET.get("status", "")
    if status not in SuggestionStatus.values:
        status = ""
    search = request.GET.get("q", "").strip()[:100]
    queryset = suggestion_selectors.suggestion_list(
        organization=request.organization, status=status or None, search=search
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/suggestions.html",
        {
            "page": page,
            "status": status,
            "search": search,
            "statuses": SuggestionStatus.choices,
            "can_suggest": permissions.can_suggest(membership),
            "can_triage": permissions.can_triage(membership),
        },
    )


@require_http_methods(["GET", "POST"])
def suggestion_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    if not permissions.can_suggest(membership):
        raise PermissionDenied("Auditors read the system; they do not make suggestions.")
    form = SuggestionForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = suggestion_services.suggestion_submit(
                membership=membership,
                title=data["title"],
                description=data["description"],
                org_unit=data["org_unit"],
                expected_benefit=data["expected_benefit"],
                is_anonymous=data["is_anonymous"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            # Signed or anonymous, the answer is the same redirect to the same page, so that a
            # web server's log cannot tell the two apart; what was sent travels in a signed
            # cookie read once by that page (never in an address, a session or the database).
            response = redirect("engagement:suggestion-sent", org_slug=org_slug)
            sent = {
                "pk": suggestion.pk,
                "code": getattr(suggestion, "receipt_code", ""),
                "by": membership.pk,  # only in the sender's browser; shown to them alone
            }
            response.set_signed_cookie(
                SENT_COOKIE,
                json.dumps(sent),
                salt=SENT_COOKIE,
                max_age=600,
                path=reverse("engagement:suggestion-sent", args=[org_slug]),
                secure=request.is_secure(),
                httponly=True,
                samesite="Strict",
            )
            return response
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "engagement/suggestion_form.html", {"form": form}, status=status)


def _suggestion_or_404(request, pk):
    suggestion = suggestion_selectors.suggestion_get(organization=request.organization, pk=pk)
    if suggestion is None:
        raise Http404("No such suggestion.")
    return suggestion


@require_safe
def suggestion_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    suggestion = _suggestion_or_404(request, pk)
    return _render_suggestion(request, suggestion, None)


def _render_suggestion(request, suggestion, form, status=200) -> HttpResponse:
    membership = request.membership
    can_triage = permissions.can_triage(membership) and not suggestion.is_decided
    if can_triage and form is None:
        form = TriageForm(suggestion=suggestion)
    return render(
        request,
        "engagement/suggestion_detail.html",
        {
            "suggestion": suggestion,
            "is_mine": suggestion.submitted_by_id == membership.pk,
            "triage_form": form if can_triage else None,
            "history": audit.record_history(suggestion, limit=10),
        },
        status=status,
    )


@require_safe
def suggestion_sent(request: HttpRequest, org_slug: str) -> HttpResponse:
    """After sending a suggestion: the thank-you, and for an anonymous one its receipt, shown
    this once (the cookie that carried it is deleted; a reload sends nothing again)."""
    try:
        sent = json.loads(request.get_signed_cookie(SENT_COOKIE, salt=SENT_COOKIE, max_age=600))
    except (KeyError, ValueError, signing.BadSignature):
        sent = {}
    if not isinstance(sent, dict) or sent.get("by") != request.membership.pk:
        sent = {}
    suggestion = suggestion_selectors.suggestion_get(
        organization=request.organization, pk=sent.get("pk")
    )
    if suggestion is None:
        response = render(request, "engagement/suggestion_sent.html", {"suggestion": None})
    elif suggestion.is_anonymous:
        response = render(
            request,
            "engagement/suggestion_receipt.html",
            {"suggestion": suggestion, "receipt_code": sent.get("code", "")},
        )
    else:
        response = render(request, "engagement/suggestion_sent.html", {"suggestion": suggestion})
    response.delete_cookie(SENT_COOKIE, path=request.path)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def suggestion_receipt(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The author of an anonymous suggestion follows it here with their receipt code. The code
    travels in a POST body (or the link's #fragment, which browsers never send), never in an
    address a server log keeps."""
    suggestion, error = None, ""
    if request.method == "POST":
        suggestion = suggestion_selectors.suggestion_by_receipt(
            organization=request.organization, code=request.POST.get("code", "")
        )
        if suggestion is None:
            error = (
                "No anonymous suggestion of this organisation has that receipt code. Check it "
                "was copied whole."
            )
    return render(
        request,
        "engagement/suggestion_receipt.html",
        {"suggestion": suggestion, "error": error, "followed": suggestion is not None},
        status=400 if error else 200,
    )


@require_POST
def suggestion_triage(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    if not permissions.can_triage(membership):
        raise PermissionDenied("Only quality managers triage suggestions.")
    suggestion = _suggestion_or_404(request, pk)
    form = TriageForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        return _render_suggestion(request, suggestion, form, status=400)
    data = form.cleaned_data
    decision = data["decision"]
    try:
        if decision == "action":
            suggestion = suggestion_services.suggestion_accept_as_action(
                suggestion=suggestion,
                actor=membership,
                title=data["action_title"],
                owner=data["owner"],
                accountable_executive=data["accountable_executive"],
                due_date=data["due_date"],
                note=data["note"],
            )
        elif decision == "opportunity":
            suggestion = suggestion_services.suggestion_accept_as_opportunity(
                suggestion=suggestion, actor=membership, note=data["note"]
            )
        elif decision == "decline":
            suggestion = suggestion_services.suggestion_decline(
                suggestion=suggestion, actor=membership, reason=data["note"]
            )
        else:
            suggestion = suggestion_services.suggestion_merge(
                suggestion=suggestion,
                actor=membership,
                duplicate_of=data["duplicate_of"],
                note=data["note"],
            )
    except ValidationError as error:
        _add_errors(form, error)
        return _render_suggestion(request, suggestion, form, status=400)
    except (NotAllowed, TransitionError) as error:
        messages.error(request, str(error))
        return redirect("engagement:suggestion", org_slug=org_slug, pk=pk)
    messages.success(
        request,
        f"{suggestion.reference}: {suggestion.get_status_display()}. "
        + (
            "Its author reads the outcome with their receipt."
            if suggestion.is_anonymous
            else "The submitter is told."
        ),
    )
    return redirect("engagement:suggestion", org_slug=org_slug, pk=pk)


@require_safe
def suggestion_figures(request: HttpRequest, org_slug: str) -> HttpResponse:
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (FIGURE_MONTHS - 1))).replace(
        day=1
    )
    months, units = suggestion_selectors.suggestion_figures(
        organization=request.organization, start=start, end=today
    )
    return render(
        request,
        "engagement/suggestion_figures.html",
        {
            "months": months,
            "units": units,
            "start": start,
            "figure": charts.suggestions_figure(months),
        },
    )


# --- pulse survey -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Answer the open round. Nothing about anyone's answers is shown here, the member's own
    included: once sent, a response belongs to nobody."""
    membership = request.membership
    today = timezone.localdate()
    survey_round = survey_services.current_round(request.organization, today)
    answered = (
        survey_round is not None
        and survey_round.participations.filter(membership=membership).exists()
    )
    can_answer = permissions.can_answer_survey(membership)
    form = None
    if survey_round is not None and can_answer and not answered:
        form = SurveyAnswerForm(request.POST or None, survey_round=survey_round)
        if request.method == "POST" and form.is_valid():
            try:
                survey_services.survey_answer(
                    membership=membership,
                    survey_round=survey_round,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    today=today,
                )
            except ValidationError as error:
                _add_errors(form, error)
            except (NotAllowed, TransitionError) as error:
                messages.error(request, str(error))
                return redirect("engagement:survey", org_slug=org_slug)
            else:
                messages.success(request, "Thank you. Your answers were recorded anonymously.")
                return redirect("engagement:survey", org_slug=org_slug)
    elif request.method == "POST":
        messages.error(
            request,
            "You have already answered this round."
            if answered
            else "There is no survey round open for you to answer.",
        )
        return redirect("engagement:survey", org_slug=org_slug)
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(
        request,
        "engagement/survey.html",
        {
            "survey_round": survey_round,
            "answered": answered,
            "can_answer": can_answer,
            "form": form,
            "can_see_results": permissions.can_see_survey_results(membership),
            "can_edit": permissions.can_edit_survey(membership),
        },
        status=status,
    )


@role_required(permissions.SURVEY_RESULT_ROLES)
@require_safe
def survey_results(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    history = survey_selectors.survey_results_by_round(
        organization=organization, limit=TREND_ROUNDS
    )
    number = _int(request.GET.get("round"))
    selected = None
    if number is not None:
        survey_round = (
            SurveyRound.objects.for_organization(organization).filter(number=number).first()
        )
        if survey_round is None:
            raise Http404("No such survey round.")
        selected = survey_selectors.survey_results(survey_round=survey_round)
    elif history:
        selected = history[-1]  # the latest counted round: an open one has no figures yet
    else:
        current = SurveyRound.objects.for_organization(organization).order_by("-opens_on").first()
        if current is not None:
            selected = survey_selectors.survey_results(survey_round=current)
    labels = [f"Round {r.round.number}" for r in history]
    trend = survey_selectors.survey_trend(history)
    return render(
        request,
        "engagement/survey_results.html",
        {
            "results": selected,
            "rounds": survey_selectors.survey_rounds(organization=organization),
            "trend": trend,
            "trend_labels": labels,
            "figure": charts.survey_trend_figure(labels, trend) if history else None,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(permissions.SURVEY_EDITOR_ROLES)
def survey_statements(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    membership = request.membership
    form = StatementForm(request.POST or None)
    if request.method == "POST":
        toggle = _int(request.POST.get("toggle"))
        try:
            if toggle is not None:
                statement = (
                    SurveyStatement.objects.for_organization(organization).filter(pk=toggle).first()
                )
                if statement is None:
                    raise Http404("No such statement.")
                survey_services.survey_statement_update(
                    statement=statement, actor=membership, is_active=not statement.is_active
                )
                messages.success(request, "Statement updated; the next round asks the active ones.")
                return redirect("engagement:survey-statements", org_slug=org_slug)
            if form.is_valid():
                survey_services.survey_statement_create(
                    organization=organization, actor=membership, text=form.cleaned_data["text"]
                )
                messages.success(request, "Statement added; the next round asks it.")
                return redirect("engagement:survey-statements", org_slug=org_slug)
        except ValidationError as error:
            _add_errors(form, error)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "engagement/survey_statements.html",
        {
            "statements": SurveyStatement.objects.for_organization(organization),
            "form": form,
            "interval_days": survey_services.interval_days(),
            "open_days": survey_services.open_days(),
        },
        status=status,
    )


# --- recognition --------------------------------------------------------------------------------


@require_safe
def recognition(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    organization = request.organization
    page = Paginator(
        recognition_selectors.recognition_list(organization=organization), 20
    ).get_page(request.GET.get("page"))
    can_recognise = permissions.can_recognise(membership)
    return render(
        request,
        "engagement/recognition.html",
        {
            "page": page,
            "can_recognise": can_recognise,
            # The executive's own proposals first, then their colleagues'.
            "milestones": sorted(
                recognition_selectors.milestones_awaiting(organization=organization)[:50],
                key=lambda m: m.executive_id != membership.pk,
            )
            if can_recognise
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(permissions.RECOGNISER_ROLES)
def recognition_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    membership = request.membership
    milestone = None
    milestone_id = _int(request.POST.get("milestone") or request.GET.get("milestone"))
    if milestone_id is not None:
        milestone = recognition_selectors.milestone_get(organization=organization, pk=milestone_id)
        if milestone is None:
            raise Http404("No such milestone.")
    if request.method == "POST" and request.POST.get("dismiss") and milestone is not None:
        try:
            recognition_services.milestone_dismiss(milestone=milestone, executive=membership)
        except (NotAllowed, TransitionError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Milestone set aside; it will not be proposed again.")
        return redirect("engagement:recognition", org_slug=org_slug)
    initial = {}
    if milestone is not None:
        if milestone.achieved_by_id:
            initial["recipient"] = milestone.achieved_by_id
        elif milestone.org_unit_id:
            initial["team"] = milestone.org_unit_id
    form = RecognitionForm(request.POST or None, organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recognition_services.recognition_give(
                executive=membership,
                note=data["note"],
                recipient=data["recipient"],
                team=data["team"],
                milestone=milestone,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except (NotAllowed, TransitionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Recognition given; it shows on the quality board.")
            return redirect("engagement:recognition", org_slug=org_slug)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "engagement/recognition_form.html",
        {"form": form, "milestone": milestone},
        status=status,
    )


# --- lessons learned ----------------------------------------------------------------------------


@require_safe
def lessons(request: HttpRequest, org_slug: str) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:200]
    rows = lessons_learned(organization=request.organization, search=search)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "engagement/lessons.html", {"page": page, "search": search})
