"""The OpenAPI schema documents the errors every endpoint can answer, not only its success.

drf-spectacular documents 200/201/204 only; a client generated from the schema (and the
schemathesis fuzz test in tests/security/) then meets 400, 403, 404 and 409 answers the schema
never mentioned. `ErrorDocumentingAutoSchema` adds them where they can happen, from what the
view is: authenticated or not, with path parameters or a paginated list, reading or writing.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import permissions, serializers

from qms.core.concurrency import is_versioned

ErrorSerializer = inline_serializer(
    name="Error",
    fields={"detail": serializers.CharField(help_text="What went wrong, as a sentence.")},
)


# A 400's body: DRF answers {"field": ["message", ...]} (nested serializers nest the same shape), or
# {"detail": "..."} for a malformed body.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "description": "Each invalid field (or non_field_errors, or detail) with its messages.",
}


SAFE = {"GET", "HEAD", "OPTIONS"}

# The answers that carry the record's version as ETag: what a client reads before it writes,
# and what it gets back after writing, for its next write (see `qms.core.api.scoping`).
VERSIONED_ACTIONS = ("retrieve", "update", "partial_update")

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "The record's ETag as you read it (its GET answers it), double quotes included. The "
        "change is refused with 412 if the record was changed since, with 428 without this "
        "header, and with 400 if it is not an ETag this API gave; a bare * changes whatever "
        "version is there."
    ),
)
# Workflow steps (approve, close, …) and DELETE: their preconditions are the record's state
# (a step not allowed from it answers 409), so naming the version is the client's choice.
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        "The record's ETag as you read it. The step is refused with 412 if the record was "
        "changed since; without this header it is not checked against a version."
    ),
)
# What a PUT or PATCH answers without If-Match.
PRECONDITION_REQUIRED = "Send If-Match with the record's ETag: nothing was changed."
UPDATES = {"PUT", "PATCH"}

StaleWriteSerializer = inline_serializer(
    name="StaleWrite",
    fields={
        "detail": serializers.CharField(help_text="Who changed the record and when."),
        "changed_by": serializers.CharField(required=False),
        "changed_at": serializers.DateTimeField(required=False),
        "current": serializers.JSONField(
            required=False, allow_null=True, help_text="The record as its GET answers it now."
        ),
    },
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="The record's version: send it as If-Match with your next write.",
)


class ErrorDocumentingAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors: dict[str, str] = {}
        if self._needs_authentication():
            errors["401"] = "Not signed in: send `Authorization: Token <key>`."
            errors["403"] = "Your role does not allow this, or your access has expired."
        if self._has_path_parameters() or self._is_list_view():
            # An unknown organisation or record, or a page number past the end.
            errors["404"] = "No such organisation or record (or page)."
        if self.method not in SAFE or self._has_query_filters():
            errors["400"] = "Invalid data or query parameters."
        if self.method not in SAFE and self._has_path_parameters():
            errors["409"] = "This step is not allowed from the record's current state."
            if self._is_versioned():
                errors["412"] = (
                    "The record changed since the version named in If-Match: who changed it, "
                    "when, and the record as it is now (`current`, with its ETag)."
                )
                if self.method in UPDATES:
                    errors["428"] = PRECONDITION_REQUIRED
        if self.method not in SAFE:
            # A body in a content type the endpoint does not parse.
            errors["415"] = "Send the body as JSON (or a form)."
        if self.view.throttle_classes:
            errors["429"] = "Too many requests: wait a minute and try again."
        for code, description in errors.items():
            if code in responses:
                continue
            if code == "400":
                responses[code] = {
                    "content": {
                        "application/json": {"schema": VALIDATION_ERROR_SCHEMA},
                    },
                    "description": description,
                }
            else:
                body = StaleWriteSerializer if code == "412" else ErrorSerializer
                response = self._get_response_for_code(body, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._has_path_parameters() and self._is_versioned():
            if self.method in UPDATES:
                parameters.append(IF_MATCH)
            elif self.method not in SAFE:
                parameters.append(IF_MATCH_OPTIONAL)
            if getattr(self.view, "action", None) in VERSIONED_ACTIONS:
                parameters.append(ETAG)
        return parameters

    def _is_versioned(self) -> bool:
        """A record of an organisation whose writes check If-Match (OrganizationScopedViewSet)."""
        if not hasattr(self.view, "get_base_queryset"):
            return False
        return is_versioned(self.view.get_queryset().model)

    def _needs_authentication(self) -> bool:
        return not all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )

    def _has_path_parameters(self) -> bool:
        return "{" in self.path

    def _has_query_filters(self) -> bool:
        return any(parameter.get("in") == "query" for parameter in self._get_parameters())
