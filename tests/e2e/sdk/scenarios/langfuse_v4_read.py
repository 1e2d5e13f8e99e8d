"""Read otel-bridge through the generated API client of the Langfuse Python SDK 4.x (the last major that
still has the sessions and traces read endpoints).

Every call goes through the client's generated methods, which parse each response with pydantic
(``parse_obj_as``): a response that does not match Langfuse's schema raises ``pydantic.ValidationError``
and the script exits non-zero. For every session id in ``SDK_E2E_SESSION_IDS`` (a JSON list) it calls
``sessions.get``, ``trace.list(session_id=...)``, then ``trace.get`` and ``legacy.observations_v1.get_many``
/ ``.get`` for each trace; plus ``health.health()`` and ``sessions.list()``. It prints what the parsed
models hold (``model.json()``: camelCase, as on the wire) and the Python types of a few parsed fields.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from importlib.metadata import version
from typing import Any

from _sdk_common import emit
from langfuse import Langfuse


def dump(model: Any) -> Any:
    """What a parsed model holds, as JSON (camelCase aliases)."""
    return json.loads(model.json())


def main() -> None:
    session_ids = json.loads(os.environ["SDK_E2E_SESSION_IDS"])
    langfuse = Langfuse(tracing_enabled=False)
    api = langfuse.api
    health = api.health.health()
    listed = api.sessions.list(limit=100)
    summary: dict[str, Any] = {
        "langfuse": version("langfuse"),
        "pydantic": version("pydantic"),
        "health": dump(health),
        "sessions_list": dump(listed),
        "sessions": {},
    }
    for session_id in session_ids:
        session = api.sessions.get(session_id)
        traces = api.trace.list(session_id=session_id, order_by="timestamp.asc", limit=50)
        details = {}
        observations = {}
        for trace in traces.data:
            full = api.trace.get(trace.id)
            details[trace.id] = dump(full)
            many = api.legacy.observations_v1.get_many(trace_id=trace.id, limit=100)
            singles = {o.id: dump(api.legacy.observations_v1.get(o.id)) for o in many.data}
            observations[trace.id] = {"get_many": dump(many), "get": singles}
            assert isinstance(full.timestamp, dt.datetime)
            assert all(isinstance(o.start_time, dt.datetime) for o in full.observations)
        summary["sessions"][session_id] = {
            "get": dump(session),
            "created_at_is_datetime": isinstance(session.created_at, dt.datetime),
            "trace_list": dump(traces),
            "trace_get": details,
            "observations": observations,
        }
    langfuse.shutdown()
    emit(summary)


if __name__ == "__main__":
    main()
