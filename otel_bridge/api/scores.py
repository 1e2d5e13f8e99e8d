"""Scores: ``POST /api/public/scores`` (``CreateScoreRequest`` → ``CreateScoreResponse``),
``GET /api/public/v2/scores`` (``GetScoresResponse``), ``GET /api/public/v2/scores/{scoreId}``
(``Score``) and ``DELETE /api/public/scores/{scoreId}`` (204); ``GET /api/public/scores`` and
``GET /api/public/scores/{scoreId}`` answer as their v2 routes (Langfuse's server keeps those v1
paths too).

- The body of ``POST`` follows ``translate/langfuse_ingestion/scores.py`` (the rules of a batch's
  ``score-create``); a bad one is a 400 naming the field. The Langfuse SDK 5.x sends a JSON *array* of
  them: that is answered as Langfuse does, 202 ``{"message": "Accepted"}`` when every score was
  stored, else 207 ``{accepted, rejected, errors: [{message}]}`` (the valid ones are stored).
- The list's filters are Langfuse's (``scoreIds`` and ``observationId`` comma-separated; ``operator``
  with ``value``; ``userId`` and ``traceTags`` on the scored trace, which need the ``trace`` field
  group); ``fields`` is ``score`` (always) and ``trace`` (the scored trace's ``userId``, ``tags``,
  ``environment``, ``sessionId``; null when the trace is not stored). ``filter`` is refused (400).
- ``authorUserId`` is always null (no users here); absent metadata is ``{}``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, get_args

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, json_response
from otel_bridge.api.openapi import query_parameters
from otel_bridge.api.params import InvalidQuery, Query
from otel_bridge.errors import DecodeError, EventError, NotFound
from otel_bridge.model import Score, ScoreDataType, ScoreSource
from otel_bridge.model.langfuse_wire import iso
from otel_bridge.receivers import AppContext
from otel_bridge.receivers.http import HttpLimits, read_body
from otel_bridge.store import ListedScore, Project, ScoreFilter, ScoreOperator
from otel_bridge.translate.langfuse_ingestion.scores import parse_score

#: Score bodies are small; Langfuse's route takes Next.js's default 1 MiB.
LIMITS = HttpLimits(max_request_bytes=1024 * 1024, max_decompressed_bytes=4 * 1024 * 1024)
FIELD_GROUPS = ("score", "trace")
OPERATORS: tuple[str, ...] = get_args(ScoreOperator)


class InvalidScore(DecodeError):
    """A score body that breaks a rule (HTTP 400 through the status table: a ``DecodeError``)."""


def serialize_score(score: Score) -> dict[str, Any]:
    """A ``Score`` (v2): ``BaseScore`` and the value fields of its data type."""
    body: dict[str, Any] = {
        "id": score.id,
        "traceId": score.trace_id,
        "sessionId": score.session_id,
        "observationId": score.observation_id,
        "datasetRunId": score.dataset_run_id,
        "name": score.name,
        "source": score.source.value,
        "timestamp": iso(score.timestamp),
        "createdAt": iso(score.created_at),
        "updatedAt": iso(score.updated_at),
        "authorUserId": None,
        "comment": score.comment,
        "metadata": {} if score.metadata is None else score.metadata,
        "configId": score.config_id,
        "queueId": score.queue_id,
        "environment": score.environment,
        "dataType": score.data_type.value,
        "value": score.value,
    }
    if score.data_type is not ScoreDataType.NUMERIC:
        body["stringValue"] = score.string_value
    return body


def serialize_score_v1(score: Score) -> dict[str, Any]:
    """A ``ScoreV1`` (in a trace's detail): no session or dataset run fields."""
    body = serialize_score(score)
    del body["sessionId"], body["datasetRunId"]
    return body


def serialize_listed(listed: ListedScore, with_trace: bool) -> dict[str, Any]:
    """A ``GetScoresResponseData`` item."""
    body = serialize_score(listed.score)
    if with_trace:
        trace = listed.trace
        body["trace"] = (
            None
            if trace is None
            else {
                "userId": trace.user_id,
                "tags": list(trace.tags),
                "environment": trace.environment,
                "sessionId": trace.session_id,
            }
        )
    return body


def score_query(query: Query) -> tuple[ScoreFilter, bool]:
    """The list's filter and whether the ``trace`` field group is asked for."""
    if query.string("filter") is not None:
        raise InvalidQuery("filter is not supported on scores; use the query parameters (name, traceId, …)")
    groups = set(query.comma_list("fields")) or set(FIELD_GROUPS)
    unknown = sorted(groups - set(FIELD_GROUPS))
    if unknown:
        raise InvalidQuery(
            f"fields must be a comma-separated list of {', '.join(FIELD_GROUPS)}; got {unknown}"
        )
    with_trace = "trace" in groups
    user_id, trace_tags = query.string("userId"), query.strings("traceTags")
    if (user_id is not None or trace_tags) and not with_trace:
        raise InvalidQuery("userId and traceTags filter by the scored trace: include 'trace' in fields")
    operator, value = query.string("operator"), query.number("value")
    if (operator is None) != (value is None):
        raise InvalidQuery("operator and value go together: give both or neither")
    if operator is not None and operator not in OPERATORS:
        raise InvalidQuery(f"operator must be one of {', '.join(OPERATORS)}, got {operator!r}")
    trace_id = query.string("traceId")
    session_id = query.string("sessionId")
    where = ScoreFilter(
        score_ids=query.comma_list("scoreIds"),
        trace_ids=(trace_id,) if trace_id else (),
        observation_ids=query.comma_list("observationId"),
        session_ids=(session_id,) if session_id else (),
        name=query.string("name"),
        source=query.choice("source", ScoreSource),
        data_type=query.choice("dataType", ScoreDataType),
        environments=query.strings("environment"),
        from_timestamp=query.datetime("fromTimestamp"),
        to_timestamp=query.datetime("toTimestamp"),
        config_id=query.string("configId"),
        queue_id=query.string("queueId"),
        dataset_run_id=query.string("datasetRunId"),
        user_id=user_id,
        trace_tags=trace_tags,
        value_operator=operator,  # type: ignore[arg-type]  # checked against OPERATORS above
        value=value,
    )
    return where, with_trace


def _now() -> datetime:
    return datetime.now(timezone.utc)


def parse_body(data: bytes) -> Any:
    """The JSON of a request body; ``InvalidScore`` otherwise."""
    try:
        return json.loads(data)
    except ValueError as error:
        raise InvalidScore(f"body is not valid JSON: {error}") from None


def parse_one(item: Any, now: datetime) -> Score:
    """One ``CreateScoreRequest``; ``InvalidScore`` naming the broken field."""
    if not isinstance(item, dict):
        raise InvalidScore("a score must be an object with name and value (CreateScoreRequest)")
    try:
        return parse_score(item, timestamp=now, now=now)
    except EventError as error:
        raise InvalidScore(error.message) from None


def routes(context: AppContext) -> list[BaseRoute]:
    """The score routes."""
    store = context.store

    async def create(request: Request, project: Project) -> Response:
        document = parse_body(await read_body(request, LIMITS))
        now = _now()
        if not isinstance(document, list):
            score = parse_one(document, now)
            await blocking(store.write_scores, project.id, [score])
            return json_response({"id": score.id})
        accepted: list[Score] = []
        errors: list[dict[str, str]] = []
        for index, item in enumerate(document):
            try:
                accepted.append(parse_one(item, now))
            except InvalidScore as error:
                errors.append({"message": f"scores[{index}]: {error.message}"})
        if accepted:
            await blocking(store.write_scores, project.id, accepted)
        if not errors:
            return json_response({"message": "Accepted"}, 202)
        return json_response({"accepted": len(accepted), "rejected": len(errors), "errors": errors}, 207)

    async def list_scores(request: Request, project: Project) -> Response:
        query = Query(request.query_params, query_parameters("/api/public/v2/scores"))
        window = query.pagination()
        where, with_trace = score_query(query)
        page = await blocking(store.list_scores, project.id, where, offset=window.offset, limit=window.limit)
        return json_response(
            {"data": [serialize_listed(s, with_trace) for s in page.items], "meta": window.meta(page.total)}
        )

    async def get_score(request: Request, project: Project) -> Response:
        Query(request.query_params, ())  # none accepted: refuses any
        score_id = request.path_params["score_id"]
        try:
            score = await blocking(store.get_score, project.id, score_id)
        except NotFound:
            raise NotFound(f"Score {score_id} not found within authorized project") from None
        return json_response(serialize_score(score))

    async def delete_score(request: Request, project: Project) -> Response:
        score_id = request.path_params["score_id"]
        try:
            await blocking(store.delete_score, project.id, score_id)
        except NotFound:
            raise NotFound(f"Score {score_id} not found within authorized project") from None
        return Response(status_code=204)

    by_id = "/api/public/scores/{score_id:path}"
    return [
        Route("/api/public/scores", authenticated(context, create), methods=["POST"]),
        Route("/api/public/scores", authenticated(context, list_scores), methods=["GET"]),
        Route("/api/public/v2/scores", authenticated(context, list_scores), methods=["GET"]),
        Route("/api/public/v2/scores/{score_id:path}", authenticated(context, get_score), methods=["GET"]),
        Route(by_id, authenticated(context, get_score), methods=["GET"]),
        Route(by_id, authenticated(context, delete_score), methods=["DELETE"]),
    ]


__all__ = [
    "FIELD_GROUPS",
    "LIMITS",
    "InvalidScore",
    "parse_one",
    "routes",
    "score_query",
    "serialize_listed",
    "serialize_score",
    "serialize_score_v1",
]
