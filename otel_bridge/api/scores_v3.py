"""``GET /api/public/v3/scores`` (``GetScoresV3Response``): the score list the Langfuse SDK 5.x reads
through ``langfuse.api.scores.get_many()``.

- Cursor pagination: ``limit`` 1-100 (default 50), ``cursor`` (``meta.cursor``, absent on the last
  page), over the listing newest first (the cursor holds the position, as in
  ``observations_v2.py``).
- ``value`` is typed by ``dataType``: a number (numeric), a boolean, a string (categorical).
  ``fields`` adds ``details`` (``comment``, ``configId``, ``metadata``), ``subject`` (``{kind, id,
  traceId?}``: the observation, trace, session or experiment scored) and ``annotation``
  (``authorUserId``, always null here, and ``queueId``); other names are a 400.
- Filters are Langfuse's comma-separated lists. ``id``, ``traceId``, ``sessionId``,
  ``observationId`` and ``environment`` take several values; ``name``, ``source``, ``dataType``,
  ``configId``, ``queueId``, ``experimentId`` and ``value`` one (a list of several is a 400 saying
  so). ``traceId`` excludes ``sessionId`` and ``experimentId``; ``observationId`` needs ``traceId``;
  ``value`` needs one ``dataType`` of NUMERIC, BOOLEAN or CATEGORICAL and ``valueMin``/``valueMax``
  ``dataType=NUMERIC``, as in Langfuse. ``authorUserId`` matches nothing but an absent author.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, json_response
from otel_bridge.api.observations_v2 import decode_cursor, encode_cursor
from otel_bridge.api.openapi import query_parameters
from otel_bridge.api.params import InvalidQuery, Query
from otel_bridge.model import Score, ScoreDataType, ScoreSource
from otel_bridge.model.langfuse_wire import iso
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project, ScoreFilter

GROUPS = ("details", "subject", "annotation")
#: A boolean ``value`` filter, as text.
BOOLEAN_VALUES = {"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0}
DEFAULT_LIMIT, MAX_LIMIT = 50, 100


def _one(query: Query, name: str) -> str | None:
    values = query.comma_list(name)
    if len(values) > 1:
        raise InvalidQuery(f"{name}: otel-bridge filters by one value here, got {len(values)}")
    return values[0] if values else None


def _enum(query: Query, name: str, enum_type: type[Any]) -> Any:
    text = _one(query, name)
    if text is None:
        return None
    for member in enum_type:
        if member.value == text.upper():
            return member
    raise InvalidQuery(f"{name} must be one of {', '.join(m.value for m in enum_type)}, got {text!r}")


def v3_filter(query: Query) -> tuple[ScoreFilter, bool]:
    """The list's filter, and whether nothing can match (an ``authorUserId`` was asked for)."""
    trace_ids, session_ids = query.comma_list("traceId"), query.comma_list("sessionId")
    observation_ids, experiment = query.comma_list("observationId"), _one(query, "experimentId")
    if trace_ids and (session_ids or experiment):
        raise InvalidQuery("traceId excludes sessionId and experimentId")
    if session_ids and experiment:
        raise InvalidQuery("sessionId excludes experimentId")
    if observation_ids and not trace_ids:
        raise InvalidQuery("observationId needs traceId: observation ids are scoped to a trace")
    data_type = _enum(query, "dataType", ScoreDataType)
    value_text, value_min, value_max = (
        _one(query, "value"),
        query.number("valueMin"),
        query.number("valueMax"),
    )
    if (value_min is not None or value_max is not None) and data_type is not ScoreDataType.NUMERIC:
        raise InvalidQuery("valueMin and valueMax need dataType=NUMERIC")
    value: float | None = None
    string_value: str | None = None
    if value_text is not None:
        if data_type is None:
            raise InvalidQuery("value needs one dataType of NUMERIC, BOOLEAN or CATEGORICAL")
        if data_type is ScoreDataType.CATEGORICAL:
            string_value = value_text
        elif data_type is ScoreDataType.BOOLEAN:
            if value_text.lower() not in BOOLEAN_VALUES:
                raise InvalidQuery(f"value of a BOOLEAN score must be true or false, got {value_text!r}")
            value = BOOLEAN_VALUES[value_text.lower()]
        else:
            try:
                value = float(value_text)
            except ValueError:
                raise InvalidQuery(f"value must be a number, got {value_text!r}") from None
    where = ScoreFilter(
        score_ids=query.comma_list("id"),
        trace_ids=trace_ids,
        observation_ids=observation_ids,
        session_ids=session_ids,
        name=_one(query, "name"),
        source=_enum(query, "source", ScoreSource),
        data_type=data_type,
        environments=query.comma_list("environment"),
        from_timestamp=query.datetime("fromTimestamp"),
        to_timestamp=query.datetime("toTimestamp"),
        config_id=_one(query, "configId"),
        queue_id=_one(query, "queueId"),
        dataset_run_id=experiment,
        string_value=string_value,
        value_operator="=" if value is not None else None,
        value=value,
        value_min=value_min,
        value_max=value_max,
    )
    return where, bool(query.comma_list("authorUserId"))


