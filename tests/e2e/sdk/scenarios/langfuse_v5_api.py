"""The Langfuse Python SDK 5.x's API surface beyond tracing, against otel-bridge: ``auth_check()``,
scores on a session, a trace and an observation (``create_score``, which posts arrays of scores to
``POST /api/public/scores``), ``api.observations.get_many()`` (``GET /api/public/v2/observations``,
page by page through its cursor), ``api.scores.get_many()`` (``GET /api/public/v3/scores``) and
``api.metrics.metrics()`` (``GET /api/public/v2/metrics``).

One ``@observe``'d turn in a session with a generation inside; then the scores; ``flush()``; then the
reads (the server commits before it answers, so what was flushed is readable). Prints what it read.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from importlib.metadata import version

from _sdk_common import MODEL, SESSION_ID, USER_ID, emit
from langfuse import get_client, observe, propagate_attributes

langfuse = get_client()


@observe(name="scored-turn")
def turn() -> dict[str, str]:
    with propagate_attributes(session_id=SESSION_ID, user_id=USER_ID):
        with langfuse.start_as_current_observation(
            name="llm-call", as_type="generation", model=MODEL, usage_details={"input": 11, "output": 4}
        ) as generation:
            generation.update(output="fine")
            observation_id = generation.id
        return {"trace_id": langfuse.get_current_trace_id() or "", "observation_id": observation_id}


def main() -> None:
    authenticated = langfuse.auth_check()
    ids = turn()
    langfuse.create_score(name="helpful", value=1, data_type="BOOLEAN", session_id=SESSION_ID)
    langfuse.create_score(name="tone", value="warm", session_id=SESSION_ID, comment="user feedback")
    langfuse.create_score(name="accuracy", value=0.9, trace_id=ids["trace_id"])
    langfuse.create_score(
        name="relevance", value=0.5, trace_id=ids["trace_id"], observation_id=ids["observation_id"]
    )
    langfuse.flush()

    pages, observations, cursor = 0, [], None
    while True:
        page = langfuse.api.observations.get_many(
            trace_id=ids["trace_id"], fields="core,basic,usage", limit=1, cursor=cursor
        )
        pages += 1
        observations += [o.dict() for o in page.data]
        cursor = page.meta.cursor
        if not cursor or pages > 10:
            break
    session_scores = langfuse.api.scores.get_many(session_id=SESSION_ID, fields="subject,details")
    now = datetime.now(timezone.utc)
    metrics = langfuse.api.metrics.metrics(
        query=json.dumps(
            {
                "view": "observations",
                "metrics": [{"measure": "inputTokens", "aggregation": "sum"}],
                "filters": [
                    {"column": "traceId", "operator": "=", "value": ids["trace_id"], "type": "string"}
                ],
                "fromTimestamp": (now - timedelta(hours=1)).isoformat(),
                "toTimestamp": (now + timedelta(hours=1)).isoformat(),
            }
        )
    )
    langfuse.shutdown()
    emit(
        {
            "langfuse": version("langfuse"),
            "auth_check": authenticated,
            "ids": ids,
            "pages": pages,
            "observations": observations,
            "metrics": metrics.data,
            "session_scores": [score.dict() for score in session_scores.data],
        }
    )


if __name__ == "__main__":
    main()
