import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qms.core.models import Membership, Organization, OrgUnit, units_of


class OrganizationSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()
    access_ended_on = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["slug", "name", "currency", "my_role", "access_ended_on"]

    def get_my_role(self, organization) -> str | None:
        """Your role here; null when your access has ended."""
        roles = self.context.get("my_roles", {})
        return roles.get(organization.id)

    def get_access_ended_on(self, organization) -> datetime.date | None:
        """The day your membership ended (an auditor's last day of access, or the day an
        administrator deactivated it), else null."""
        return self.context.get("ended_on", {}).get(organization.id)


class UserSummarySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "email"]


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()
    closed_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The day the unit closed (null while open): it keeps its records and takes "
        "no new ones.",
    )

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "kind", "depth", "parent", "closed_on"]

    def get_parent(self, unit) -> int | None:
        parents = self.context.get("parents_by_path", {})
        return parents.get(unit.path[: -OrgUnit.steplen]) if unit.depth > 1 else None


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    org_unit = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "org_unit", "job_title", "access_expires_on", "is_active"]


@extend_schema_field(OpenApiTypes.INT)
class OrganizationUnitField(serializers.PrimaryKeyRelatedField):
    """A unit id of the request's organisation; another organisation's reads as unknown."""

    default_error_messages = {
        "does_not_exist": "There is no unit {pk_value} in this organisation.",
        "incorrect_type": "Give the unit's id, a number.",
    }

    def get_queryset(self):
        organization = self.context.get("organization")
        if organization is None:
            return None
        return open_units_for(self, OrgUnit.objects.filter(organization=organization))


def open_units_for(field, queryset):
    """The units a related field of a serializer may take: open ones, and those the record
    being changed already has (`OrgUnitQuerySet.for_new_records`)."""
    holder = field.parent if isinstance(field.parent, serializers.ManyRelatedField) else field
    serializer = holder.parent
    source = holder.source if holder.source not in (None, "*") else holder.field_name
    instance = getattr(serializer, "instance", None)
    try:
        kept = units_of(instance, source)
    except Exception:  # a source that is not a unit field of the instance: keep nothing
        kept = []
    return queryset.filter(Q(closed_on__isnull=True) | Q(pk__in=kept))


class MembershipChangeInput(serializers.Serializer):
    """What an administrator changes; a field left out keeps its value."""

    role = serializers.ChoiceField(choices=Membership._meta.get_field("role").choices)
    org_unit = OrganizationUnitField(
        allow_null=True,
        help_text="The member's unit; for an auditor, the unit their access is limited to "
        "(the top unit, or null, means the whole organisation).",
    )
    job_title = serializers.CharField(max_length=120, allow_blank=True)
    access_expires_on = serializers.DateField(
        allow_null=True,
        help_text="Auditors only, and required for them: the last day of their access (today "
        "ends it tonight; a past day is refused). Ignored and cleared for other roles.",
    )


class HandoverItemSerializer(serializers.Serializer):
    item = serializers.CharField(
        source="ref", help_text='The item to hand over, as "<kind>:<record id>".'
    )
    kind = serializers.CharField(source="responsibility.key")
    label = serializers.CharField(help_text="What the member is for this record.")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's page.")
    holder_roles = serializers.ListField(
        child=serializers.CharField(),
        help_text="Roles the new holder must have; empty: anyone who may own records.",
    )


@extend_schema_field(OpenApiTypes.INT)
class OrganizationMemberField(serializers.PrimaryKeyRelatedField):
    """A membership id of the request's organisation; another organisation's reads as unknown."""

    default_error_messages = {
        "does_not_exist": "There is no member {pk_value} in this organisation.",
        "incorrect_type": "Give the member's id (a membership id), a number.",
    }

    def get_queryset(self):
        organization = self.context.get("organization")
        if organization is None:
            return None
        return Membership.objects.filter(organization=organization).select_related("user")


class DeactivateInput(serializers.Serializer):
    give_all_to = OrganizationMemberField(
        required=False,
        allow_null=True,
        help_text="The member (membership id) who takes over every open item not named in "
        "give_to, where their role fits.",
    )
    give_to = serializers.DictField(
        child=OrganizationMemberField(),
        required=False,
        help_text='New holder per item: {"action-owner:12": 34}. Items from GET '
        "…/memberships/{id}/responsibilities/.",
    )


class DeactivateOutput(serializers.Serializer):
    membership = MembershipSerializer()
    handed_over = HandoverItemSerializer(many=True)


class OrgUnitCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=30, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices, default=OrgUnit.Kind.DEPARTMENT)
    parent = OrganizationUnitField(
        allow_null=True,
        help_text="The open unit it belongs under; null only for an organisation's first unit.",
    )


class OrgUnitChangeInput(serializers.Serializer):
    """What an administrator changes; a field left out keeps its value."""

    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=30, allow_blank=True)
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices)


class OrgUnitMoveInput(serializers.Serializer):
    parent = OrganizationUnitField(
        help_text="The open unit to move it under, outside its own branch; the units beneath "
        "it move with it."
    )


class OrgUnitCloseInput(serializers.Serializer):
    closed_on = serializers.DateField(
        required=False, help_text="The day it closed: today (the default) or earlier."
    )
