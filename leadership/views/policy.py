"""Quality policy pages: the policy in force with commitments and acknowledgement, versions
through their lifecycle, diffs, and the public page for interested parties."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership.forms import CommitmentForm, DecisionForm, PolicyDraftForm
from leadership.models import PolicyCommitment, PolicyVersion
from leadership.selectors import policy as selectors
from leadership.selectors.certification import public_certificate
from leadership.services import policy as services
from qms.core import audit
from qms.core.concurrency import StaleEdit
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.limits import form_status
from qms.core.models import Organization
from qms.core.roles import APPROVER_ROLES, AUDITOR_AND_MANAGERS, QUALITY_EDITOR_ROLES

DRAFTERS = services.DRAFTER_ROLES


def _policy(request):
    """The organisation's policy; created on the first write (never by just looking)."""
    if request.method == "POST" and request.membership.role in DRAFTERS:
        return services.policy_get_or_create(organization=request.organization, actor=request.user)
    return selectors.policy_for(request.organization)


def _version(request, number: int) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.for_organization(request.organization).select_related(
            "approved_by__user", "drafted_by", "published_by", "submitted_by"
        ),
        number=number,
    )


@require_safe
def policy_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    policy = _policy(request)
    current = selectors.current_version(request.organization)
    membership = request.membership
    context = {
        "policy": policy,
        "current": current,
        "versions": selectors.versions(policy) if policy else [],
        "commitments": selectors.commitments(policy) if policy else [],
        "can_draft": membership.role in DRAFTERS,
        "open_version": policy.versions.filter(
            status__in=["draft", "submitted", "approved"]
        ).first()
        if policy
        else None,
    }
    if current is not None:
        context["acknowledged"] = selectors.has_acknowledged(current, membership)
        if membership.role in AUDITOR_AND_MANAGERS:
            context["rate"], context["unit_rates"] = selectors.acknowledgement_rates(current)
    return render(request, "leadership/policy.html", context)


@require_safe
def version_detail(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    version = _version(request, number)
    membership = request.membership
    return render(
        request,
        "leadership/policy_version.html",
        {
            "version": version,
            "history": audit.record_history(version, limit=20),
            "can_draft": membership.role in DRAFTERS,
            "can_decide": membership.role in APPROVER_ROLES,
            "decision_form": DecisionForm(),
            "previous": PolicyVersion.objects.for_organization(request.organization)
            .filter(number__lt=version.number)
            .order_by("-number")
            .first(),
        },
    )


@require_http_methods(["GET", "POST"])
def version_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    if request.membership.role not in DRAFTERS:
        raise PermissionDenied(
            "Only quality managers, administrators and executives draft the policy."
        )
    policy = _policy(request)
    if request.method == "POST":
        try:
            version = services.policy_version_create_draft(
                policy=policy, membership=request.membership
            )
        except NotAllowed as error:  # the role may not: 403, not a message
            raise PermissionDenied(str(error)) from error
        except TransitionError as error:
            messages.error(request, str(error))
            return redirect("leadership:policy", org_slug=org_slug)
        return redirect("leadership:policy-edit", org_slug=org_slug, number=version.number)
    return redirect("leadership:policy", org_slug=org_slug)


@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    if request.membership.role not in DRAFTERS:
        raise PermissionDenied(
            "Only quality managers, administrators and executives draft the policy."
        )
    version = _version(request, number)
    if version.status != PolicyVersion.Status.DRAFT:
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()} "
            "and can no longer be edited.",
        )
        return redirect("leadership:policy-version", org_slug=org_slug, number=number)
    form = PolicyDraftForm(
        request.POST or None,
        initial={
            "text": version.text,
            "change_summary": version.change_summary,
            "is_material_change": version.is_material_change,
        },
        record=version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with form.saving():
                services.policy_version_update_draft(
                    version=version, membership=request.membership, **form.cleaned_data
                )
        except StaleEdit as stale:
            form, version = form.reopened(stale), stale.current
        except NotAllowed as error:  # the role may not: 403, not a message
            raise PermissionDenied(str(error)) from error
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            if "submit" in request.POST:
                return _step(
                    request,
                    org_slug,
                    number,
                    services.policy_version_submit,
                    "Submitted for approval by an executive.",
                )
            messages.success(request, "Draft saved.")
            return redirect("leadership:policy-version", org_slug=org_slug, number=number)
    status = form_status(form)
    return render(
        request, "leadership/policy_edit.html", {"version": version, "form": form}, status=status
    )


def _step(request, org_slug, number, service, success: str, **kwargs) -> HttpResponse:
    version = _version(request, number)
    try:
        service(version=version, **kwargs) if kwargs else service(
            version=version, membership=request.membership
        )
    except NotAllowed as error:  # the role may not: 403, not a message
        raise PermissionDenied(str(error)) from error
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("leadership:policy-version", org_slug=org_slug, number=number)


@require_POST
def version_submit(request, org_slug, number):
    return _step(
        request,
        org_slug,
        number,
        services.policy_version_submit,
        "Submitted for approval by an executive.",
    )


@require_POST
def version_approve(request, org_slug, number):
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _step(
        request,
        org_slug,
        number,
        services.policy_version_approve,
        "Approved. Publish it to put it in force.",
        approver=request.membership,
        comment=comment,
    )


@require_POST
def version_return(request, org_slug, number):
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _step(
        request,
        org_slug,
        number,
        services.policy_version_return,
        "Returned to the drafter with your comment.",
        approver=request.membership,
        comment=comment,
    )


@require_POST
def version_publish(request, org_slug, number):
    return _step(
        request,
        org_slug,
        number,
        services.policy_version_publish,
        "Published: this version is now in force, and staff are asked to acknowledge it.",
    )


@require_POST
def acknowledge(request: HttpRequest, org_slug: str) -> HttpResponse:
    current = selectors.current_version(request.organization)
    if current is None:
        raise Http404("No policy is published yet.")
    try:
        services.policy_acknowledge(version=current, membership=request.membership)
    except NotAllowed as error:  # the role may not: 403, not a message
        raise PermissionDenied(str(error)) from error
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Thank you: you acknowledged version {current.number} of the quality policy."
        )
    return redirect("leadership:policy", org_slug=org_slug)


