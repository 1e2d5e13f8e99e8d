"""``otel_bridge.demo`` without a server: where it sends, what it plans, the spans it builds, the
progress bar, and that the command line registers it without importing it."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from otel_bridge.demo import (
    CONVENTIONS,
    MODELS,
    WRITERS,
    DemoError,
    Generation,
    ToolCall,
    build_spans,
    plan_session,
    progress_bar,
    report_session,
    resolve_target,
)
from otel_bridge.model import ObservationLevel
from otel_bridge.sdk.records import spans_to_records
from otel_bridge.translate import translate_spans
from otel_bridge.translate.pricing import default_price_table

NOW = 1_760_000_000_000_000_000
KEYS = {"LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-1"}
BASIC = "Basic " + base64.b64encode(b"pk-lf-1:sk-lf-1").decode()


class TestResolveTarget:
    """Endpoint and credentials: flags, then OTEL_EXPORTER_OTLP_*, then LANGFUSE_*, then defaults."""

    def test_defaults_to_local_server_over_http(self) -> None:
        """Only keys set: http://127.0.0.1:4318/v1/traces, Basic auth from the LANGFUSE_* pair."""
        target = resolve_target(environ=KEYS)
        assert target.export_endpoint == "http://127.0.0.1:4318/v1/traces"
        assert target.authorization == BASIC
        assert (target.ui_url, target.api_url) == (
            "http://127.0.0.1:4318/",
            "http://127.0.0.1:4318/api/public/sessions",
        )

    def test_otel_variables_beat_langfuse_ones(self) -> None:
        """OTEL_EXPORTER_OTLP_ENDPOINT/HEADERS (URL-encoded) win over LANGFUSE_HOST and the key pair."""
        env = {
            **KEYS,
            "LANGFUSE_HOST": "http://langfuse:3000",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://bridge:4318/",
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic%20abc,x-tenant=t1",
        }
        target = resolve_target(environ=env)
        assert target.export_endpoint == "http://bridge:4318/v1/traces"
        assert target.headers == {"x-tenant": "t1", "Authorization": "Basic abc"}

    def test_flags_beat_the_environment(self) -> None:
        """--endpoint and --public-key/--secret-key override every variable."""
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://bridge:4318", "OTEL_EXPORTER_OTLP_HEADERS": "a=b"}
        target = resolve_target("http", "http://other:9000/v1/traces", "pk-lf-1", "sk-lf-1", env)
        assert target.export_endpoint == "http://other:9000/v1/traces"
        assert target.authorization == BASIC

    def test_langfuse_host_with_otel_path(self) -> None:
        """A LANGFUSE_HOST given with Langfuse's OTel path still yields the server's base URL."""
        target = resolve_target(environ={**KEYS, "LANGFUSE_HOST": "https://lf.example/api/public/otel"})
        assert target.web_base == "https://lf.example"

    def test_grpc_uses_port_4317_of_the_http_host(self) -> None:
        """--protocol grpc without --endpoint: the HTTP endpoint's host on port 4317; the UI stays HTTP."""
        env = {**KEYS, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://bridge:4318"}
        target = resolve_target("grpc", environ=env)
        assert (target.export_endpoint, target.secure) == ("bridge:4317", False)
        assert target.ui_url == "http://bridge:4318/"

    def test_grpc_endpoint_flag_and_tls(self) -> None:
        """--endpoint is the gRPC address; https:// means TLS."""
        target = resolve_target("grpc", "https://bridge.example:443", environ=KEYS)
        assert (target.export_endpoint, target.secure) == ("bridge.example:443", True)

    def test_missing_keys_name_the_variables(self) -> None:
        """No credentials: status 2, naming OTEL_EXPORTER_OTLP_HEADERS and the unset LANGFUSE_* one."""
        with pytest.raises(DemoError) as caught:
            resolve_target(environ={"LANGFUSE_PUBLIC_KEY": "pk-lf-1"})
        assert caught.value.status == 2
        assert "OTEL_EXPORTER_OTLP_HEADERS" in caught.value.message
        assert "set LANGFUSE_SECRET_KEY (" in caught.value.message

    def test_half_a_key_pair_of_flags_is_refused(self) -> None:
        """--secret-key without --public-key is a usage error naming the missing flag."""
        with pytest.raises(DemoError, match="--secret-key was given without --public-key"):
            resolve_target(secret_key="sk-lf-1", environ=KEYS)


class TestPlanSession:
    """Sessions are deterministic per seed, realistic in shape, and rotate through the conventions."""

    def test_same_seed_same_session(self) -> None:
        """The same (index, seed) plans the same session; timestamps move with "now" only."""
        first, second = plan_session(3, 42, NOW), plan_session(3, 42, NOW + 10**12)
        assert first.id == second.id and first.user_id == second.user_id
        assert [t.user for t in first.turns] == [t.user for t in second.turns]
        assert [t.start_ns + 10**12 for t in first.turns] == [t.start_ns for t in second.turns]

    def test_conventions_rotate_and_every_third_session_hides_its_id(self) -> None:
        """Five consecutive sessions use the five conventions; indices 2, 5, ... put the id on a child."""
        plans = [plan_session(index, 7, NOW) for index in range(6)]
        assert {p.convention for p in plans[:5]} == set(CONVENTIONS)
        assert [p.session_on_child for p in plans] == [False, False, True, False, False, True]

    @pytest.mark.parametrize("seed", range(12))
    def test_turn_shape_and_timing(self, seed: int) -> None:
        """2-5 turns in order before now; each 1-2 generations and at most one tool, within its turn."""
        plan = plan_session(seed, seed, NOW)
        assert 2 <= len(plan.turns) <= 5
        for before, after in zip(plan.turns, plan.turns[1:], strict=False):
            assert before.end_ns <= after.start_ns
        for turn in plan.turns:
            generations = [s for s in turn.steps if isinstance(s, Generation)]
            tools = [s for s in turn.steps if isinstance(s, ToolCall)]
            assert 1 <= len(generations) <= 2 and len(tools) <= 1
            assert all(turn.start_ns <= s.start_ns < s.end_ns <= turn.end_ns for s in turn.steps)
        assert plan.turns[-1].end_ns < NOW
        assert all(t.end_ns - t.start_ns < 30 * 10**9 for t in plan.turns)

    def test_models_are_priced(self) -> None:
        """Every model the demo can name has a price in the shipped table."""
        prices = default_price_table()
        for _provider, models, small in MODELS.values():
            for name in [small, *(m for pair in models for m in pair)]:
                assert prices.lookup(name) is not None, name

    def test_some_turns_fail(self) -> None:
        """Across many sessions some turns carry an error, and most do not."""
        steps = [
            step for index in range(40) for turn in plan_session(index, 1, NOW).turns for step in turn.steps
        ]
        failed = [s for s in steps if s.error]
        assert 0 < len(failed) < len(steps) / 4


class TestBuildSpans:
    """The SDK spans of a session carry the convention's session key where the plan says."""

    @pytest.mark.parametrize("index", range(5))
    def test_session_key_placement(self, index: int) -> None:
        """Normally every span has the session id; a child-only session has it on each first child."""
        plan = plan_session(index, 0, NOW)
        key = WRITERS[plan.convention].session_key
        spans = build_spans(plan, 0)
        roots = [s for s in spans if s.parent is None]
        assert len(roots) == len(plan.turns)
        carrying = [s for s in spans if (s.attributes or {}).get(key) == plan.id]
        if plan.session_on_child:
            assert not any(s.parent is None for s in carrying)
            assert len(carrying) == len(plan.turns)
        else:
            assert len(carrying) == len(spans)

    def test_same_seed_same_ids(self) -> None:
        """Trace and span ids come from the seed: two builds of one plan give the same ids."""
        plan = plan_session(1, 9, NOW)
        ids = [(s.context.trace_id, s.context.span_id) for s in build_spans(plan, 9)]
        assert ids == [(s.context.trace_id, s.context.span_id) for s in build_spans(plan, 9)]

    @pytest.mark.parametrize("index", range(len(CONVENTIONS)))
    def test_report_matches_the_translated_spans(self, index: int) -> None:
        """The report's totals equal what the translator reads from the spans built, per convention:
        tokens summed over the observations, ERROR observations, distinct traces and spans."""
        plan = plan_session(index, 5, NOW)
        spans = build_spans(plan, 5)
        report = report_session(plan, spans)
        observations = [t.observation for t in translate_spans(spans_to_records(spans))]
        assert report.input_tokens == sum(o.usage.input for o in observations) > 0
        assert report.output_tokens == sum(o.usage.output for o in observations) > 0
        assert report.total_tokens == report.input_tokens + report.output_tokens
        assert report.errors == sum(o.level is ObservationLevel.ERROR for o in observations)
        assert report.traces == len({o.trace_id for o in observations}) == len(plan.turns)
        assert report.spans == len(observations)


class TestProgressBar:
    """The hand-written progress bar."""

    def test_renders_fraction(self) -> None:
        """``\\r[####...   ] i/n sessions``, proportional, full at the end."""
        assert progress_bar(0, 4, width=8) == "\r[        ] 0/4 sessions"
        assert progress_bar(1, 4, width=8) == "\r[##      ] 1/4 sessions"
        assert progress_bar(4, 4, width=8) == "\r[########] 4/4 sessions"


class TestCommandLine:
    """``otel-bridge demo`` is registered without importing ``otel_bridge.demo``."""

    def test_help_does_not_import_the_demo(self) -> None:
        """Building the parser and ``demo --help`` leave the demo module (and the SDK exporters) unloaded."""
        code = (
            "import sys, contextlib, io\n"
            "from otel_bridge import cli\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    cli.main(['demo', '--help'])\n"
            "assert '--sessions' in out.getvalue() and '--protocol' in out.getvalue()\n"
            "print('otel_bridge.demo' in sys.modules)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "False"

    def test_zero_sessions_is_a_usage_error(self) -> None:
        """``--sessions 0`` exits 2 before contacting anything."""
        from otel_bridge import cli

        assert cli.main(["demo", "--sessions", "0"]) == 2
