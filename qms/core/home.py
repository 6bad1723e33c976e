"""Panels on the organisation's home page: each app adds its own from AppConfig.ready(), so
the core shows the apps' summaries without importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qms.core.roles import ALL_ROLES


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: Callable  # (request) -> dict
    roles: frozenset = ALL_ROLES
    order: int = 100


_PANELS: list[HomePanel] = []


def register_home_panel(panel: HomePanel) -> None:
    if all(p.template != panel.template for p in _PANELS):
        _PANELS.append(panel)
        _PANELS.sort(key=lambda p: p.order)


def panels_for(request) -> list[dict]:
    return [
        {"template": panel.template, **panel.context(request)}
        for panel in _PANELS
        if request.membership.role in panel.roles
    ]


# Where a member lands after signing in, by role (an app above the core registers its page;
# e.g. executives land on the dashboard). Any other role lands on the organisation's home.
_LANDING: dict[str, str] = {}


def register_landing_page(roles, url_name: str) -> None:
    """`url_name` takes the organisation slug as its only argument."""
    for role in roles:
        _LANDING[role] = url_name


def landing_url_name(role: str) -> str:
    return _LANDING.get(role, "core:org-home")
