"""Pages of the red-KPI loop: the owner explains an off-track period, an executive accepts the
proposed corrective action or dismisses it; administrators switch the explanation rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from objectives import red_follow_ups as services
from objectives import selectors
from objectives.forms import ObjectiveRulesForm, RedAcceptForm, RedDismissForm, RedExplainForm
from objectives.models import RedFollowUp
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.permissions import role_required
from qms.core.roles import Role


def _follow_up(request, code: str, pk: int) -> RedFollowUp:
    objective = selectors.objective_get(organization=request.organization, code=code)
    return get_object_or_404(
        RedFollowUp.objects.for_organization(request.organization).select_related("objective"),
        pk=pk,
        objective=objective,
    )


def _run(request, follow_up, form, work, done: str, *, allowed: bool) -> HttpResponse:
    """403 for a member who may not (whatever they sent), then the form, then the service."""
    if not allowed:
        raise PermissionDenied("Your role does not allow this step.")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            work(form.cleaned_data)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except (ValidationError, TransitionError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, done)
    return redirect("objectives:detail", request.organization.slug, follow_up.objective.code)


@require_POST
def red_explain(request: HttpRequest, org_slug: str, code: str, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, code, pk)
    return _run(
        request, follow_up, RedExplainForm(request.POST),
        lambda data: services.red_follow_up_explain(
            follow_up=follow_up, membership=request.membership, **data
        ),
        "Explanation recorded; values are accepted again.",
        allowed=services.may_explain(request.membership, follow_up),
    )  # fmt: skip


@require_POST
def red_accept(request: HttpRequest, org_slug: str, code: str, pk: int) -> HttpResponse:
    if not services.may_decide(request.membership):  # the role first: 403 before any lookup
        raise PermissionDenied("Top management (an executive) decides on corrective actions.")
    follow_up = _follow_up(request, code, pk)
    return _run(
        request, follow_up, RedAcceptForm(request.POST, organization=request.organization),
        lambda data: services.red_follow_up_accept(
            follow_up=follow_up, membership=request.membership, **data
        ),
        "Corrective action raised.",
        allowed=services.may_decide(request.membership),
    )  # fmt: skip


@require_POST
def red_dismiss(request: HttpRequest, org_slug: str, code: str, pk: int) -> HttpResponse:
    if not services.may_decide(request.membership):  # the role first: 403 before any lookup
        raise PermissionDenied("Top management (an executive) decides on corrective actions.")
    follow_up = _follow_up(request, code, pk)
    return _run(
        request, follow_up, RedDismissForm(request.POST),
        lambda data: services.red_follow_up_dismiss(
            follow_up=follow_up, membership=request.membership, reason=data["reason"]
        ),
        "Dismissed; the reason is on record.",
        allowed=services.may_decide(request.membership),
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@role_required([Role.ADMIN])
def rules(request: HttpRequest, org_slug: str) -> HttpResponse:
    current = services.rules_for(request.organization)
    form = ObjectiveRulesForm(
        request.POST if request.method == "POST" else None,  # an unticked box posts nothing
        initial={"red_explanation_required": current.red_explanation_required},
    )
    if request.method == "POST" and form.is_valid():
        services.rules_set(membership=request.membership, **form.cleaned_data)
        messages.success(request, "Objective rules saved.")
        return redirect("objectives:rules", org_slug)
    return render(request, "objectives/rules.html", {"form": form})
