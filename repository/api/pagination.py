"""Cursor pagination: no COUNT(*), stable pages while rows are added."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    # The primary key: unique (as a cursor needs), indexed, and in creation order.
    ordering = "-id"
