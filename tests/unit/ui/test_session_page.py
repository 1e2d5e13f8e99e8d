"""The session page: header chips, the conversation built from generations when a trace has no input
or output of its own, errors in their cards, idle-gap markers, bookmark, copy and download, through
the whole Starlette stack over a ``SqlStore`` seeded as ``conftest.py`` says, plus ``agent-1``:

- trace 50 at T0: an agent root span with no payload; a generation asked "weather in Paris?" that
  answered with a tool call, the tool ``weather`` that returned "sunny", a failing span ("rate
  limited"), and a second generation that answered in text;
- trace 60, 10 minutes after trace 50 ended: a generation root, with its own chat input and output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from otel_bridge.ui.links import bookmark_url, download_url, session_url, trace_url
from tests.api.client import served_api
from tests.support.spans import generation, record, trace_id, translate
from tests.unit.ui.conftest import TRACE_1, ServedUi, chat, seed, ui_over
from tests.unit.ui.dom import Page

AGENT = "agent-1"
ASKED = json.dumps([{"role": "user", "parts": [{"type": "text", "content": "weather in Paris?"}]}])
CALLED = json.dumps(
    [
        {
            "role": "assistant",
            "parts": [{"type": "tool_call", "id": "c1", "name": "weather", "arguments": {"city": "Paris"}}],
        }
    ]
)
ANSWERED = json.dumps([{"role": "assistant", "parts": [{"type": "text", "content": "It is sunny."}]}])


def seed_agent(ui: ServedUi) -> None:
    """Write ``agent-1`` (see the module docstring)."""
    first = translate(
        record(50, 50, name="agent run", start=0, end=5, session__id=AGENT, user__id="ann"),
        generation(
            50,
            51,
            50,
            start=1,
            end=2,
            input_tokens=20,
            output_tokens=4,
            gen_ai__input__messages=ASKED,
            gen_ai__output__messages=CALLED,
        ),
        record(
            50,
            52,
            50,
            name="weather",
            start=2,
            end=2.5,
            attrs={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "weather",
                "output.value": "sunny",
            },
        ),
        record(50, 54, 50, name="fetch forecast", start=2.5, end=2.7, error="rate limited"),
        generation(
            50,
            53,
            50,
            start=3,
            end=4.5,
            input_tokens=30,
            output_tokens=6,
            gen_ai__output__messages=ANSWERED,
        ),
    )
    second = translate(
        generation(
            60,
            61,
            None,
            start=605,
            end=606,
            session__id=AGENT,
            langfuse__trace__input=chat(("user", "thanks")),
            langfuse__trace__output=chat(("assistant", "you are welcome")),
        )
    )
    ui.store.write_batch(ui.project_id, first)
    ui.store.write_batch(ui.project_id, second)


@pytest.fixture(scope="module")
def agent_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedUi]:
    """The seeded UI plus ``agent-1``."""
    with served_api(tmp_path_factory.mktemp("ui")) as api:
        ui = ui_over(api)
        seed(ui)
        seed_agent(ui)
        yield ui


def chips(page: Page) -> dict[str, str]:
    """The header chips, keyed by their label."""
    found = {}
    for chip in page.select("li", cls="chip"):
        label = page.one("span", cls="k", within=chip).text
        found[label] = chip.text.removeprefix(label).strip()
    return found


class TestChips:
    def test_numbers_of_the_session(self, agent_ui: ServedUi) -> None:
        """Traces, observations, duration, latency (median and max), tokens, cost, users, labels, errors."""
        page = agent_ui.page(session_url(AGENT))
        found = chips(page)
        assert found["Traces"] == "2" and found["Observations"] == "6"
        assert found["Duration"] == "10 min 06 s"
        assert found["Latency"] == "median 3.00 s · max 5.00 s"  # 5 s and 1 s
        assert found["Tokens"] == "60 → 15 (75)"
        assert found["Users"] == "ann" and found["Env."] == "default"
        assert found["Errors"] == "1"
        assert page.one("li", cls="chip-error").text == "Errors 1"

    def test_errors_chip_is_plain_without_errors(self, agent_ui: ServedUi) -> None:
        """A session without errors shows 0, not styled as an error."""
        page = agent_ui.page(session_url("chat-2"))
        assert chips(page)["Errors"] == "0" and not page.select("li", cls="chip-error")


class TestConversation:
    def test_messages_from_the_generations(self, agent_ui: ServedUi) -> None:
        """A trace without input or output reads from its generations: the first one's prompt, then
        the tool call, the tool's result and the answer, in order; each generation listed with its
        model and tokens, linked to its details."""
        page = agent_ui.page(session_url(AGENT))
        first = page.select("article", cls="turn")[0]
        source = page.one("section", cls="input", within=first)
        assert [m.text for m in page.select("li", cls="message", within=source)] == ["user weather in Paris?"]
        assert "from the first generation" in page.one("h3", within=source).text
        output = page.one("section", cls="output", within=first)
        messages = page.select("li", cls="message", within=output)
        assert [sorted(m.classes & {"role-assistant", "role-tool"}) for m in messages] == [
            ["role-assistant"],
            ["role-tool"],
            ["role-assistant"],
        ]
        assert page.one("code", cls="call", within=messages[0]).text == '→ weather({"city":"Paris"})'
        assert messages[1].text == "tool weather sunny"
        assert messages[2].text == "assistant It is sunny."
        lines = page.select("li", within=page.one("ul", cls="generations", within=first))
        assert [line.text for line in lines] == [
            "chat gpt-4o 20 → 4 tokens 1.00 s",
            "chat gpt-4o 30 → 6 tokens 1.50 s",
        ]
        link = page.one("a", within=lines[0]).attrs["href"]
        assert link == trace_url(trace_id(50), f"{51:016x}")

    def test_own_input_and_output_win(self, agent_ui: ServedUi) -> None:
        """A trace with its own chat shows it, not its generation's."""
        page = agent_ui.page(session_url(AGENT))
        second = page.select("article", cls="turn")[1]
        texts = [m.text for m in page.select("li", cls="message", within=second)]
        assert texts == ["user thanks", "assistant you are welcome"]
        assert "from the" not in page.one("section", cls="input", within=second).text

    def test_errors_show_their_message_in_the_card(self, agent_ui: ServedUi) -> None:
        """The failing observation's name and status message are in its trace's card."""
        page = agent_ui.page(session_url(AGENT))
        first = page.select("article", cls="turn")[0]
        errors = page.one("ul", cls="turn-errors", within=first)
        assert errors.text == "ERROR fetch forecast: rate limited"
        assert "turn-error" in first.classes
        assert not page.select("ul", cls="turn-errors", within=page.select("article", cls="turn")[1])


