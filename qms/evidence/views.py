"""Evidence pages: request a pack and watch it build, download it, verify a pack, read the
auditors' access log, fetch the organisation's public keys and the standalone verifier, and
(administrators) rotate the organisation's signing key."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from qms.core.concurrency import StaleEdit
from qms.core.immutable import NotAllowed
from qms.core.limits import form_status, upload_limit
from qms.core.permissions import role_required
from qms.core.roles import ADMIN_ROLES, QUALITY_EDITOR_ROLES
from qms.core.tenancy import unit_scoped
from qms.evidence import readiness, selectors, services, signing, verify
from qms.evidence.forms import PackRequestForm, ThresholdsForm, VerifyForm
from qms.evidence.permissions import ACCESS_LOG_ROLES, EXPORT_ROLES
from qms.evidence.verify_slots import Busy, verification_slot

PACKS_PER_PAGE = 20
LOG_PER_PAGE = 50


@unit_scoped
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(EXPORT_ROLES)
def packs(request: HttpRequest, org_slug: str) -> HttpResponse:
    today = timezone.localdate()
    membership = request.membership
    form = PackRequestForm(request.POST or None, membership=membership, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            pack = services.pack_request(
                membership=membership,
                org_unit=form.cleaned_data["org_unit"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                today=today,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        else:
            messages.success(request, "Your evidence pack is being built.")
            return redirect("evidence:pack", org_slug, pack.uuid)
    page = Paginator(
        selectors.pack_list(request.organization, request.membership), PACKS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/packs.html",
        {"form": form, "page": page, "packs": page.object_list},
        status=400 if form.errors else 200,
    )


@unit_scoped
@require_safe
@role_required(EXPORT_ROLES)
def pack_detail(request: HttpRequest, org_slug: str, uuid) -> HttpResponse:
    pack = selectors.pack_get(
        organization=request.organization, uuid=uuid, membership=request.membership
    )
    return render(
        request,
        "evidence/pack_detail.html",
        {
            "pack": pack,
            "heading": f"{pack.period_start:%-d %b %Y} to {pack.period_end:%-d %b %Y}",
            "lead": f"Scope: {pack.scope_label}. Requested by {pack.requested_by.display_name} "
            f"on {timezone.localtime(pack.created_at):%-d %b %Y at %H:%M}.",
            "may_download": selectors.may_download(pack, request.membership),
            "stalled": selectors.pack_not_picked_up(pack),
            "downloads": pack.downloads.select_related("membership__user")[:20],
            "platform_signer": signing.PLATFORM_SIGNER,
        },
    )


@unit_scoped
@require_safe
@role_required(EXPORT_ROLES)
def pack_status(request: HttpRequest, org_slug: str, uuid) -> JsonResponse:
    pack = selectors.pack_get(
        organization=request.organization, uuid=uuid, membership=request.membership
    )
    return JsonResponse(
        {
            "status": pack.get_status_display(),
            "percent": pack.progress,
            "step": pack.progress_text,
            "stalled": selectors.pack_not_picked_up(pack),
            "done": not pack.is_running,
        }
    )


@unit_scoped
@require_safe
@role_required(EXPORT_ROLES)
def pack_download(request: HttpRequest, org_slug: str, uuid) -> FileResponse:
    pack = selectors.pack_get(
        organization=request.organization, uuid=uuid, membership=request.membership
    )
    if not selectors.may_download(pack, request.membership):
        raise PermissionDenied("Only the member who requested this pack, or a quality manager, "
                               "may download it.")  # fmt: skip
    try:
        path = services.pack_download(pack=pack, membership=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evidence:pack", org_slug, pack.uuid)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=pack.download_name)


@unit_scoped
@upload_limit("EVIDENCE_VERIFY_MAX_BYTES")
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(EXPORT_ROLES)
def verify_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Verify an uploaded pack as this organisation's: only its own keys are trusted."""
    organization = request.organization
    form = VerifyForm(request.POST or None, request.FILES or None)
    report = None
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            with verification_slot(request.membership.pk):
                report = verify.verify(
                    form.cleaned_data["pack"],
                    signing.trusted_keys(organization),
                    organization=organization.slug,
                )
        except Busy as busy:
            form.add_error("pack", str(busy))
            status = 429
    return render(
        request,
        "evidence/verify.html",
        {
            "form": form,
            "report": report,
            "keys": signing.organization_keys(organization),
            "platform_keys": signing.platform_keys(),
            "may_rotate": request.membership.role in ADMIN_ROLES,
        },
        status=status or form_status(form),
    )


@unit_scoped
@require_safe
@role_required(EXPORT_ROLES)
def public_key(request: HttpRequest, org_slug: str) -> HttpResponse:
    """This organisation's public keys (current and retired), for the standalone verifier."""
    organization = request.organization
    response = HttpResponse(signing.keys_file(organization), content_type="application/x-pem-file")
    response["Content-Disposition"] = (
        f'attachment; filename="qms-evidence-keys-{organization.slug}.pem"'
    )
    return response


@unit_scoped
@require_safe
@role_required(EXPORT_ROLES)
def verifier(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The standalone verifier: the very module the page and the command run."""
    response = HttpResponse(
        Path(verify.__file__).read_bytes(), content_type="text/x-python; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="qms-evidence-verify.py"'
    return response


@require_http_methods(["POST"])
@role_required(ADMIN_ROLES)
def signing_key_rotate(request: HttpRequest, org_slug: str) -> HttpResponse:
    leaked = request.POST.get("reason") == "leaked"
    key = services.signing_key_rotate(
        organization=request.organization,
        actor=request.membership.display_name,
        membership=request.membership,
        leaked=leaked,
    )
    before = (
        "The old key is revoked: no pack it signed verifies any more, so ask for new packs."
        if leaked
        else "Packs made before still verify; none dated later will with the old key."
    )
    messages.success(
        request,
        f"A new signing key signs this organisation's packs from now on (fingerprint "
        f"{key.fingerprint}). {before} Send your auditors the new keys file.",
    )
    return redirect("evidence:verify", org_slug)


@require_safe
@role_required(ACCESS_LOG_ROLES)
def access_log(request: HttpRequest, org_slug: str) -> HttpResponse:
    page = Paginator(selectors.access_log(request.organization), LOG_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "evidence/access_log.html", {"page": page, "entries": page.object_list})


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(EXPORT_ROLES)
def readiness_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Each check today; quality managers and admins adjust the thresholds."""
    thresholds = readiness.thresholds_for(request.organization)
    may_edit = request.membership.role in QUALITY_EDITOR_ROLES
    form = None
    if may_edit:
        form = ThresholdsForm(request.POST or None, instance=thresholds)
        if request.method == "POST" and form.is_valid():
            try:
                with form.saving():
                    services.thresholds_save(form=form, membership=request.membership)
            except StaleEdit as stale:
                form = form.reopened(stale)
            else:
                messages.success(request, "Thresholds saved; the checks below use them.")
                return redirect("evidence:readiness", org_slug)
    elif request.method == "POST":
        raise PermissionDenied("Only quality managers and administrators change thresholds.")
    checks = readiness.readiness_checks(request.organization)
    return render(
        request,
        "evidence/readiness.html",
        {
            "checks": checks,
            "failing": sum(1 for c in checks if c.state == readiness.FAIL),
            "form": form,
        },
        status=200 if form is None else form_status(form),
    )
