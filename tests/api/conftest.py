"""The API under test, seeded with translated OTLP spans through ``Store.write_batch``.

``seeded_api`` (one per module, read-only tests): project ``api-test`` holds session ``chat-1`` (two
traces: a generation with usage and cost, an error span, a JSON input kept as a ``Payload``), a trace
without a session, and a session of one trace; project ``other`` holds ``chat-other``, which the
first project's keys must never see. ``fresh_api`` (one per test) starts empty, for writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.client import ServedApi, served_api
from tests.support.spans import generation, record, translate

#: Seeded ids, for assertions.
SESSION = "chat-1"
OTHER_SESSION = "chat-other"
TRACE_1 = f"{1:032x}"
TRACE_2 = f"{2:032x}"
TRACE_3 = f"{3:032x}"
TRACE_4 = f"{4:032x}"
OTHER_TRACE = f"{9:032x}"
GENERATION_1 = f"{2:016x}"
ERROR_SPAN = f"{3:016x}"
OTHER_SPAN = f"{90:016x}"


def seed(api: ServedApi) -> None:
    """Write the seeded spans (see the module docstring)."""
    session = {"session.id": SESSION, "user.id": "u1", "langfuse.trace.tags": ["beta", "chat"]}
    api.store.write_batch(
        api.project_id,
        translate(
            record(
                1,
                1,
                name="agent turn",
                start=0,
                end=3,
                attrs={
                    **session,
                    "langfuse.trace.input": '{"question": "hello?"}',
                    "langfuse.trace.output": '"hi"',
                    "deployment.environment": "production",
                    "langfuse.trace.metadata.team": "search",
                },
            ),
            generation(
                1, 2, 1, start=0.5, end=2, input_tokens=12, output_tokens=7, cost=0.002, session__id=SESSION
            ),
            record(1, 3, 1, name="tool", start=2, end=2.5, error=True, attrs=session),
        ),
    )
    api.store.write_batch(
        api.project_id,
        translate(
            record(
                2, 4, name="second turn", start=10, end=13, attrs={"session.id": SESSION, "user.id": "u2"}
            ),
            generation(2, 5, 4, start=10.5, end=12, input_tokens=30, output_tokens=9, session__id=SESSION),
        ),
    )
    api.store.write_batch(api.project_id, translate(record(3, 6, name="lonely", start=20, end=21)))
    api.store.write_batch(
        api.project_id, translate(record(4, 7, name="solo", start=30, end=31, attrs={"session.id": "chat-2"}))
    )
    api.store.write_batch(
        api.other_project_id,
        translate(record(9, 90, name="secret", start=0, end=1, attrs={"session.id": OTHER_SESSION})),
    )


@pytest.fixture(scope="module")
def seeded_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApi]:
    """The seeded API, shared by a module's read-only tests."""
    with served_api(tmp_path_factory.mktemp("api")) as api:
        seed(api)
        yield api


@pytest.fixture
def fresh_api(tmp_path: Path) -> Iterator[ServedApi]:
    """An API over an empty store, for tests that write."""
    with served_api(tmp_path) as api:
        yield api
