"""/api/v1/: the router for top-level resources, and one per organisation for scoped ones.

Later apps add their scoped viewsets to `organization_router` in their own `api.py` module's
`register(router)` function, called from here.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from qms.core.api import views
from qms.core.api.tokens import ObtainTokenView

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")

organization_router = SimpleRouter()
organization_router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
organization_router.register("memberships", views.MembershipViewSet, basename="membership")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token-obtain"),
    path("organizations/<slug:org_slug>/", include(organization_router.urls)),
    path("", include(router.urls)),
]
