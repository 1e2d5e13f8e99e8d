"""Observations: ``GET /api/public/observations`` (``legacyObservationsViews``) and
``GET /api/public/observations/{observationId}`` (``ObservationsViewSingle``), and the
``ObservationsView`` serializer the trace detail reuses.

Field mapping (Langfuse spec, ``Observation`` + ``ObservationsView``; every one of them required,
most nullable):

- ``usageDetails`` and ``costDetails`` as ``langfuse_wire.usage_details`` and ``cost_details`` write
  them; the deprecated ``usage`` carries ``input/output/total`` with ``unit: "TOKENS"`` (null without
  usage).
- ``calculated*Cost`` repeat the ``costDetails`` (Langfuse fills these with the cost it used, given or
  computed); prices and ``modelId`` are null: otel-bridge keeps costs, not the price rows behind them.
- ``latency`` and ``timeToFirstToken`` are seconds; ``promptId`` is null (no prompt management).
- Inputs and outputs kept as ``Payload`` text are resolved to their readable value here.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, json_response
from otel_bridge.api.params import FilterColumn, Query, apply_conditions
from otel_bridge.errors import NotFound
from otel_bridge.model import Observation, ObservationLevel, ObservationType
from otel_bridge.model.langfuse_wire import cost_details, iso, usage_details
from otel_bridge.receivers import AppContext
from otel_bridge.store import ObservationFilter, Project
from otel_bridge.translate.payloads import resolve_payload

#: ``filter`` columns of ``GET /api/public/observations`` and the ``ObservationFilter`` fields they set.
FILTER_COLUMNS = {
    "traceId": FilterColumn("one", "trace_id"),
    "type": FilterColumn("one", "type", enum_type=ObservationType),
    "name": FilterColumn("one", "name"),
    "level": FilterColumn("one", "level", enum_type=ObservationLevel),
    "parentObservationId": FilterColumn("one", "parent_observation_id"),
    "userId": FilterColumn("one", "user_id"),
    "environment": FilterColumn("any", "environments"),
    "startTime": FilterColumn("time", "from_start_time", "to_start_time"),
    "version": FilterColumn("one", "version"),
}

#: The query parameters of the listing: Langfuse's, in its spec's order (the detail takes none).
LIST_PARAMETERS = (
    "page",
    "limit",
    "name",
    "userId",
    "type",
    "traceId",
    "level",
    "parentObservationId",
    "environment",
    "fromStartTime",
    "toStartTime",
    "version",
    "filter",
)


def _seconds(start: Any, end: Any) -> float | None:
    if start is None or end is None:
        return None
    return float((end - start).total_seconds())


def serialize_observation(observation: Observation) -> dict[str, Any]:
    """An ``ObservationsView``."""
    o = observation
    usage = o.usage
    cost = o.cost
    cost_in = cost.input if cost is not None else None
    cost_out = cost.output if cost is not None else None
    cost_total = cost.total if cost is not None else None
    return {
        "id": o.id,
        "traceId": o.trace_id,
        "type": o.type.value,
        "name": o.name,
        "startTime": iso(o.start_time),
        "endTime": iso(o.end_time),
        "completionStartTime": iso(o.completion_start_time),
        "model": o.model,
        "modelParameters": dict(o.model_parameters),
        "input": resolve_payload(o.input),
        "output": resolve_payload(o.output),
        "version": o.version,
        "metadata": dict(o.metadata),
        "usage": {
            "input": usage.input,
            "output": usage.output,
            "total": usage.total,
            "unit": "TOKENS" if usage else None,
            "inputCost": cost_in,
            "outputCost": cost_out,
            "totalCost": cost_total,
        },
        "level": o.level.value,
        "statusMessage": o.status_message,
        "parentObservationId": o.parent_observation_id,
        "promptId": None,
        "usageDetails": usage_details(usage),
        "costDetails": cost_details(cost),
        "environment": o.environment,
        "promptName": o.prompt_name,
        "promptVersion": o.prompt_version,
        "modelId": None,
        "inputPrice": None,
        "outputPrice": None,
        "totalPrice": None,
        "calculatedInputCost": cost_in,
        "calculatedOutputCost": cost_out,
        "calculatedTotalCost": cost_total,
        "latency": _seconds(o.start_time, o.end_time),
        "timeToFirstToken": _seconds(o.start_time, o.completion_start_time),
    }


def observation_filter(query: Query) -> ObservationFilter:
    """The filter of ``GET /api/public/observations``; ``filter`` takes precedence over the simple
    parameters, as in Langfuse."""
    conditions = query.conditions()
    if conditions is not None:
        return ObservationFilter(**apply_conditions(conditions, FILTER_COLUMNS))
    return ObservationFilter(
        trace_id=query.string("traceId"),
        type=query.choice("type", ObservationType),
        name=query.string("name"),
        level=query.choice("level", ObservationLevel),
        parent_observation_id=query.string("parentObservationId"),
        user_id=query.string("userId"),
        environments=query.strings("environment"),
        from_start_time=query.datetime("fromStartTime"),
        to_start_time=query.datetime("toStartTime"),
        version=query.string("version"),
    )


def routes(context: AppContext) -> list[BaseRoute]:
    """The observation routes."""
    store = context.store

    async def list_observations(request: Request, project: Project) -> Response:
        query = Query(request.query_params, LIST_PARAMETERS)
        window = query.pagination()
        where = observation_filter(query)
        page = await blocking(
            store.list_observations, project.id, where, offset=window.offset, limit=window.limit
        )
        return json_response(
            {"data": [serialize_observation(o) for o in page.items], "meta": window.meta(page.total)}
        )

    async def get_observation(request: Request, project: Project) -> Response:
        observation_id = request.path_params["observation_id"]
        Query(request.query_params, ())  # none accepted: refuses any
        try:
            observation = await blocking(store.get_observation, project.id, observation_id)
        except NotFound:
            raise NotFound(f"Observation {observation_id} not found within authorized project") from None
        return json_response(serialize_observation(observation))

    return [
        Route("/api/public/observations", authenticated(context, list_observations), methods=["GET"]),
        Route(
            "/api/public/observations/{observation_id:path}",
            authenticated(context, get_observation),
            methods=["GET"],
        ),
    ]


__all__ = ["FILTER_COLUMNS", "LIST_PARAMETERS", "observation_filter", "routes", "serialize_observation"]
