"""/api/v1/organizations/<slug>/... endpoints of leadership.engagement."""


def register(router) -> None:
    """Add this app's viewsets to the organisation router."""
