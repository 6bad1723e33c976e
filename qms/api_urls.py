"""/api/v1/: the core's routers, with each app's endpoints registered on them."""

from django.urls import include, path

from leadership import api as leadership_api
from leadership.communication import api as communication_api
from leadership.engagement import api as engagement_api
from objectives import api as objectives_api
from qms.core.api.routers import organization_router, router
from qms.core.api.tokens import ObtainTokenView
from qms.core.registers.api import register_routes
from reviews import api as reviews_api

objectives_api.register(organization_router)
leadership_api.register(organization_router)
communication_api.register(organization_router)
engagement_api.register(organization_router)
register_routes(organization_router)
reviews_api.register(organization_router)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token-obtain"),
    path("organizations/<slug:org_slug>/", include(organization_router.urls)),
    path("", include(router.urls)),
]