@require_safe
def version_diff(request: HttpRequest, org_slug: str) -> HttpResponse:
    try:
        older_number, newer_number = (
            int(request.GET.get("from", "")),
            int(request.GET.get("to", "")),
        )
    except ValueError:
        raise Http404("Choose two versions to compare.") from None
    older, newer = _version(request, older_number), _version(request, newer_number)
    return render(
        request,
        "leadership/policy_diff.html",
        {"older": older, "newer": newer, "lines": selectors.diff(older, newer)},
    )


@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, org_slug: str, pk: int | None = None) -> HttpResponse:
    if request.membership.role not in QUALITY_EDITOR_ROLES | APPROVER_ROLES:
        raise PermissionDenied(
            "Only quality managers, administrators and executives change commitments."
        )
    policy = _policy(request)
    if policy is None:
        raise Http404("Start the policy's first draft before adding commitments.")
    commitment = (
        get_object_or_404(PolicyCommitment, pk=pk, policy=policy)
        if pk
        else PolicyCommitment(organization=request.organization, policy=policy)
    )
    form = CommitmentForm(
        request.POST or None, instance=commitment, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            with form.saving():
                services.commitment_save(
                    commitment=form.save(commit=False),
                    actor=request.user,
                    objectives=list(form.cleaned_data["objectives"]),
                )
        except StaleEdit as stale:
            form, commitment = form.reopened(stale), stale.current
        else:
            messages.success(request, "Commitment saved.")
            return redirect("leadership:policy", org_slug=org_slug)
    status = form_status(form)
    return render(
        request,
        "leadership/commitment_form.html",
        {"form": form, "commitment": commitment},
        status=status,
    )


def public_policy(request: HttpRequest, public_slug: str) -> HttpResponse:
    """The policy in force, for interested parties: no login, nothing else of the organisation."""
    organization = get_object_or_404(Organization.objects.active(), slug=public_slug)
    current = selectors.current_version(organization)
    if current is None:
        raise Http404("This organisation has not published a quality policy.")
    # Only what lets a customer or supplier check the certificate (body, number, scope, valid
    # until); nothing else of the organisation.
    certificate = public_certificate(organization, timezone.localdate())
    return render(
        request,
        "leadership/public_policy.html",
        {"organization": organization, "version": current, "certificate": certificate},
    )
