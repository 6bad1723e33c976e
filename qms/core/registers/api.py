"""The API of every declared register: /api/v1/organizations/{slug}/<key>/ to list (with the
page's filters), read, create and update. Writes go through `qms.core.registers.services`, so
the API refuses exactly what the pages refuse."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.text import capfirst
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.utils.field_mapping import ClassLookupDict

from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.api.serializers import open_units_for
from qms.core.immutable import NotAllowed
from qms.core.models import Membership, OrgUnit
from qms.core.registers import services
from qms.core.registers.definition import Register, all_registers
from qms.core.roles import ALL_ROLES


class RegisterSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    register: Register  # set on each generated subclass

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        for field in self.fields.values():
            relation = getattr(field, "child_relation", field)
            queryset = getattr(relation, "queryset", None)
            if queryset is None:
                continue
            model = queryset.model
            if model is Membership:
                relation.queryset = Membership.objects.filter(
                    organization=organization
                ).assignable()
            elif model is OrgUnit:  # a closed unit takes no new records; a record keeps its own
                relation.queryset = open_units_for(
                    relation, queryset.filter(organization=organization)
                )
            elif any(f.name == "organization" for f in model._meta.fields):
                relation.queryset = queryset.filter(organization=organization)

    def _save(self, record, validated_data, creating: bool):
        many = {
            n: validated_data.pop(n)
            for n in services.m2m_fields(type(record))
            if n in validated_data
        }
        for name, value in validated_data.items():
            setattr(record, name, value)
        save = services.record_create if creating else services.record_update
        try:
            return save(
                register=self.register,
                membership=self.context["membership"],
                record=record,
                m2m=many,
                reason="Recorded through the API" if creating else "Changed through the API",
            )
        except NotAllowed as error:
            raise exceptions.PermissionDenied(str(error)) from error
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error

    def build_standard_field(self, field_name, model_field):
        if isinstance(model_field, models.GeneratedField):
            # DRF does not know generated columns and would hand the raw value to the JSON
            # encoder (a float for a decimal, where the schema promises a decimal string):
            # serialise it as its output field, read-only.
            output = model_field.output_field
            kwargs = {"read_only": True, "label": capfirst(model_field.verbose_name)}
            if isinstance(output, models.DecimalField):
                kwargs.update(max_digits=output.max_digits, decimal_places=output.decimal_places)
            return ClassLookupDict(self.serializer_field_mapping)[output], kwargs
        return super().build_standard_field(field_name, model_field)

    def validate(self, attrs):
        membership = self.context.get("membership")
        if self.instance is None and membership and self.register.is_reporter(membership):
            others = sorted(set(attrs) - set(self.register.reporter_fields))
            if others:
                raise serializers.ValidationError(
                    dict.fromkeys(
                        others, "Your role reports a record; the quality team fills this in."
                    )
                )
        return attrs

    def create(self, validated_data):
        record = self.register.model(organization=self.context["organization"])
        return self._save(record, validated_data, creating=True)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data, creating=False)


def serializer_for(register: Register) -> type[RegisterSerializer]:
    meta = type(
        "Meta",
        (),
        {"model": register.model, "fields": ["id", "reference", *register.api_fields]},
    )
    name = f"{register.model.__name__}Serializer"
    return type(name, (RegisterSerializer,), {"Meta": meta, "register": register})


class RegisterViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    register: Register
    read_roles = ALL_ROLES

    @property
    def write_roles(self):
        # Reporting (create) and editing have their own roles: a contributor who may report a
        # nonconformity is refused an edit with 403 before their input is read.
        if self.action == "create":
            return self.register.create_roles
        return self.register.edit_roles

    def get_base_queryset(self, organization):
        register = self.register
        return (
            register.model.objects.filter(organization=organization)
            .select_related(*register.select_related)
            .prefetch_related(*register.prefetch_related)
            .order_by(*register.ordering)
        )


def viewset_for(register: Register) -> type[RegisterViewSet]:
    return type(
        f"{register.model.__name__}ViewSet",
        (RegisterViewSet,),
        {
            "register": register,
            "serializer_class": serializer_for(register),
            "filterset_class": register.filterset_class,
            "__doc__": f"{register.title} ({register.clause}): {register.lead}",
        },
    )


def register_routes(router) -> None:
    for register in all_registers():
        router.register(register.key, viewset_for(register), basename=f"register-{register.key}")
