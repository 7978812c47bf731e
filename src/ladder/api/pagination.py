"""Lists that grow (people, evidence, the audit log) page by cursor: each page links the
next, and a cursor holds a position, never an offset into a list that moves underneath it.

django-ninja's CursorPagination does the work; this adds the position's check, so a cursor
edited by hand is a 422 naming it, never a database error.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja.errors import ValidationError
from ninja.pagination import CursorPagination
from pydantic import ValidationError as PydanticError

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class Cursor(CursorPagination):
    def __init__(self, *, ordering, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs):
        super().__init__(
            ordering=ordering, page_size=page_size, max_page_size=max_page_size, **kwargs
        )

    def paginate_queryset(self, queryset, pagination, request, **params):
        try:
            self.Cursor.from_encoded_param(pagination.cursor)
        except (PydanticError, UnicodeError):
            raise ValidationError([{"cursor": "Not a cursor this list gave."}]) from None
        return super().paginate_queryset(queryset, pagination, request, **params)

    def _find_position(self, queryset, cursor):
        if cursor.p is not None:
            field = queryset.model._meta.get_field(self._order_attribute)
            try:
                if "\x00" in cursor.p:
                    raise DjangoValidationError("NUL")
                field.to_python(cursor.p)
            except (DjangoValidationError, ValueError, TypeError):
                raise ValidationError([{"cursor": "Not a cursor this list gave."}]) from None
        return super()._find_position(queryset, cursor)
