"""Query parameters of the read API, parsed once at the edge: every refusal is a 400 whose message names
the parameter and the rule it broke (Langfuse answers a zod error there; ours is one sentence).

Langfuse v1 pagination (``publicApiPaginationZod``): ``page`` ≥ 1 (default 1), ``limit`` 1–100
(default 50); responses carry ``meta {page, limit, totalItems, totalPages}``. Array parameters
(``environment``, ``tags``) are repeated (``?tags=a&tags=b``), as Langfuse's generated clients send
them. Each route names the parameters it accepts (Langfuse's names for that operation, as
``/openapi.json`` lists them); any other is a 400 naming it and listing the accepted ones, because a
misspelt or unsupported filter that is silently ignored returns everything and looks like an answer.

``filter`` (Langfuse's JSON array of ``{type, column, operator, value, key?}`` conditions) is
understood where a condition maps onto the store's filters: equality on the simple columns, ``any of``
on the environment, ``all of`` on tags, and time bounds; any other condition is a 400 naming it,
never silently ignored.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from starlette.datastructures import QueryParams

from otel_bridge.errors import DecodeError
from otel_bridge.model.langfuse_wire import parse_timestamp

E = TypeVar("E", bound=enum.Enum)

DEFAULT_PAGE = 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


class InvalidQuery(DecodeError):
    """A query parameter that breaks its rule (HTTP 400 through the status table: a ``DecodeError``)."""


@dataclass(frozen=True, slots=True)
class Pagination:
    """Langfuse's v1 page window."""

    page: int = DEFAULT_PAGE
    limit: int = DEFAULT_LIMIT

    @property
    def offset(self) -> int:
        """Items before this page."""
        return (self.page - 1) * self.limit

    def meta(self, total: int) -> dict[str, int]:
        """``utilsMetaResponse``: ``totalPages = ceil(totalItems / limit)``."""
        return {
            "page": self.page,
            "limit": self.limit,
            "totalItems": total,
            "totalPages": math.ceil(total / self.limit),
        }


def parse_datetime(name: str, text: str) -> datetime:
    """``langfuse_wire.parse_timestamp`` for a query parameter: ``InvalidQuery`` naming it."""
    try:
        return parse_timestamp(name, text)
    except ValueError as error:
        raise InvalidQuery(str(error)) from None


