"""Measurement import pages: upload a file, then watch its job validate and import it.

Only quality managers and admins import (the middleware has already answered 404 to
non-members); every job is looked up within the request's organisation.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from objectives.forms_import import MeasurementImportForm
from objectives.import_files import MAX_FILE_BYTES, MAX_ROWS
from objectives.imports import (
    MAX_RUNS,
    measurement_import_again,
    measurement_import_create,
    objectives_waiting,
)
from objectives.models import MeasurementImport
from qms.core.limits import form_status, upload_limit
from qms.core.permissions import role_required
from qms.core.roles import QUALITY_EDITOR_ROLES
from qms.core.worker_wait import ADMIN_ADVICE, not_picked_up, when, worker_sentence

RECENT_IMPORTS = 10
RUNNING = {
    MeasurementImport.State.QUEUED,
    MeasurementImport.State.VALIDATING,
    MeasurementImport.State.IMPORTING,
}
# The status chip's style per state: the label is always written out as well.
STATE_CHIP = {
    MeasurementImport.State.DONE: "green",
    MeasurementImport.State.REJECTED: "red",
    MeasurementImport.State.FAILED: "red",
}


def _imports(request: HttpRequest):
    return MeasurementImport.objects.for_organization(request.organization)


@upload_limit("MEASUREMENT_IMPORT_MAX_BYTES")
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(QUALITY_EDITOR_ROLES)
def import_upload(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = MeasurementImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = measurement_import_create(
            organization=request.organization, user=request.user, file=form.cleaned_data["file"]
        )
        return redirect("objectives:import-detail", org_slug=org_slug, pk=job.pk)
    recent = _imports(request).select_related("uploaded_by")[:RECENT_IMPORTS]
    return render(
        request,
        "objectives/import_upload.html",
        {
            "form": form,
            "recent": [(job, STATE_CHIP.get(job.state, "nodata")) for job in recent],
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
        },
        status=form_status(form),
    )


def stalled_text(job: MeasurementImport) -> str:
    """What the page says of a run that has not moved for minutes ("" when it is moving)."""
    now = timezone.now()
    if job.state == MeasurementImport.State.QUEUED and job.progressed_at is None:
        return not_picked_up(
            job.created_at,
            what="this import",
            kept="the file is kept and nothing has been imported yet",
            now=now,
        )
    since = job.stalled_since(now)
    if since is None:
        return ""
    return (
        f"No progress since {when(since, now)}: the background worker may have stopped "
        f"({worker_sentence(now)}). Nothing has been imported yet. The import starts again by "
        "itself when the work is delivered again (within an hour of the stop); if it cannot, "
        f"it is marked failed here with what to do. {ADMIN_ADVICE}"
    )


@require_safe
@role_required(QUALITY_EDITOR_ROLES)
def import_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    job = get_object_or_404(_imports(request).select_related("uploaded_by"), pk=pk)
    # An entry may stand for several rows (an objective waiting for its explanation).
    hidden_errors = max(0, job.error_count - sum(e.get("row_count", 1) for e in job.errors))
    waiting = objectives_waiting(job) if job.state == MeasurementImport.State.REJECTED else []
    return render(
        request,
        "objectives/import_detail.html",
        {
            "job": job,
            "running": job.state in RUNNING,
            "chip": STATE_CHIP.get(job.state, "nodata"),
            "hidden_errors": hidden_errors,
            "max_runs": MAX_RUNS,
            "stalled": stalled_text(job),
            "waiting": waiting,
            # The file needs no change when explanations were all it waited for: run it again.
            "only_waiting": bool(waiting)
            and not hidden_errors
            and all(e.get("waiting") for e in job.errors),
            "still_waiting": sum(1 for w in waiting if w["still_waiting"]),
        },
    )


@require_POST
@role_required(QUALITY_EDITOR_ROLES)
def import_again(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    job = get_object_or_404(_imports(request).filter(state=MeasurementImport.State.REJECTED), pk=pk)
    again = measurement_import_again(job=job, user=request.user)
    return redirect("objectives:import-detail", org_slug=org_slug, pk=again.pk)


@require_safe
@role_required(QUALITY_EDITOR_ROLES)
def import_status(request: HttpRequest, org_slug: str, pk: int) -> JsonResponse:
    job = get_object_or_404(_imports(request), pk=pk)
    response = JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "percent": job.percent,
            "processed_rows": job.processed_rows,
            "total_rows": job.total_rows,
            "created_count": job.created_count,
            "updated_count": job.updated_count,
            "error_count": job.error_count,
            "stalled": stalled_text(job),
            "done": job.state not in RUNNING,
        }
    )
    response["Cache-Control"] = "no-store"
    return response
