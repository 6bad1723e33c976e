"""Exchange a username and password for an API token (throttled, and locked out by axes like
the login page after repeated failures)."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from qms.core.api.schema import ErrorDocumentingAutoSchema


class TokenRateThrottle(AnonRateThrottle):
    scope = "token"


class ObtainTokenView(ObtainAuthToken):
    throttle_classes = [TokenRateThrottle]
    schema = ErrorDocumentingAutoSchema()
