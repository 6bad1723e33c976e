"""Logs every request an auditor makes (pages, API calls, exports), for the organisation's
admins (ISO 19011 practice: the auditee knows what the auditor looked at)."""

from __future__ import annotations

from qms.core.roles import Role
from qms.evidence import services

# Polled every second while a pack builds: logging each poll would bury the real views.
NOT_LOGGED_SUFFIXES = ("/status/",)
EXPORT_MARKERS = ("/download/", ".csv", "/export")


def _membership(request, response):
    """The member the request was made as; for an auditor whose access has ended (refused),
    the membership that ended, so that their attempts are in the log too."""
    # API views resolve the membership on DRF's request, which the response carries.
    context = getattr(response, "renderer_context", None) or {}
    for holder in (request, context.get("request")):
        for name in ("membership", "expired_membership"):
            membership = getattr(holder, name, None) if holder is not None else None
            if membership is not None:
                return membership
    return None


class AuditorAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        membership = _membership(request, response)
        # Signing in with access that has ended everywhere: the attempt, in each organisation.
        for ended in getattr(request, "ended_memberships", ()):
            if ended.role == Role.AUDITOR:
                self._log(request, response, ended)
        if membership is not None and membership.role == Role.AUDITOR:
            self._log(request, response, membership)
        return response

    @staticmethod
    def _log(request, response, membership) -> None:
        path = request.path
        if path.endswith(NOT_LOGGED_SUFFIXES):
            return
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