def _subject(score: Score) -> dict[str, Any] | None:
    if score.observation_id is not None:
        return {"kind": "observation", "id": score.observation_id, "traceId": score.trace_id}
    if score.trace_id is not None:
        return {"kind": "trace", "id": score.trace_id}
    if score.session_id is not None:
        return {"kind": "session", "id": score.session_id}
    if score.dataset_run_id is not None:
        return {"kind": "experiment", "id": score.dataset_run_id}
    return None


def serialize_v3(score: Score, project_id: str, groups: frozenset[str]) -> dict[str, Any]:
    """A ``ScoreV3`` with the groups asked for."""
    value: Any = score.value
    if score.data_type is ScoreDataType.BOOLEAN:
        value = score.value == 1.0
    elif score.data_type is ScoreDataType.CATEGORICAL:
        value = score.string_value
    body: dict[str, Any] = {
        "id": score.id,
        "projectId": project_id,
        "name": score.name,
        "value": value,
        "dataType": score.data_type.value,
        "source": score.source.value,
        "timestamp": iso(score.timestamp),
        "environment": score.environment,
        "createdAt": iso(score.created_at),
        "updatedAt": iso(score.updated_at),
    }
    if "details" in groups:
        body.update(comment=score.comment, configId=score.config_id, metadata=_metadata(score.metadata))
    if "subject" in groups:
        body["subject"] = _subject(score)
    if "annotation" in groups:
        body.update(authorUserId=None, queueId=score.queue_id)
    return body


def _metadata(metadata: Any) -> dict[str, Any] | None:
    """An object, as v3 types it: other JSON values under a ``metadata`` key."""
    if metadata is None or isinstance(metadata, dict):
        return metadata
    return {"metadata": metadata}


def routes(context: AppContext) -> list[BaseRoute]:
    """The v3 score list."""
    store = context.store

    async def get_many(request: Request, project: Project) -> Response:
        query = Query(request.query_params, query_parameters("/api/public/v3/scores"))
        groups = frozenset(query.comma_list("fields"))
        unknown = sorted(groups - set(GROUPS))
        if unknown:
            raise InvalidQuery(f"fields must be a comma-separated list of {', '.join(GROUPS)}; got {unknown}")
        limit = query.integer("limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        offset = decode_cursor(query.string("cursor"))
        where, nothing = v3_filter(query)
        meta: dict[str, Any] = {"limit": limit}
        if nothing:
            return json_response({"data": [], "meta": meta})
        page = await blocking(store.list_scores, project.id, where, offset=offset, limit=limit)
        if offset + len(page.items) < page.total:
            meta["cursor"] = encode_cursor(offset + len(page.items))
        data = [serialize_v3(listed.score, project.id, groups) for listed in page.items]
        return json_response({"data": data, "meta": meta})

    return [Route("/api/public/v3/scores", authenticated(context, get_many), methods=["GET"])]


__all__ = ["GROUPS", "routes", "serialize_v3", "v3_filter"]
