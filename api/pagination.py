"""Pages of a dataset: a cursor, so a page never repeats or skips a row when records are added meanwhile."""

from __future__ import annotations

import base64
from itertools import islice

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 1000


class Cursor(CursorPagination):
    """Records by id (oldest first), as the exports order them."""

    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class RowCursor(BasePagination):
    """Pages of a computed dataset (qualification status, the audit trail), whose rows come in a fixed order.

    The cursor is an opaque position in that order: each page recomputes the rows before it, so a client reading
    the whole trail should ask for large pages.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor = _("Invalid cursor")

    def paginate_queryset(self, rows, request, view=None):
        self.request = request
        self.size = Cursor().get_page_size(request) or 100
        self.offset = self.decode(request.query_params.get(self.cursor_query_param))
        page = list(islice(rows, self.offset, self.offset + self.size + 1))
        self.more = len(page) > self.size
        return page[: self.size]

    def decode(self, cursor: str | None) -> int:
        if not cursor:
            return 0
        try:
            offset = int(base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii").removeprefix("o="))
        except (ValueError, UnicodeError):
            raise NotFound(self.invalid_cursor) from None
        if offset < 0 or offset > 2**53:
            raise NotFound(self.invalid_cursor)
        return offset

    def link(self, offset: int) -> str:
        url = self.request.build_absolute_uri()
        if offset <= 0:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(
            url, self.cursor_query_param, base64.urlsafe_b64encode(f"o={offset}".encode()).decode()
        )

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.link(self.offset + self.size) if self.more else None,
                "previous": self.link(self.offset - self.size) if self.offset else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return Cursor().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        return Cursor().get_schema_operation_parameters(view)
