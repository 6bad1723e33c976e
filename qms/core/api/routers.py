"""The API's two routers: top-level resources, and resources under one organisation
(/api/v1/organizations/{org_slug}/...). Apps register their viewsets on them from their own
`api.py` (see qms/api_urls.py), so the core never imports an app."""

from rest_framework.routers import DefaultRouter, SimpleRouter

from qms.core.actions.api import ActionViewSet
from qms.core.api import views
from qms.core.invitations.api import InvitationViewSet
from qms.core.notifications.api import NotificationViewSet

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")

organization_router = SimpleRouter()
organization_router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
organization_router.register("memberships", views.MembershipViewSet, basename="membership")
organization_router.register("invitations", InvitationViewSet, basename="invitation")
organization_router.register("actions", ActionViewSet, basename="action")
organization_router.register("notifications", NotificationViewSet, basename="notification")
