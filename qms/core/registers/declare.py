"""One call an app makes from AppConfig.ready() per register: the register, its navigation
entry and its audit trail."""

from __future__ import annotations

from qms.core import audit
from qms.core.navigation import NavItem, register_nav_item
from qms.core.registers.definition import Register, add_register


def declare_register(register: Register) -> None:
    add_register(register)
    audit.register(register.model)
    register_nav_item(
        NavItem(
            register.title, f"registers:{register.key}", order=register.nav_order, group="Registers"
        )
    )
