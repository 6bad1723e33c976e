"""Logs every request an auditor makes (pages, API calls, exports), for the organisation's
admins (ISO 19011 practice: the auditee knows what the auditor looked at)."""

from __future__ import annotations

from qms.core.roles import Role
from qms.evidence import services

# Polled every second while a pack builds: logging each poll would bury the real views.
NOT_LOGGED_SUFFIXES = ("/status/",)
EXPORT_MARKERS = ("/download/", ".csv", "/export")


def _membership(request, response):
    membership = getattr(request, "membership", None)
    if membership is None:
        # API views resolve the membership on DRF's request, which the response carries.
        context = getattr(response, "renderer_context", None) or {}
        membership = getattr(context.get("request"), "membership", None)
    return membership


class AuditorAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        membership = _membership(request, response)
        if membership is not None and membership.role == Role.AUDITOR:
            path = request.path
            if not path.endswith(NOT_LOGGED_SUFFIXES):
                if any(marker in path for marker in EXPORT_MARKERS):
                    kind = "export"
                elif path.startswith("/api/"):
                    kind = "api"
                else:
                    kind = "page"
                services.auditor_access_log(
                    membership=membership,
                    kind=kind,
                    method=request.method,
                    path=request.get_full_path(),
                    status_code=response.status_code,
                )
        return response
