"""``GET /api/public/v2/observations`` (``ObservationsV2Response``): Langfuse's v4 read path, which
the Langfuse SDK 5.x reads through ``langfuse.api.observations.get_many()``.

- Cursor pagination: ``limit`` 1-1000 (default 50) and ``cursor``; ``meta.cursor`` names the next page
  and is absent on the last. The cursor is opaque (base64url JSON); it holds the position in the
  listing's order (newest start first; trace order when filtered by ``traceId``), so observations
  written between two pages can shift it, as offsets do.
- ``fields``: Langfuse's groups ``core`` (always), ``basic``, ``time``, ``io``, ``metadata``,
  ``model``, ``usage``, ``prompt``, ``metrics``, ``trace_context``; default ``core,basic``. A field
  outside the groups asked for is left out, except the ``model`` prices the spec always requires
  (null). Unknown groups are a 400.
- ``io`` values are text, as Langfuse v4 returns them (JSON text for structured values);
  ``parseIoAsJson=true`` is a 400, as there. ``metadata`` texts longer than 200 characters are cut to
  200 (nested ones too: OTel attributes are under ``attributes``) unless under a top-level key
  named in ``expandMetadata``.
- Filters: ``name, userId, sessionId, type, traceId, level, parentObservationId`` (empty: only
  observations without a parent), ``isRootObservation``, ``environment`` (repeatable),
  ``fromStartTime``, ``toStartTime``, ``version``, and ``filter`` (the v1 columns and ``sessionId``),
  which takes precedence over the others.
- ``isRootObservation`` is true for an observation without a parent; ``bookmarked`` is false;
  ``createdAt`` is null (not kept) and ``updatedAt`` is the trace's last change; prices,
  ``modelId``, ``internalModelId``, ``promptId`` and ``usagePricingTierName`` are null.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, json_response, render_json
from otel_bridge.api.observations import FILTER_COLUMNS, observation_filter
from otel_bridge.api.openapi import query_parameters
from otel_bridge.api.params import FilterColumn, InvalidQuery, Query, apply_conditions
from otel_bridge.model import Observation
from otel_bridge.model.langfuse_wire import cost_details, iso, usage_details
from otel_bridge.receivers import AppContext
from otel_bridge.store import ObservationFilter, Project, Store, TraceFilter, TraceSummary
from otel_bridge.translate.payloads import resolve_payload

GROUPS = ("core", "basic", "time", "io", "metadata", "model", "usage", "prompt", "metrics", "trace_context")
DEFAULT_GROUPS = frozenset({"core", "basic"})
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
#: Metadata values longer than this are cut, unless named by ``expandMetadata``.
METADATA_CUT = 200
#: The groups that need the observation's trace.
TRACE_GROUPS = frozenset({"basic", "time", "trace_context"})
V2_FILTER_COLUMNS = {**FILTER_COLUMNS, "sessionId": FilterColumn("one", "session_id")}


def groups_of(query: Query) -> frozenset[str]:
    """The ``fields`` groups asked for."""
    text = query.string("fields")
    if text is None:
        return DEFAULT_GROUPS
    groups = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(groups - set(GROUPS))
    if unknown:
        raise InvalidQuery(f"fields must be a comma-separated list of {', '.join(GROUPS)}; got {unknown}")
    return frozenset(groups | {"core"})


def encode_cursor(offset: int) -> str:
    """The opaque cursor of the page starting at ``offset``."""
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> int:
    """The offset a cursor names (0 without one); ``InvalidQuery`` for one this server did not make."""
    if text is None:
        return 0
    try:
        document = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        offset = document["offset"]
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise InvalidQuery("cursor must be the meta.cursor of a previous response") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidQuery("cursor must be the meta.cursor of a previous response")
    return offset


def v2_filter(query: Query) -> ObservationFilter:
    """The v1 filters, plus ``sessionId``, ``isRootObservation`` and an empty ``parentObservationId``."""
    conditions = query.conditions()
    if conditions is not None:
        return ObservationFilter(**apply_conditions(conditions, V2_FILTER_COLUMNS))
    where = observation_filter(query)
    root = query.string("isRootObservation")
    is_root: bool | None = None
    if root is not None:
        if root.lower() not in ("true", "false"):
            raise InvalidQuery(f"isRootObservation must be true or false, got {root!r}")
        is_root = root.lower() == "true"
    if "parentObservationId" in query and where.parent_observation_id is None:
        is_root = True  # an empty parentObservationId: observations without a parent
    return ObservationFilter(
        **{**_fields(where), "session_id": query.string("sessionId"), "is_root": is_root},
    )


def _fields(where: ObservationFilter) -> dict[str, Any]:
    return {name: getattr(where, name) for name in where.__dataclass_fields__}


def _text(value: Any) -> str | None:
    """An input or output as Langfuse v4 returns it: text."""
    value = resolve_payload(value)
    if value is None or isinstance(value, str):
        return value
    return render_json(value).decode("utf-8")


def _cut(value: Any) -> Any:
    if isinstance(value, str):
        return value[:METADATA_CUT]
    if isinstance(value, dict):
        return {key: _cut(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cut(item) for item in value]
    return value


def _metadata(metadata: Mapping[str, Any], expand: frozenset[str]) -> dict[str, Any]:
    """Metadata with every text longer than ``METADATA_CUT`` cut to it, nested ones too (OTel spans
    keep their attributes under ``attributes``), except under the top-level keys in ``expand``."""
    return {key: value if key in expand else _cut(value) for key, value in metadata.items()}


def _seconds(start: Any, end: Any) -> float | None:
    return None if start is None or end is None else float((end - start).total_seconds())


def serialize_v2(
    o: Observation,
    project_id: str,
    trace: TraceSummary | None,
    groups: frozenset[str],
    expand: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """An ``ObservationV2`` with the fields of ``groups``."""
    t = trace.trace if trace is not None else None
    body: dict[str, Any] = {
        "id": o.id,
        "traceId": o.trace_id,
        "startTime": iso(o.start_time),
        "endTime": iso(o.end_time),
        "projectId": project_id,
        "parentObservationId": o.parent_observation_id,
        "type": o.type.value,
        "modelId": None,
        "inputPrice": None,
        "outputPrice": None,
        "totalPrice": None,
    }
    if "basic" in groups:
        body.update(
            name=o.name,
            level=o.level.value,
            statusMessage=o.status_message,
            version=o.version,
            environment=o.environment,
            bookmarked=False,
            public=t.public if t is not None else None,
            userId=t.user_id if t is not None else None,
            sessionId=t.session_id if t is not None else None,
            isRootObservation=o.parent_observation_id is None,
        )
    if "time" in groups:
        body.update(
            completionStartTime=iso(o.completion_start_time),
            createdAt=None,
            updatedAt=iso(trace.updated_at) if trace is not None else None,
        )
    if "io" in groups:
        body.update(input=_text(o.input), output=_text(o.output))
    if "metadata" in groups:
        body["metadata"] = _metadata(o.metadata, expand)
    if "model" in groups:
        body.update(providedModelName=o.model, internalModelId=None, modelParameters=dict(o.model_parameters))
    if "usage" in groups:
        body.update(
            usageDetails=usage_details(o.usage),
            costDetails=cost_details(o.cost),
            totalCost=o.cost.total if o.cost is not None else None,
            usagePricingTierName=None,
        )
    if "prompt" in groups:
        body.update(promptId=None, promptName=o.prompt_name, promptVersion=o.prompt_version)
    if "metrics" in groups:
        body.update(
            latency=_seconds(o.start_time, o.end_time),
            timeToFirstToken=_seconds(o.start_time, o.completion_start_time),
        )
    if "trace_context" in groups:
        body.update(
            tags=list(t.tags) if t is not None else None,
            release=t.release if t is not None else None,
            traceName=t.name if t is not None else None,
        )
    return body


def traces_of(
    store: Store, project_id: str, observations: tuple[Observation, ...]
) -> dict[str, TraceSummary]:
    """The traces of a page of observations, by id, in one read."""
    ids = tuple(sorted({o.trace_id for o in observations}))
    if not ids:
        return {}
    page = store.list_traces(project_id, TraceFilter(ids=ids), limit=len(ids))
    return {summary.trace.id: summary for summary in page.items}


def routes(context: AppContext) -> list[BaseRoute]:
    """The v2 observations route."""
    store = context.store

    async def get_many(request: Request, project: Project) -> Response:
        query = Query(request.query_params, query_parameters("/api/public/v2/observations"))
        if (query.string("parseIoAsJson") or "false").lower() != "false":
            raise InvalidQuery("parseIoAsJson is deprecated: input and output are always text; remove it")
        groups = groups_of(query)
        limit = query.integer("limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        offset = decode_cursor(query.string("cursor"))
        expand = frozenset(part.strip() for part in (query.string("expandMetadata") or "").split(","))
        where = v2_filter(query)
        page = await blocking(store.list_observations, project.id, where, offset=offset, limit=limit)
        traces: dict[str, TraceSummary] = {}
        if groups & TRACE_GROUPS:
            traces = await blocking(traces_of, store, project.id, page.items)
        meta: dict[str, Any] = {}
        if offset + len(page.items) < page.total:
            meta["cursor"] = encode_cursor(offset + len(page.items))
        data = [serialize_v2(o, project.id, traces.get(o.trace_id), groups, expand) for o in page.items]
        return json_response({"data": data, "meta": meta})

    return [Route("/api/public/v2/observations", authenticated(context, get_many), methods=["GET"])]


__all__ = ["GROUPS", "decode_cursor", "encode_cursor", "groups_of", "routes", "serialize_v2", "v2_filter"]
