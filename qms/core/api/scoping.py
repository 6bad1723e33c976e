"""What every organisation-scoped API endpoint stands on.

`OrganizationScopedViewSetMixin` resolves the URL's organisation through the same function as
the pages (`resolve_membership`), starts every queryset from it, lets each viewset declare
which roles may read and which may write, and refuses stale writes: a record's detail and
update answers carry its version as `ETag`; a write sent with `If-Match` naming another version
is refused with 412, and a PUT or PATCH without `If-Match` with 428 (see `qms.core.concurrency`).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, mixins, permissions, serializers, status

from qms.core.api.schema import VERSIONED_ACTIONS, ErrorDocumentingAutoSchema
from qms.core.concurrency import (
    StaleEdit,
    VersionUnknown,
    describe,
    is_versioned,
    last_change,
    lock_unchanged,
    version_of,
    version_stamp_field,
)
from qms.core.roles import ALL_ROLES, QUALITY_EDITOR_ROLES, Role
from qms.core.tenancy import (
    AccessExpired,
    audit_scope,
    limit_to_audit_scope,
    outside_scope_message,
    readable_by_unit_auditors,
    resolve_membership,
)


class IsOrganizationMember(permissions.BasePermission):
    """Resolve the membership for `org_slug` (404 for strangers, 403 "access expired")."""

    def has_permission(self, request, view) -> bool:
        org_slug = view.kwargs.get("org_slug")
        if org_slug is None:
            return True
        try:
            membership = resolve_membership(request.user, org_slug)
        except AccessExpired as expired:
            request.expired_membership = expired.membership  # for the auditor access log
            raise exceptions.PermissionDenied(str(expired)) from expired
        except Http404:
            raise exceptions.NotFound("No such organisation.") from None
        request.membership = membership
        request.organization = membership.organization
        view.membership = membership
        view.organization = membership.organization
        if audit_scope(membership) is not None and not _open_to_unit_auditors(view):
            raise exceptions.PermissionDenied(outside_scope_message(membership))
        return True


def _hide_linked_records_outside_scope(serializer, membership) -> None:
    """The unit-auditor rule for what a record links to: the ids of linked records (a risk's
    objectives, a process's neighbours) outside the auditor's subtree are left out."""
    fields = getattr(serializer, "child", serializer).fields
    for field in fields.values():
        if not isinstance(field, serializers.ManyRelatedField):
            continue
        queryset = getattr(field.child_relation, "queryset", None)
        if queryset is None:
            continue
        model, show = queryset.model, field.to_representation

        def scoped(iterable, model=model, show=show):
            records = list(iterable)
            readable = set(
                limit_to_audit_scope(
                    model._default_manager.filter(pk__in=[r.pk for r in records]), membership
                ).values_list("pk", flat=True)
            )
            return show([r for r in records if r.pk in readable])

        field.to_representation = scoped


def _open_to_unit_auditors(view) -> bool:
    """The API half of the unit-auditor rule (qms.core.tenancy): a viewset's list and detail
    (filtered by `limit_to_audit_scope`, so its model must have a unit), an action it marks in
    `unit_scoped_actions`, or a view marked `unit_scoped`."""
    if getattr(view, "unit_scoped", False):
        return True
    action = getattr(view, "action", None)
    if action in getattr(view, "unit_scoped_actions", ()):
        return True
    if isinstance(view, OrganizationScopedViewSetMixin) and action in ("list", "retrieve"):
        # Only DRF's own list and retrieve, which read through get_queryset (and so the rule):
        # a viewset that composes its answer some other way (lessons learned) is refused.
        standard = {
            "list": mixins.ListModelMixin.list,
            "retrieve": mixins.RetrieveModelMixin.retrieve,
        }
        if getattr(type(view), action, None) is not standard[action]:
            return False
        return readable_by_unit_auditors(view.get_base_queryset(view.organization).model)
    return False


class HasRoleForMethod(permissions.BasePermission):
    """Safe methods need one of the view's `read_roles`; others one of its `write_roles`."""

    message = "Your role in this organisation does not allow this."

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            allowed = getattr(view, "read_roles", ALL_ROLES)
        else:
            allowed = getattr(view, "write_roles", QUALITY_EDITOR_ROLES)
            # Auditors change nothing but their own things (see `qms.core.roles`), whatever a
            # viewset's write roles say.
            if membership.role == Role.AUDITOR and getattr(view, "action", None) not in getattr(
                view, "auditor_write_actions", ()
            ):
                return False
        return membership.role in allowed


class PreconditionFailed(exceptions.APIException):
    """412: the record changed since the version the client named. `current` is the record as
    it is now: the answer says who changed it and when, and hands it back with its ETag."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it: read it again and make your change."
    default_code = "precondition_failed"

    def __init__(self, detail=None, *, current=None):
        super().__init__(detail)
        self.current = current


class PreconditionRequired(exceptions.APIException):
    """428: a PUT or PATCH that does not say which version of the record it changes."""

    status_code = 428
    default_detail = "Send If-Match with the ETag of the record you read."
    default_code = "precondition_required"


class MalformedIfMatch(exceptions.ParseError):
    default_detail = (
        "The If-Match header is not an ETag this API gave: send the ETag header of your last "
        'GET of the record exactly as it came, double quotes included (If-Match: "…"), or * '
        "to change whatever version is there."
    )
    default_code = "malformed_if_match"


# RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
_ENTITY_TAG = r'(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"'
# If-Match = "*" / #entity-tag: a comma-separated list (empty elements allowed) of at least one.
_ENTITY_TAG_LIST = re.compile(rf"[ \t,]*{_ENTITY_TAG}(?:[ \t]*,[ \t,]*{_ENTITY_TAG})*[ \t,]*")


def if_match_versions(header: str) -> set[str] | None:
    """The versions an `If-Match` header accepts; None for a bare `*` (any version). Quoted,
    `"*"` is a tag whose value is `*` and matches no version (RFC 9110). A weak tag (`W/"..."`)
    is taken as its version: a proxy that compresses answers may weaken the ETag it passes on.
    Anything else (empty, unquoted, `*` in a list) is not an ETag this API gave: 400."""
    if header.strip(" \t") == "*":
        return None
    if _ENTITY_TAG_LIST.fullmatch(header) is None:
        raise MalformedIfMatch()
    return set(re.findall(_ENTITY_TAG, header))


class OrganizationScopedViewSetMixin:
    """Querysets start from the request's organisation: `get_base_queryset(organization)`."""

    permission_classes = [permissions.IsAuthenticated, IsOrganizationMember, HasRoleForMethod]
    schema = ErrorDocumentingAutoSchema()
    # Any segment reaches the view, which answers a malformed id ("1.5") with the API's JSON
    # 404; the router's default pattern stops at a dot and left Django's HTML 404 page. The
    # organisation router has no format suffixes, which is what the default guards.
    lookup_value_regex = "[^/]+"
    read_roles = ALL_ROLES
    write_roles = QUALITY_EDITOR_ROLES
    organization = None
    membership = None

    def get_base_queryset(self, organization):  # pragma: no cover - each viewset defines it
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation has no request organisation; it only needs the model.
            return self.get_base_queryset(None).none()
        base = self.get_base_queryset(self.organization)
        if getattr(self, "unit_scoped", False):  # already the member's own (notifications)
            return base
        # An auditor limited to a unit reads that subtree only (models that belong to a unit).
        return limit_to_audit_scope(base, self.membership)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if audit_scope(self.membership) is not None:
            _hide_linked_records_outside_scope(serializer, self.membership)
        return serializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["organization"] = self.organization
        context["membership"] = self.membership
        return context

    # Stale writes. A PUT or PATCH must say which version it changes (If-Match, else 428); the
    # check and the write are one transaction with the record's row locked, so two writes on
    # the same version cannot both pass. Workflow steps and DELETE check If-Match when sent.

    def dispatch(self, request, *args, **kwargs):
        if request.method not in permissions.SAFE_METHODS and "HTTP_IF_MATCH" in request.META:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Here, after the role checks and before any handler, so that no viewset's update (a
        # new one included) can forget it.
        if self._writes_a_record_without_if_match(request):
            record = self.get_object()  # an unknown record is 404; a forbidden one 403
            if is_versioned(type(record)):
                raise PreconditionRequired(
                    f"Send If-Match with the ETag of the {record._meta.verbose_name} you read: "
                    f"GET {request.path} answers it in its ETag header. Nothing was changed: "
                    "a change that does not say which version it changes could overwrite "
                    "someone else's."
                )

    def _writes_a_record_without_if_match(self, request) -> bool:
        method = request.method.lower()
        return (
            method in ("put", "patch")
            and "If-Match" not in request.headers
            and method in self.http_method_names
            and hasattr(self, method)  # routed here (else 405, as before)
            and (self.lookup_url_kwarg or self.lookup_field) in self.kwargs
        )

    def get_object(self):
        record = super().get_object()
        header = self.request.headers.get("If-Match")
        if (
            header is not None
            and self.request.method not in permissions.SAFE_METHODS
            and is_versioned(type(record))
            and not getattr(self, "reading_current", False)
        ):
            try:
                lock_unchanged(record, if_match_versions(header))
            except VersionUnknown as unknown:
                raise PreconditionFailed(
                    f"If-Match names no version {describe(record)} ever had (made up, or "
                    "another record's ETag), so this change cannot be checked against changes "
                    "made since you read it. Nothing was changed: here is the current version; "
                    "send its ETag to make your change on it.",
                    current=unknown.current,
                ) from unknown
            except StaleEdit as stale:
                raise PreconditionFailed(stale.message, current=stale.current) from stale
        self.versioned_record = record
        return record

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, PreconditionFailed) and exc.current is not None:
            # "Here is the current version", as the message says: who, when, the record as a
            # GET answers it, and its ETag for the next attempt.
            who, when = last_change(exc.current)
            response.data = {
                "detail": response.data["detail"],
                "changed_by": who,
                # As the API writes every timestamp (DRF's ISO 8601, with its offset), to the
                # second: the detail says it to the minute, and the stamp is no version.
                "changed_at": serializers.DateTimeField().to_representation(
                    when.replace(microsecond=0)
                ),
                "current": self._read_as_get(exc.current),
            }
            response["ETag"] = f'"{version_of(exc.current)}"'
        return response

    def _read_as_get(self, record):
        """The record as GET on it answers, through the viewset's own retrieve (which may add
        what its serializer needs, as actions' sources); None if it cannot be read so."""
        retrieve = getattr(self, "retrieve", None)
        if retrieve is None:
            return None
        self.kwargs = {
            **self.kwargs,
            self.lookup_url_kwarg or self.lookup_field: getattr(record, self.lookup_field),
        }
        self.action, self.reading_current = "retrieve", True
        try:
            return retrieve(self.request, *self.args, **self.kwargs).data
        except (exceptions.APIException, Http404):
            return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "versioned_record", None)
        if (
            record is not None
            and getattr(self, "action", None) in VERSIONED_ACTIONS
            and 200 <= response.status_code < 300
            and is_versioned(type(record))
        ):
            if request.method not in permissions.SAFE_METHODS:
                # The service may have saved another copy of the row: read the version stored.
                stamp = version_stamp_field(type(record))
                record = type(record)._base_manager.only(stamp).get(pk=record.pk)
            response["ETag"] = f'"{version_of(record)}"'
        return response
