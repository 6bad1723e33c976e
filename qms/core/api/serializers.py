from django.contrib.auth import get_user_model
from rest_framework import serializers

from qms.core.models import Membership, Organization, OrgUnit


class OrganizationSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["slug", "name", "currency", "my_role"]

    def get_my_role(self, organization) -> str | None:
        roles = self.context.get("my_roles", {})
        return roles.get(organization.id)


class UserSummarySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "email"]


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "kind", "depth", "parent"]

    def get_parent(self, unit) -> int | None:
        parents = self.context.get("parents_by_path", {})
        return parents.get(unit.path[: -OrgUnit.steplen]) if unit.depth > 1 else None


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    org_unit = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "org_unit", "job_title", "access_expires_on"]
