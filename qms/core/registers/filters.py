"""Base of the registers' filters (django-filter), shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from qms.core.forms import member_label
from qms.core.models import Membership, OrgUnit
from qms.core.tenancy import limit_to_audit_scope, whole_scope_label


class RegisterFilterSet(django_filters.FilterSet):
    """Choices of related records are the request organisation's own; `q` searches the
    register's `search_fields`."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="filter_search", label="Search", max_length=100)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        organization = getattr(request, "organization", None)
        for filter_ in self.filters.values():
            # django-filter's model choice filters read their `queryset` attribute.
            queryset = getattr(filter_, "queryset", None)
            if queryset is None or callable(queryset):
                continue
            model = queryset.model
            if organization is None:
                filter_.queryset = queryset.none()
            elif model is Membership:
                filter_.queryset = Membership.objects.for_organization(organization).assignable()
            elif any(f.name == "organization" for f in model._meta.fields):
                filter_.queryset = queryset.filter(organization=organization)
            # An auditor limited to a unit is offered only that subtree's records and people.
            filter_.queryset = limit_to_audit_scope(
                filter_.queryset, getattr(request, "membership", None)
            )

    @property
    def form(self):
        form = super().form
        if getattr(form, "_styled", False):
            return form
        form._styled = True
        for field in form.fields.values():
            if getattr(field, "queryset", None) is not None and field.queryset.model is Membership:
                field.label_from_instance = member_label
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = "Any"  # plain choices get it from FILTERS_EMPTY_CHOICE_LABEL
                if field.queryset is not None and field.queryset.model is OrgUnit:
                    membership = getattr(self.request, "membership", None)
                    field.empty_label = whole_scope_label(membership, "Any")
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"
        return form

    def filter_search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition) if value else queryset
