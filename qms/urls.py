"""URL map: pages, the organisation's pages under /o/<org_slug>/, the API under /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from leadership.views import policy as leadership_policy_views
from qms.core import views as core_views
from qms.core.calendar import views as calendar_views
from qms.core.forms import LoginForm
from qms.core.invitations import views as invitation_views

admin.site.site_header = "QMS leadership dashboard: platform administration"

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("api-token/", core_views.api_token, name="api-token"),
]

urlpatterns = [
    path("", core_views.landing, name="home"),
    path("healthz", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include(account_patterns)),
    path("oidc/", include("qms.core.sso")),
    # The e-mailed link: the signed token is the invitation (the invited person has no
    # account yet).
    path("invitations/<str:token>/", invitation_views.invitation_answer, name="invitation"),
    path("o/<slug:org_slug>/", include("qms.core.urls")),
    path("o/<slug:org_slug>/objectives/", include("objectives.urls")),
    path("o/<slug:org_slug>/leadership/", include("leadership.urls")),
    path("o/<slug:org_slug>/communication/", include("leadership.communication.urls")),
    path("o/<slug:org_slug>/engagement/", include("leadership.engagement.urls")),
    path("o/<slug:org_slug>/registers/", include("qms.core.registers.urls")),
    path("o/<slug:org_slug>/reviews/", include("reviews.urls")),
    path("o/<slug:org_slug>/dashboard/", include("qms.dashboard.urls")),
    path("o/<slug:org_slug>/evidence/", include("qms.evidence.urls")),
    # The policy in force, public for interested parties (ISO 9001 5.2.2 c): no login.
    path(
        "p/<slug:public_slug>/policy/", leadership_policy_views.public_policy, name="public-policy"
    ),
    # A member's private calendar feed: the token is the credential (calendar apps cannot sign
    # in).
    path("calendar/<str:token>.ics", calendar_views.calendar_feed, name="calendar-feed"),
    path("api/v1/", include("qms.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(settings.ADMIN_URL, admin.site.urls),
]

# An API path no route matches answers the API's JSON 404, not the HTML page.
handler404 = "qms.core.views.not_found"
