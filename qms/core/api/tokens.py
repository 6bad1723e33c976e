"""Exchange a username and password for an API token (throttled, and locked out by axes like
the login page after repeated failures)."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from qms.core.api.schema import ErrorDocumentingAutoSchema
from qms.core.client_address import client_address


class TokenRateThrottle(AnonRateThrottle):
    scope = "token"

    def get_ident(self, request) -> str:
        return client_address(request)


class ObtainTokenView(ObtainAuthToken):
    throttle_classes = [TokenRateThrottle]
    schema = ErrorDocumentingAutoSchema()
