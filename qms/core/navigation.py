"""The main navigation: each app adds its pages here from its AppConfig.ready().

Items are shown to members whose role is in the item's roles, in `order`.
"""

from dataclasses import dataclass

from django.urls import resolve, reverse

from qms.core.roles import ALL_ROLES
from qms.core.tenancy import audit_scope, readable_by_unit_auditors


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # a URL that takes the organisation slug as its only argument
    roles: frozenset = ALL_ROLES
    order: int = 100
    group: str = ""  # items of one group share a dropdown in the top bar
    section: str = ""  # a heading inside the dropdown, for long groups


_ITEMS: list[NavItem] = []


def register_nav_item(item: NavItem) -> None:
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: (i.order, i.label))


def nav_for(membership, current_path: str) -> list[dict]:
    """Top-bar entries in order: a link, or a group (dropdown) of links, themselves in
    sections (each with its heading) in the order of their first item."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    unit_limited = audit_scope(membership) is not None
    for item in _ITEMS:
        if membership.role not in item.roles:
            continue
        url = reverse(item.url_name, kwargs={"org_slug": membership.organization.slug})
        if unit_limited and not open_to_unit_auditors(url):
            continue
        # The home page is active only on itself; other sections also on their sub-pages.
        active = current_path == url if item.order == 0 else current_path.startswith(url)
        link = {"label": item.label, "url": url, "active": active}
        if not item.group:
            entries.append(link)
            continue
        if item.group not in groups:
            groups[item.group] = {"label": item.group, "sections": {}, "active": False}
            entries.append(groups[item.group])
        groups[item.group]["sections"].setdefault(item.section, []).append(link)
        groups[item.group]["active"] |= active
    for group in groups.values():
        group["sections"] = list(group["sections"].items())
        group["children"] = [link for _, links in group["sections"] for link in links]
    return entries


def open_to_unit_auditors(path: str) -> bool:
    """Whether the page at `path` opens for an auditor limited to a unit (qms.core.tenancy), so
    that their menu offers no page that would refuse them."""
    from qms.core.registers.definition import get_register

    match = resolve(path)
    if not getattr(match.func, "unit_scoped", False):
        return False
    key = match.kwargs.get("key")
    return key is None or readable_by_unit_auditors(get_register(key).model)
