"""API pagination: small pages by default; a client may ask for up to 200 rows."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class NewestFirstCursorPagination(CursorPagination):
    """For tables that grow without bound (measurements, rollups): a page costs the same at
    row 10 or row 1,000,000 because there is no COUNT and no OFFSET."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-period_end", "-id")
