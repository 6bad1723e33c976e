"""The objectives panel on the organisation's home page."""

from django.db.models import Q

from objectives import selectors
from objectives.models import QualityObjective


def home_panel_context(request) -> dict:
    """RAG counts of the active objectives that concern this member (accountable for or
    owned), and of the whole organisation."""
    membership = request.membership
    active = QualityObjective.objects.for_organization(request.organization).active()
    mine = active.filter(Q(accountable_executive=membership) | Q(owner=membership))
    attention = (
        mine.filter(current_status__in=["red", "no_data"])
        .select_related("org_unit")
        .order_by("current_status", "code")[:5]
    )
    return {
        "mine": selectors.rag_counts(mine),
        "everyone": selectors.rag_counts(active),
        "attention": attention,
        "has_mine": any(selectors.rag_counts(mine).values()),
    }