class Query:
    """Typed access to a request's query parameters; each accessor raises ``InvalidQuery``."""

    def __init__(self, params: QueryParams | Mapping[str, str], accepted: Collection[str]) -> None:
        """``accepted``: every parameter the route understands; any other is an ``InvalidQuery``."""
        self._params = params if isinstance(params, QueryParams) else QueryParams(dict(params))
        unknown = [name for name in dict.fromkeys(self._params.keys()) if name not in accepted]
        if unknown:
            listed = ", ".join(accepted) if accepted else "none"
            raise InvalidQuery(
                f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(name) for name in unknown)}; this route accepts: {listed}"
            )

    def __contains__(self, name: str) -> bool:
        return name in self._params

    def string(self, name: str) -> str | None:
        """A single string; absent or empty is None (Langfuse's clients send empty for unset)."""
        values = self._params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise InvalidQuery(f"{name} must be given at most once, got {len(values)} values")
        return values[0] or None

    def strings(self, name: str) -> tuple[str, ...]:
        """A repeated parameter (``?name=a&name=b``), empty values dropped, order kept."""
        return tuple(value for value in self._params.getlist(name) if value)

    def integer(
        self, name: str, *, default: int, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        """An integer within ``[minimum, maximum]``."""
        text = self.string(name)
        if text is None:
            return default
        rule = _range_rule(minimum, maximum)
        try:
            value = int(text.strip())
        except ValueError:
            raise InvalidQuery(f"{name} must be an integer{rule}, got {text!r}") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise InvalidQuery(f"{name} must be an integer{rule}, got {value}")
        return value

    def number(self, name: str) -> float | None:
        """A number."""
        text = self.string(name)
        if text is None:
            return None
        try:
            return float(text)
        except ValueError:
            raise InvalidQuery(f"{name} must be a number, got {text!r}") from None

    def comma_list(self, name: str) -> tuple[str, ...]:
        """A comma-separated list (``?scoreIds=a,b``), blanks dropped, order kept."""
        text = self.string(name)
        return () if text is None else tuple(part.strip() for part in text.split(",") if part.strip())

    def datetime(self, name: str) -> datetime | None:
        """An ISO 8601 date-time."""
        text = self.string(name)
        return None if text is None else parse_datetime(name, text)

    def choice(self, name: str, enum_type: type[E]) -> E | None:
        """One of an enum's values (case-insensitive, as Langfuse's clients send upper case)."""
        text = self.string(name)
        if text is None:
            return None
        for member in enum_type:
            if str(member.value).lower() == text.strip().lower():
                return member
        allowed = ", ".join(str(member.value) for member in enum_type)
        raise InvalidQuery(f"{name} must be one of {allowed}, got {text!r}")

    def pagination(self) -> Pagination:
        """``page`` (≥ 1, default 1) and ``limit`` (1-100, default 50)."""
        return Pagination(
            page=self.integer("page", default=DEFAULT_PAGE, minimum=1),
            limit=self.integer("limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT),
        )

    def conditions(self) -> tuple[Condition, ...] | None:
        """The ``filter`` parameter's conditions; None when it is absent."""
        text = self.string("filter")
        return None if text is None else parse_filter(text)


def _range_rule(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


# -- Langfuse's ``filter`` parameter --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of Langfuse's ``filter`` JSON array."""

    type: str
    column: str
    operator: str
    value: Any = None
    key: str | None = None

    def describe(self) -> str:
        """How the condition is named in error messages."""
        return f"{{type {self.type!r}, column {self.column!r}, operator {self.operator!r}}}"


def parse_filter(text: str) -> tuple[Condition, ...]:
    """The conditions of a ``filter`` value: a JSON array of ``{type, column, operator, value, key?}``."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidQuery(f"filter must be a JSON array of conditions: {error}") from None
    if not isinstance(document, list):
        raise InvalidQuery("filter must be a JSON array of {type, column, operator, value} conditions")
    conditions: list[Condition] = []
    for index, item in enumerate(document):
        where = f"filter[{index}]"
        if not isinstance(item, dict):
            raise InvalidQuery(f"{where} must be an object with type, column, operator and value")
        fields: dict[str, str] = {}
        for field in ("type", "column", "operator"):
            value = item.get(field)
            if not isinstance(value, str) or not value:
                raise InvalidQuery(f"{where}.{field} is required and must be a non-empty string")
            fields[field] = value
        if "value" not in item and fields["type"] != "null":
            raise InvalidQuery(f"{where}.value is required for type {fields['type']!r}")
        key = item.get("key")
        if key is not None and not isinstance(key, str):
            raise InvalidQuery(f"{where}.key must be a string")
        conditions.append(Condition(value=item.get("value"), key=key, **fields))
    return tuple(conditions)


#: How a ``filter`` column maps onto a store filter field:
#: ``one``: a single value (``string =``, or ``stringOptions``/``categoryOptions`` ``any of`` one value);
#: ``any``: a tuple matched by any (``string =``, ``stringOptions any of``);
#: ``all``: a tuple that must all match (``arrayOptions all of``, or ``any of`` one value);
#: ``time``: a ``datetime`` bound, onto the ``(from, to)`` fields named.
ColumnKind = Literal["one", "any", "all", "time"]


@dataclass(frozen=True, slots=True)
class FilterColumn:
    """Where one ``filter`` column goes in a store filter."""

    kind: ColumnKind
    field: str
    to_field: str | None = None
    enum_type: type[enum.Enum] | None = None


#: The finest step of the API's datetimes: turns ``>`` into ``>=`` and ``<=`` into ``<``.
_TICK = timedelta(microseconds=1)


def apply_conditions(
    conditions: tuple[Condition, ...], columns: Mapping[str, FilterColumn]
) -> dict[str, Any]:
    """The store filter fields (``{field: value}``) the conditions ask for; any condition the columns
    cannot express is an ``InvalidQuery`` listing what is supported."""
    fields: dict[str, Any] = {}
    for index, condition in enumerate(conditions):
        column = columns.get(condition.column)
        if column is None:
            raise InvalidQuery(
                f"filter[{index}]: column {condition.column!r} is not supported here; "
                f"supported columns: {', '.join(sorted(columns))}"
            )
        value = _condition_value(index, condition, column)
        if column.kind == "time":
            moment, is_upper = value
            name = column.to_field if is_upper else column.field
            assert name is not None
            fields[name] = moment
        elif column.kind == "all":
            fields[column.field] = tuple(fields.get(column.field, ())) + value
        else:
            fields[column.field] = value
    return fields


def _condition_value(index: int, condition: Condition, column: FilterColumn) -> Any:
    where = f"filter[{index}] {condition.describe()}"
    kind, operator, value = column.kind, condition.operator.strip().lower(), condition.value
    options = value if isinstance(value, list) else None
    if kind == "time":
        if condition.type != "datetime" or operator not in (">=", ">", "<", "<="):
            raise InvalidQuery(f"{where}: use type 'datetime' with one of >=, >, <, <=")
        if not isinstance(value, str):
            raise InvalidQuery(f"{where}: value must be an ISO 8601 date-time string")
        moment = parse_datetime(f"filter[{index}].value", value)
        if operator in (">", "<="):
            moment += _TICK
        return moment, operator in ("<", "<=")
    if condition.type == "string" and operator == "=" and isinstance(value, str):
        values: tuple[str, ...] = (value,)
    elif (
        condition.type in ("stringOptions", "categoryOptions", "arrayOptions")
        and operator in ("any of", "all of")
        and options is not None
        and all(isinstance(item, str) for item in options)
        and options
    ):
        values = tuple(options)
        if operator == "all of" and kind != "all":
            raise InvalidQuery(f"{where}: 'all of' applies to array columns only")
        if operator == "any of" and kind != "any" and len(values) != 1:
            raise InvalidQuery(f"{where}: 'any of' is supported with a single value on this column")
    else:
        raise InvalidQuery(
            f"{where} is not supported: use type 'string' with operator '=', or an options type with "
            "'any of' (and 'all of' for tags)"
        )
    if column.enum_type is not None:
        values = tuple(_enum_value(where, column.enum_type, item) for item in values)
    if kind == "one":
        return values[0]
    return values


def _enum_value(where: str, enum_type: type[enum.Enum], text: str) -> Any:
    for member in enum_type:
        if str(member.value).lower() == text.lower():
            return member
    allowed = ", ".join(str(member.value) for member in enum_type)
    raise InvalidQuery(f"{where}: value must be one of {allowed}, got {text!r}")


__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_PAGE",
    "MAX_LIMIT",
    "Condition",
    "FilterColumn",
    "InvalidQuery",
    "Pagination",
    "Query",
    "apply_conditions",
    "parse_datetime",
    "parse_filter",
]
