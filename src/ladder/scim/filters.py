"""SCIM filters (RFC 7644 §3.4.2.2) as Django queries: scim2-filter-parser reads the filter and
combines its parts (and, or, not, brackets); each comparison is made here, on the attributes
Ladder keeps, with email addresses compared in canonical_email's spelling as sign-in does."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import Transpiler
from scim2_models import InvalidFilterException

from ladder.people.emails import canonical_email

from .resources import resource_id

# Lookups for a case-insensitive string attribute, then for one compared exactly.
_FOLDED = {"eq": "iexact", "co": "icontains", "sw": "istartswith", "ew": "iendswith"}
_EXACT = {"eq": "exact", "co": "contains", "sw": "startswith", "ew": "endswith"}


def _field(name: str, lookups: dict, prepare: Callable[[str], str] = str):
    def compare(op: str, value) -> Q:
        if op == "pr":
            return Q(**{f"{name}__gt": ""})
        if op not in lookups or not isinstance(value, str):
            raise _unsupported(op)
        return Q(**{f"{name}__{lookups[op]}": prepare(value)})

    return compare


def _user_name(op: str, value) -> Q:
    """A person's userName is what the identity provider sent, else their email."""
    if op == "pr":
        return Q(pk__isnull=False)  # everyone has one
    if op not in _EXACT or not isinstance(value, str):
        raise _unsupported(op)
    lookup, key = _EXACT[op], canonical_email(value)
    return Q(**{f"scim__user_name__{lookup}": key}) | Q(
        scim__isnull=True, **{f"email__{lookup}": key}
    )


def _id_of(name: str):
    """Equality with a resource id; a value that is no id matches nothing."""

    def compare(op: str, value) -> Q:
        if op != "eq" or not isinstance(value, str):
            raise _unsupported(op)
        pk = resource_id(value)
        return Q(**{name: pk}) if pk is not None else Q(pk__in=[])

    return compare


_id = _id_of("pk")


# (attribute, sub-attribute, schema URN), in lower case, as the parser gives them.
USER_FILTERS = {
    ("id", None, None): _id,
    ("username", None, None): _user_name,
    ("emails", None, None): _field("email", _EXACT, canonical_email),
    ("emails", "value", None): _field("email", _EXACT, canonical_email),
    ("externalid", None, None): _field("scim__external_id", _EXACT),
    ("displayname", None, None): _field("scim__display_name", _FOLDED),
    ("name", "formatted", None): _field("name", _FOLDED),
    ("name", "givenname", None): _field("scim__given_name", _FOLDED),
    ("name", "familyname", None): _field("scim__family_name", _FOLDED),
}
GROUP_FILTERS = {
    ("id", None, None): _id,
    ("displayname", None, None): _field("name", _FOLDED),
    ("externalid", None, None): _field("scim__external_id", _EXACT),
    ("members", None, None): _id_of("members__pk"),
    ("members", "value", None): _id_of("members__pk"),
}


def _unsupported(what: str) -> InvalidFilterException:
    return InvalidFilterException(
        detail=f"This filter compares with {what!r}, which is not supported here."
    )


class _Comparisons(Transpiler):
    """The parser's own walk over and/or/not, with each comparison made by `filters`."""

    def __init__(self, filters: dict):
        super().__init__({})
        self.filters = filters

    def visit_AttrExpr(self, node):
        path = node.attr_path
        if isinstance(path.attr_name, scim_ast.Filter):
            raise _unsupported("a filter inside an attribute path")
        key = (
            path.attr_name.lower(),
            path.sub_attr.value.lower() if path.sub_attr else None,
            _schema(path.uri),
        )
        compare = self.filters.get(key)
        if compare is None:
            name = ".".join(part for part in key[:2] if part)
            raise InvalidFilterException(detail=f"No filter on the attribute {name!r} here.")
        op = node.value.lower()
        value = self.visit(node.comp_value) if node.comp_value else None
        if op == "ne":
            return ~compare("eq", value)
        if op in {"gt", "ge", "lt", "le"}:
            raise _unsupported(op)
        return compare(op, value)


# The core schemas may name an attribute in full ("urn:...:core:2.0:User:userName"): the same
# attribute as the bare name.
CORE_SCHEMAS = {
    "urn:ietf:params:scim:schemas:core:2.0:user",
    "urn:ietf:params:scim:schemas:core:2.0:group",
}
# Longer than any filter an identity provider sends; the parser walks a filter recursively, so
# a bound on its length is a bound on the depth of that walk.
MAX_FILTER_LENGTH = 1000


def _schema(uri: str | None) -> str | None:
    if not uri:
        return None
    uri = uri.lower().rstrip(":")
    return None if uri in CORE_SCHEMAS else uri


def filter_query(text: str, filters: dict) -> Q:
    """The query a filter stands for, or InvalidFilterException (400 invalidFilter)."""
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidFilterException(
            detail=f"The filter is {len(text)} characters long; at most {MAX_FILTER_LENGTH} are read."
        )
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
        query = _Comparisons(filters).transpile(tree)
    except (SCIMParserError, ValueError, TypeError, AttributeError, RecursionError) as error:
        raise InvalidFilterException(detail=f"The filter cannot be read: {error}") from error
    if query is None:
        raise InvalidFilterException(detail="The filter cannot be read.")
    return query
