"""The UI under test: the server's app (``build_app``: OTLP, the API and the UI) over a
real ``SqlStore`` on a temporary SQLite file, seeded with spans translated by the real translator.

Seeded (``seeded_ui``, one per module, read-only tests), in ``served_api``'s project ``api-test``:

- ``chat-1`` (user u1): trace 1 at T0+0 s, "agent turn" with a chat input and output, a generation
  (12/7 tokens, $0.002) and a failing tool; trace 2 at T0+10 s, a GenAI chat generation root with
  messages and a tool call, and a nested chain → generation (a three-level tree);
- ``chat-2`` (user u2): one trace at T0+30 s with 100/50 tokens;
- ``<script>alert('id')</script>``: one trace whose span name and message are scripts too;
- ``page-00`` … ``page-11``: one short trace each, for paging the Sessions view;
- ``long-chat``: ``TRACES_PER_PAGE + 1`` short traces, the oldest activity, for paging a session;
- project ``other``: ``chat-other``, which ``api-test``'s keys must never see.

``empty_ui`` serves a project without data (the empty state).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import pytest

from otel_bridge.store.sql import SqlStore
from otel_bridge.ui.pages import TRACES_PER_PAGE
from tests.api.client import ApiClient, ServedApi, served_api
from tests.api.conftest import fresh_api
from tests.support.asgi import Response
from tests.support.spans import generation, record, translate
from tests.unit.ui.dom import Page

SCRIPT_SESSION = "<script>alert('id')</script>"
SCRIPT_NAME = "<script>alert('name')</script>"
SCRIPT_CONTENT = "<script>alert('content')</script>"
PAGED_SESSIONS = [f"page-{n:02d}" for n in range(12)]
#: A session with one trace more than a session's page shows; its activity is the oldest.
LONG_SESSION = "long-chat"
LONG_TRACES = TRACES_PER_PAGE + 1
TRACE_1 = f"{1:032x}"
TRACE_2 = f"{2:032x}"
OTHER_TRACE = f"{9:032x}"

__all__ = ["fresh_api"]  # the API tests' fixture, which ``empty_ui`` builds on


@dataclass
class ServedUi:
    """The app, its store, and a client holding the seeded project's keys."""

    store: SqlStore
    client: ApiClient
    project_id: str
    other_project_id: str

    def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        """``GET path?params`` with the project's keys; ``path`` may be a link with a query string.
        The path is percent-decoded, as servers do before an ASGI app sees it (``ApiClient`` passes
        it on as given)."""
        path, _, query = path.partition("?")
        return self.client.get(unquote(path), [*parse_qsl(query), *(params or {}).items()])

    def page(self, path: str, params: dict[str, Any] | None = None) -> Page:
        """``GET path?params``, asserted 200 HTML, parsed."""
        response = self.get(path, params)
        assert response.status == 200, response.body[:2000]
        assert response.headers["content-type"].startswith("text/html")
        return Page(response.body.decode())

    def post_form(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Response:
        """``POST path`` of a urlencoded form, as a browser sends it from this site's page (give other
        ``headers`` to send it otherwise)."""
        body = urlencode(fields).encode()
        sent = {"sec-fetch-site": "same-origin", **(headers or {})}
        return self.client.request(
            "POST", unquote(path), body=body, content_type="application/x-www-form-urlencoded", headers=sent
        )

    def as_key(self, authorization: str | None) -> ApiClient:
        """A client with other credentials (None: none)."""
        return self.client.with_auth(authorization)


def ui_over(api: ServedApi) -> ServedUi:
    """The UI of ``api``'s app (the server's, which mounts the UI beside the API): its store,
    projects, event loop and client."""
    return ServedUi(api.store, api.client, api.project_id, api.other_project_id)


def chat(*messages: tuple[str, str]) -> str:
    """Messages as the JSON of ``langfuse.trace.input``/``output``."""
    return json.dumps([{"role": role, "content": content} for role, content in messages])


#: Trace 1's root: a session, a user, a tag, an environment, and a chat as its input and output.
TURN_1 = {
    "session.id": "chat-1",
    "user.id": "u1",
    "langfuse.trace.tags": ["beta"],
    "deployment.environment": "production",
    "langfuse.trace.input": chat(("system", "Be brief."), ("user", "hello?")),
    "langfuse.trace.output": json.dumps({"role": "assistant", "content": "hi there"}),
}
#: Trace 2's root: an OTel GenAI chat whose answer is a tool call.
TURN_2 = {
    "session.id": "chat-1",
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4o",
    "gen_ai.input.messages": json.dumps(
        [{"role": "user", "parts": [{"type": "text", "content": "weather in Paris?"}]}]
    ),
    "gen_ai.output.messages": json.dumps(
        [
            {
                "role": "assistant",
                "parts": [
                    {"type": "tool_call", "id": "c1", "name": "weather", "arguments": {"city": "Paris"}}
                ],
            }
        ]
    ),
}
SCRIPTED = {"session.id": SCRIPT_SESSION, "langfuse.trace.input": chat(("user", SCRIPT_CONTENT))}


def seed(ui: ServedUi) -> None:
    """Write the seeded spans (see the module docstring); one ``write_batch`` a trace."""
    traces = [
        [
            record(1, 1, name="agent turn", start=0, end=3, attrs=TURN_1),
            generation(1, 2, 1, start=0.5, end=2, input_tokens=12, output_tokens=7, cost=0.002),
            record(1, 3, 1, name="tool", start=2, end=2.5, error=True),
        ],
        [
            record(2, 4, name="second turn", start=10, end=14, attrs=TURN_2),
            record(2, 5, 4, name="plan", start=10.5, end=13),
            generation(2, 6, 5, start=11, end=12, input_tokens=30, output_tokens=9),
            record(2, 7, 4, name="early", start=10.2, end=10.4),
        ],
        [
            generation(
                3,
                8,
                None,
                start=30,
                end=31,
                input_tokens=100,
                output_tokens=50,
                session__id="chat-2",
                user__id="u2",
            )
        ],
        [record(4, 9, name=SCRIPT_NAME, start=20, end=21, attrs=SCRIPTED)],
        *(
            [record(100 + n, 100 + n, start=n - 100, end=n - 99.5, session__id=session_id)]
            for n, session_id in enumerate(PAGED_SESSIONS)
        ),
        *(
            [record(200 + n, 200 + n, start=n - 200, end=n - 199.5, session__id=LONG_SESSION)]
            for n in range(LONG_TRACES)
        ),
    ]
    for spans in traces:
        ui.store.write_batch(ui.project_id, translate(*spans))
    other = record(9, 90, name="secret", start=0, end=1, session__id="chat-other")
    ui.store.write_batch(ui.other_project_id, translate(other))


@pytest.fixture(scope="module")
def seeded_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedUi]:
    """The seeded UI, shared by a module's read-only tests."""
    with served_api(tmp_path_factory.mktemp("ui")) as api:
        ui = ui_over(api)
        seed(ui)
        yield ui


@pytest.fixture
def fresh_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedUi]:
    """The seeded UI of one test, which may change it (bookmarks)."""
    with served_api(tmp_path_factory.mktemp("ui")) as api:
        ui = ui_over(api)
        seed(ui)
        yield ui


@pytest.fixture
def empty_ui(fresh_api: ServedApi) -> ServedUi:
    """The UI over a store without spans."""
    return ui_over(fresh_api)
