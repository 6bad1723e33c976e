"""One call an app makes from AppConfig.ready() per register: the register, its navigation
entry, its audit trail and, where it raises actions, its place among the action sources."""

from __future__ import annotations

from django.urls import reverse

from qms.core import audit
from qms.core.actions.sources import register_action_source
from qms.core.navigation import NavItem, register_nav_item
from qms.core.registers.definition import Register, add_register


def declare_register(register: Register) -> None:
    add_register(register)
    audit.register(register.model)
    if register.action_kind:
        name = f"registers:{register.key}-detail"
        register_action_source(
            register.model,
            kind=register.action_kind,
            label=register.action_label or register.singular.capitalize(),
            url=lambda record: reverse(name, args=[record.organization.slug, record.pk]),
        )
    register_nav_item(
        NavItem(
            register.title, f"registers:{register.key}", order=register.nav_order, group="Registers"
        )
    )