class TestTracePageExchange:
    def test_a_trace_without_payloads_reads_from_its_generations(self, agent_ui: ServedUi) -> None:
        """The trace page's input and output come from the generations as on the session page."""
        page = agent_ui.page(trace_url(trace_id(50)))
        exchange = page.one("div", cls="trace-exchange")
        source = page.one("section", cls="input", within=exchange)
        assert "from the first generation" in page.one("h3", within=source).text
        assert [m.text for m in page.select("li", cls="message", within=source)] == ["user weather in Paris?"]
        output = page.select("li", cls="message", within=page.one("section", cls="output", within=exchange))
        assert output[-1].text == "assistant It is sunny."


class TestIdleGaps:
    def test_a_marker_between_traces_far_apart(self, agent_ui: ServedUi) -> None:
        """Ten minutes between trace 50's end and trace 60's start: one marker before the second
        turn; none in chat-1, whose traces are seconds apart."""
        page = agent_ui.page(session_url(AGENT))
        markers = page.select("div", cls="idle-gap")
        assert [m.attrs["data-idle-seconds"] for m in markers] == ["600"]
        assert markers[0].text == "idle 10 min 00 s"
        elements = [e for e in page.elements if "turn" in e.classes or "idle-gap" in e.classes]
        assert [e.tag for e in elements] == ["article", "div", "article"]
        assert not agent_ui.page(session_url("chat-1")).select("div", cls="idle-gap")

    def test_the_threshold_is_a_parameter(self, agent_ui: ServedUi) -> None:
        """``idle`` (minutes) moves the threshold: 11 hides the marker, 0 turns them off; 6 s
        (0.1 min) is not an integer, a 400 naming it. Page links keep the threshold."""
        assert not agent_ui.page(session_url(AGENT), {"idle": "11"}).select("div", cls="idle-gap")
        assert not agent_ui.page(session_url(AGENT), {"idle": "0"}).select("div", cls="idle-gap")
        assert len(agent_ui.page(session_url(AGENT), {"idle": "10"}).select("div", cls="idle-gap")) == 1
        assert agent_ui.page(session_url("chat-1"), {"idle": "0"}).one("input", attr="name", value="idle")
        response = agent_ui.get(session_url(AGENT), {"idle": "0.1"})
        assert response.status == 400 and b"idle" in response.body
        assert session_url("long-chat", 2, 7) == "/sessions/long-chat?page=2&idle=7"


class TestActions:
    def test_bookmark_copy_download_and_trace_links(self, agent_ui: ServedUi) -> None:
        """The page has the star form, a copy button holding the id (shown by the script), the download
        link and a link to each trace."""
        page = agent_ui.page(session_url(AGENT))
        form = page.one("form", cls="star")
        assert form.attrs["action"] == bookmark_url(AGENT)
        copy = page.one("button", cls="copy")
        assert copy.attrs["data-copy"] == AGENT and "hidden" in copy.attrs
        assert page.one("a", attr="download").attrs["href"] == download_url(AGENT)
        links = [a.attrs["href"] for a in page.select("a", cls="trace-link")]
        assert links == [trace_url(trace_id(50)), trace_url(trace_id(60))]
        assert not page.select("button", attr="onclick") and not [
            e for e in page.elements if any(name.startswith("on") for name in e.attrs)
        ]

    def test_unchanged_pages_of_chat_1(self, agent_ui: ServedUi) -> None:
        """chat-1's first trace keeps its own chat and links to its page."""
        page = agent_ui.page(session_url("chat-1"))
        assert page.one("a", cls="trace-link", within=page.select("article")[0]).attrs["href"] == trace_url(
            TRACE_1
        )
