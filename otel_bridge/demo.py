"""``otel-bridge demo``: send realistic multi-turn LLM chat sessions to a running otel-bridge.

    otel-bridge demo [--sessions N] [--seed S] [--endpoint URL] [--protocol http|grpc]
                     [--public-key pk-…] [--secret-key sk-…] [--json]

Each session is one conversation of 2–5 turns; each turn is one trace: an agent root span, one or
two generation spans and sometimes a tool span between them. Sessions rotate through the
conventions otel-bridge reads, so that the Sessions view shows all of them side by side:

=============  ================================================  ===========================================
convention     session id key                                    messages and usage
=============  ================================================  ===========================================
genai          ``gen_ai.conversation.id``                        ``gen_ai.input.messages``, ``gen_ai.usage``
openinference  ``session.id``                                    ``llm.input_messages``, ``llm.token_count``
openllmetry    ``traceloop.association.properties.session_id``   ``gen_ai.prompt.N``, ``gen_ai.usage``
langfuse       ``langfuse.session.id``                           ``langfuse.observation.*``
vercel-ai      ``ai.telemetry.metadata.sessionId``               ``ai.prompt.messages``, ``ai.usage``
=============  ================================================  ===========================================

Every third session carries its session id only on the first generation span of each turn, not on
the root (as Google ADK does), which otel-bridge must still group. Models are ones the shipped price
table knows, token counts are in the range real agents produce, and about one turn in eight fails
(a tool timeout the agent recovers from, or a rate-limited model call that fails the turn).

Spans go through the OpenTelemetry SDK's own OTLP exporters, the path instrumented applications
use: protobuf over HTTP by default, gRPC with ``--protocol grpc``. One export carries one session.
With ``--seed`` the content, the trace and span ids are the same on every run (timestamps are
relative to now), so running it twice stores the same sessions once; without it a random seed is
drawn and printed.

Where to send, in this order: the flags; ``OTEL_EXPORTER_OTLP_ENDPOINT`` and
``OTEL_EXPORTER_OTLP_HEADERS`` (``Authorization=Basic%20…``); ``LANGFUSE_HOST``,
``LANGFUSE_PUBLIC_KEY`` and ``LANGFUSE_SECRET_KEY`` — the lines ``otel-bridge serve`` prints —
then ``http://127.0.0.1:4318``. Before sending, one empty export checks that the server answers and
accepts the keys, so that an unreachable server or a wrong key is one clear message and exit
status 1 (missing keys: status 2).

This module is imported only by the ``demo`` command: it needs the OTel SDK (a dependency of the
library) and an OTLP exporter package (``opentelemetry-exporter-otlp-proto-http``, or ``-grpc``
for ``--protocol grpc``), imported when the spans are sent.
"""

from __future__ import annotations

import base64
import json
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, Literal, Protocol

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

__all__ = [
    "CONVENTIONS",
    "DEFAULT_ENDPOINT",
    "DemoError",
    "DemoReport",
    "SessionPlan",
    "SessionReport",
    "Target",
    "check_server",
    "plan_session",
    "progress_bar",
    "resolve_target",
    "run",
    "send_session",
]

Protocol_ = Literal["http", "grpc"]
Attributes = dict[str, AttributeValue]

#: Where ``otel-bridge serve`` listens by default (DESIGN.md, "Ports, endpoints, command line").
DEFAULT_ENDPOINT = "http://127.0.0.1:4318"
DEFAULT_GRPC_PORT = 4317
DEFAULT_HTTP_PORT = 4318
#: Seconds for the reachability check and for each export.
TIMEOUT_SECONDS = 10.0
#: The convention of session ``i`` is ``CONVENTIONS[(i + seed) % 5]``.
CONVENTIONS = ("genai", "openinference", "openllmetry", "langfuse", "vercel-ai")
#: Every ``CHILD_SESSION_EVERY``-th session puts its session id on a child span only.
CHILD_SESSION_EVERY = 3
ERROR_RATE = 0.12
#: An upper bound of one turn's duration (a 10 s tool timeout and two slow model calls).
MAX_TURN_SECONDS = 30
PROGRESS_WIDTH = 30


class DemoError(Exception):
    """A failure the user can fix; ``message`` says how, ``status`` is the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# -- where to send ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A resolved destination: the exporter's endpoint, its headers and the server's web address."""

    protocol: Protocol_
    #: The full OTLP/HTTP traces URL, or the gRPC ``host:port``.
    export_endpoint: str
    #: The HTTP base URL of the server (UI at ``/``, API at ``/api/public/...``).
    web_base: str
    authorization: str
    #: Other headers from ``OTEL_EXPORTER_OTLP_HEADERS``, sent as they are.
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    #: gRPC only: TLS (an ``https://`` endpoint).
    secure: bool = False

    @property
    def headers(self) -> dict[str, str]:
        """Every header of an export, ``Authorization`` included."""
        return {**self.extra_headers, "Authorization": self.authorization}

    @property
    def ui_url(self) -> str:
        """The Sessions view."""
        return f"{self.web_base}/"

    @property
    def api_url(self) -> str:
        """The sessions of the public API."""
        return f"{self.web_base}/api/public/sessions"


def resolve_target(
    protocol: Protocol_ = "http",
    endpoint: str | None = None,
    public_key: str | None = None,
    secret_key: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """The destination from the arguments, then the environment (see the module docstring).

    With ``protocol="grpc"``, ``endpoint`` is the gRPC address (``host:port``, ``http://host:port``
    or ``https://…`` for TLS); without it, the host of the HTTP endpoint on port 4317. Raises
    ``DemoError`` (status 2) naming the variables to set when no credentials are found."""
    env = os.environ if environ is None else environ
    otel_headers = _parse_headers(env.get("OTEL_EXPORTER_OTLP_HEADERS", ""))
    authorization = _authorization(public_key, secret_key, otel_headers, env)
    extra = {key: value for key, value in otel_headers.items() if key.lower() != "authorization"}
    env_base = _env(env, "OTEL_EXPORTER_OTLP_ENDPOINT") or _env(env, "LANGFUSE_HOST")
    if protocol == "http":
        base = _web_base(endpoint or env_base or DEFAULT_ENDPOINT)
        return Target("http", f"{base}/v1/traces", base, authorization, extra)
    web_base = _web_base(env_base or DEFAULT_ENDPOINT)
    if endpoint:
        parsed = urllib.parse.urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
        secure = parsed.scheme == "https"
        host, port = parsed.hostname or "127.0.0.1", parsed.port or DEFAULT_GRPC_PORT
        if not env_base:
            web_base = f"{'https' if secure else 'http'}://{_hostport(host, DEFAULT_HTTP_PORT)}"
    else:
        parsed = urllib.parse.urlsplit(web_base)
        secure = parsed.scheme == "https"
        host, port = parsed.hostname or "127.0.0.1", DEFAULT_GRPC_PORT
    return Target("grpc", _hostport(host, port), web_base, authorization, extra, secure)


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _web_base(url: str) -> str:
    """``http://host:port`` from a base URL or a traces URL (``…/v1/traces``, ``…/api/public/otel``)."""
    base = url.strip().rstrip("/")
    if "://" not in base:
        base = f"http://{base}"
    for suffix in ("/v1/traces", "/api/public/otel"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base.rstrip("/")


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _parse_headers(text: str) -> dict[str, str]:
    """``OTEL_EXPORTER_OTLP_HEADERS``: comma-separated ``key=value``, values URL-encoded."""
    headers: dict[str, str] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            headers[urllib.parse.unquote(key.strip())] = urllib.parse.unquote(value.strip())
    return headers


def _authorization(
    public_key: str | None,
    secret_key: str | None,
    otel_headers: Mapping[str, str],
    env: Mapping[str, str],
) -> str:
    if public_key or secret_key:
        if not (public_key and secret_key):
            given, missing = ("--public-key", "--secret-key")
            if secret_key:
                given, missing = missing, given
            raise DemoError(f"{given} was given without {missing}: pass both", status=2)
        return _basic(public_key, secret_key)
    for key, value in otel_headers.items():
        if key.lower() == "authorization" and value.strip():
            return value.strip()
    langfuse_public, langfuse_secret = _env(env, "LANGFUSE_PUBLIC_KEY"), _env(env, "LANGFUSE_SECRET_KEY")
    if langfuse_public and langfuse_secret:
        return _basic(langfuse_public, langfuse_secret)
    unset = [
        name
        for name, value in (
            ("LANGFUSE_PUBLIC_KEY", langfuse_public),
            ("LANGFUSE_SECRET_KEY", langfuse_secret),
        )
        if not value
    ]
    raise DemoError(
        "no credentials for otel-bridge: set OTEL_EXPORTER_OTLP_HEADERS="
        '"Authorization=Basic%20<base64 of pk-…:sk-…>", or set '
        f"{' and '.join(unset)} (LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are read together), "
        "or pass --public-key and --secret-key. `otel-bridge serve` prints the export lines at start; "
        "`otel-bridge keys create --project NAME` makes a new pair.",
        status=2,
    )


def _basic(public_key: str, secret_key: str) -> str:
    token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")
    return f"Basic {token}"


# -- reachability and credentials ------------------------------------------------------------------


def check_server(target: Target, timeout: float = TIMEOUT_SECONDS) -> None:
    """Send one empty export; ``DemoError`` when the server cannot be reached or refuses the keys."""
    if target.protocol == "grpc":
        _check_grpc(target, timeout)
    else:
        _check_http(target, timeout)


_KEYS_HINT = (
    "check OTEL_EXPORTER_OTLP_HEADERS, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, or "
    "--public-key/--secret-key: use the pair `otel-bridge serve` printed, or make one with "
    "`otel-bridge keys create --project NAME`"
)


def _check_http(target: Target, timeout: float) -> None:
    request = urllib.request.Request(
        target.export_endpoint,
        data=b"",
        method="POST",
        headers={**target.headers, "Content-Type": "application/x-protobuf"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        if error.code == 401:
            raise DemoError(
                f"{target.export_endpoint} refused the credentials (HTTP 401): {_KEYS_HINT}"
            ) from None
        raise DemoError(
            f"{target.export_endpoint} answered HTTP {error.code} {error.reason} to an empty OTLP "
            "export: is this an otel-bridge (or OTLP/HTTP) endpoint? otel-bridge takes OTLP/HTTP on "
            "port 4318 and OTLP/gRPC on 4317 (--protocol grpc)"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        raise DemoError(
            f"cannot reach otel-bridge at {target.web_base} ({reason}): start it with "
            "`otel-bridge serve`, or point --endpoint / OTEL_EXPORTER_OTLP_ENDPOINT at it"
        ) from None


def _check_grpc(target: Target, timeout: float) -> None:
    import grpc  # noqa: PLC0415 - only --protocol grpc needs it

    method = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
    metadata = tuple((key.lower(), value) for key, value in target.headers.items())
    channel = (
        grpc.secure_channel(target.export_endpoint, grpc.ssl_channel_credentials())
        if target.secure
        else grpc.insecure_channel(target.export_endpoint)
    )
    try:
        export: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)
        export(b"", metadata=metadata, timeout=timeout)
    except grpc.RpcError as error:
        code = error.code() if isinstance(error, grpc.Call) else None
        details = error.details() if isinstance(error, grpc.Call) else str(error)
        if code == grpc.StatusCode.UNAUTHENTICATED:
            raise DemoError(
                f"{target.export_endpoint} refused the credentials (gRPC UNAUTHENTICATED): {_KEYS_HINT}"
            ) from None
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise DemoError(
                f"cannot reach otel-bridge over gRPC at {target.export_endpoint} ({details}): start it "
                "with `otel-bridge serve`, or give its gRPC address with --endpoint"
            ) from None
        name = code.name if code is not None else "error"
        raise DemoError(
            f"{target.export_endpoint} answered gRPC {name} ({details}) to an empty OTLP export: is "
            "this an otel-bridge (or OTLP/gRPC) endpoint?"
        ) from None
    finally:
        channel.close()


# -- what a session says ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A conversation: an agent, its tool, and up to five user turns."""

    agent: str
    service: str
    system: str
    tool: str
    tool_description: str
    #: (user message, tool arguments or None, tool result, answer)
    turns: tuple[tuple[str, dict[str, str] | None, str, str], ...]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        agent="trip-planner",
        service="travel-assistant",
        system="You are a travel assistant. Use get_weather for forecasts. Answer briefly and practically.",
        tool="get_weather",
        tool_description="Weather forecast for a city and a date",
        turns=(
            (
                "I'm going to Seoul next Tuesday. Will it rain?",
                {"city": "Seoul", "date": "next Tuesday"},
                '{"city": "Seoul", "forecast": "showers in the afternoon", "rain_probability": 0.7, '
                '"high_c": 19, "low_c": 12}',
                "Probably: showers are forecast for Tuesday afternoon in Seoul (70 % chance), 12–19 °C. "
                "Pack a compact umbrella and a light jacket.",
            ),
            (
                "What should I see if it rains?",
                None,
                "",
                "Good rainy-day picks: the National Museum of Korea, COEX Mall and its Starfield Library, "
                "and the covered stalls of Gwangjang Market for lunch.",
            ),
            (
                "And the day after, in Busan?",
                {"city": "Busan", "date": "next Wednesday"},
                '{"city": "Busan", "forecast": "sunny", "rain_probability": 0.1, "high_c": 22, "low_c": 15}',
                "Wednesday in Busan looks sunny, 15–22 °C: a good day for Haeundae beach and the "
                "Gamcheon Culture Village.",
            ),
            (
                "How do I get from Seoul to Busan?",
                None,
                "",
                "Take the KTX from Seoul Station: about 2 h 40 min, trains every 15–30 minutes. Book a "
                "day ahead on the Korail app for a seat.",
            ),
            (
                "Thanks! Can you sum up the plan?",
                None,
                "",
                "Tuesday: Seoul museums and Gwangjang Market (rain likely). Wednesday: morning KTX to "
                "Busan, beach and Gamcheon in the sun.",
            ),
        ),
    ),
    Scenario(
        agent="support-agent",
        service="shop-support",
        system="You are the support agent of an online shop. Look orders up with lookup_order. Be polite.",
        tool="lookup_order",
        tool_description="Status and items of an order by its number",
        turns=(
            (
                "Where is my order 84712? It was supposed to arrive yesterday.",
                {"order_id": "84712"},
                '{"order_id": "84712", "status": "in transit", "carrier": "DHL", '
                '"eta": "tomorrow", "delay_reason": "weather"}',
                "I'm sorry for the delay. Order 84712 is in transit with DHL; the weather held it up "
                "and it should arrive tomorrow.",
            ),
            (
                "Can I still change the delivery address?",
                None,
                "",
                "Once a parcel is in transit the address can only be changed with the carrier: use the "
                "DHL link in your shipping email and choose 'redirect'.",
            ),
            (
                "One item was missing from my previous order 83990.",
                {"order_id": "83990"},
                '{"order_id": "83990", "status": "delivered", "items": ["desk lamp", "LED bulb x2"], '
                '"packages": 2, "delivered_packages": 1}',
                "Order 83990 was shipped in two packages and only one has been delivered so far; the "
                "second one (the LED bulbs) is still on its way.",
            ),
            (
                "If it doesn't come, can I get a refund?",
                None,
                "",
                "Yes: if the second package has not arrived within 5 working days, reply here and I "
                "will refund the bulbs right away.",
            ),
            (
                "Okay, thank you.",
                None,
                "",
                "You're welcome! Is there anything else I can help you with?",
            ),
        ),
    ),
    Scenario(
        agent="code-assistant",
        service="dev-copilot",
        system="You help developers with Python. Search the docs with search_docs when unsure.",
        tool="search_docs",
        tool_description="Full-text search of the Python documentation",
        turns=(
            (
                "How do I read a large CSV file without loading it all into memory?",
                None,
                "",
                "Iterate over it: `with open(path, newline='') as f: for row in csv.reader(f): ...` "
                "reads one row at a time. With pandas, pass `chunksize=` to `read_csv`.",
            ),
            (
                "What's the difference between csv.reader and csv.DictReader?",
                {"query": "csv.DictReader fieldnames"},
                '[{"title": "csv.DictReader", "snippet": "Create an object that operates like a regular '
                "reader but maps the information in each row to a dict whose keys are given by the "
                'optional fieldnames parameter."}]',
                "`csv.reader` yields lists; `csv.DictReader` yields dicts keyed by the header row (or by "
                "`fieldnames=`), which makes code robust to column order.",
            ),
            (
                "Can I make it faster?",
                None,
                "",
                "Parse only the columns you need, avoid per-row Python work, and for heavy jobs use "
                "`pyarrow.csv.read_csv` or polars, which parse in C across several threads.",
            ),
            (
                "How do I handle a file with a semicolon separator?",
                {"query": "csv dialect delimiter"},
                '[{"title": "Dialects and Formatting Parameters", "snippet": "delimiter: A one-character '
                "string used to separate fields. It defaults to ','.\"}]",
                "Pass `delimiter=';'`: `csv.reader(f, delimiter=';')`. `csv.Sniffer().sniff(sample)` can "
                "also detect it for you.",
            ),
            (
                "Great, thanks.",
                None,
                "",
                "Happy to help. Good luck with the import!",
            ),
        ),
    ),
    Scenario(
        agent="hr-helpdesk",
        service="people-portal",
        system="You answer employees' HR questions from the policy handbook; search it with search_policies.",
        tool="search_policies",
        tool_description="Search the HR policy handbook",
        turns=(
            (
                "How many vacation days do I have per year?",
                {"query": "annual leave entitlement"},
                '[{"policy": "Annual leave", "text": "Full-time employees accrue 25 working days of paid '
                'leave per calendar year, pro rata for part-time."}]',
                "Full-time employees get 25 working days of paid leave per year; part-time staff get a "
                "pro-rata share.",
            ),
            (
                "Can I carry unused days over to next year?",
                {"query": "leave carry over"},
                '[{"policy": "Annual leave", "text": "Up to 5 unused days may be carried over and must be '
                'taken by 31 March."}]',
                "Yes, up to 5 days, and they must be taken by 31 March of the following year.",
            ),
            (
                "What about working from abroad for two weeks?",
                None,
                "",
                "Remote work from abroad needs your manager's approval and an HR check for tax and "
                "insurance; ask at least four weeks before you travel.",
            ),
            (
                "Who do I ask for that check?",
                None,
                "",
                "Open a 'Work abroad' request in the people portal; the mobility team answers within "
                "five working days.",
            ),
            (
                "Perfect, thanks!",
                None,
                "",
                "You're welcome, enjoy your trip!",
            ),
        ),
    ),
)

#: Convention → (provider, main models, small model for routing); every name is in the price table
#: (``otel_bridge/translate/prices.json``), exactly or as a dated variant of a known prefix.
MODELS: dict[str, tuple[str, tuple[tuple[str, str], ...], str]] = {
    "genai": (
        "openai",
        (("gpt-4o", "gpt-4o-2024-08-06"), ("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14")),
        "gpt-4o-mini",
    ),
    "openinference": (
        "anthropic",
        (
            ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
            ("claude-3-5-sonnet", "claude-3-5-sonnet-20241022"),
        ),
        "claude-haiku-4-5",
    ),
    "openllmetry": (
        "mistralai",
        (("mistral-large-latest", "mistral-large-2411"), ("mistral-medium-latest", "mistral-medium-2505")),
        "mistral-small-latest",
    ),
    "langfuse": (
        "google",
        (("gemini-2.5-pro", "gemini-2.5-pro"), ("gemini-2.5-flash", "gemini-2.5-flash")),
        "gemini-2.0-flash-lite",
    ),
    "vercel-ai": (
        "openai.chat",
        (("gpt-5-mini", "gpt-5-mini-2025-08-07"), ("o4-mini", "o4-mini-2025-04-16")),
        "gpt-4.1-nano",
    ),
}

USERS = ("ana.lima@example.com", "bo.chen", "user_4821", "kim.minji", "j.okafor", "marta_r", "dev-42")


@dataclass(frozen=True)
class Message:
    """A chat message; an assistant message may be a tool call, a tool message its result."""

    role: str
    content: str = ""
    tool_call_id: str | None = None
    tool_name: str | None = None
    tool_arguments: str | None = None


@dataclass(frozen=True)
class Generation:
    """One model call of a turn."""

    model: str
    response_model: str
    provider: str
    input: tuple[Message, ...]
    output: Message | None  # None: the call failed
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    temperature: float
    max_tokens: int
    start_ns: int
    end_ns: int
    error: str | None = None
    purpose: str = "answer"  # or "route": the small model classifying the request


@dataclass(frozen=True)
class ToolCall:
    """One tool execution of a turn."""

    name: str
    description: str
    call_id: str
    arguments: str
    result: str
    start_ns: int
    end_ns: int
    error: str | None = None


@dataclass(frozen=True)
class Turn:
    """One user turn: one trace."""

    index: int
    user: str
    answer: str
    steps: tuple[Generation | ToolCall, ...]
    start_ns: int
    end_ns: int
    error: str | None = None

    @property
    def generations(self) -> list[Generation]:
        """The model calls, in order."""
        return [step for step in self.steps if isinstance(step, Generation)]


@dataclass(frozen=True)
class SessionPlan:
    """A whole session, decided before any span exists."""

    index: int
    id: str
    convention: str
    user_id: str
    scenario: Scenario
    session_on_child: bool
    turns: tuple[Turn, ...]


@dataclass
class SessionReport:
    """What was sent for one session (the numbers the server should show)."""

    id: str
    convention: str
    user_id: str
    session_on_child: bool
    traces: int
    spans: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    errors: int


@dataclass
class DemoReport:
    """What ``run`` sent, in total and per session."""

    seed: int
    protocol: str
    endpoint: str
    ui_url: str
    api_url: str
    sessions: list[SessionReport] = field(default_factory=list)

    @property
    def traces(self) -> int:
        """Traces sent."""
        return sum(s.traces for s in self.sessions)

    @property
    def spans(self) -> int:
        """Spans sent."""
        return sum(s.spans for s in self.sessions)

    @property
    def total_tokens(self) -> int:
        """Tokens of every generation sent."""
        return sum(s.total_tokens for s in self.sessions)

    @property
    def errors(self) -> int:
        """Spans sent with status ERROR."""
        return sum(s.errors for s in self.sessions)

    def summary(self) -> str:
        """The closing line."""
        return (
            f"sent {len(self.sessions)} sessions ({self.traces} traces, {self.spans} spans, "
            f"{self.total_tokens} tokens, {self.errors} errors; seed {self.seed}) — "
            f"sessions view: {self.ui_url}  API: {self.api_url}"
        )

    def to_json(self) -> str:
        """The report as one JSON document."""
        document = asdict(self)
        document.update(traces=self.traces, spans=self.spans, total_tokens=self.total_tokens)
        document["errors"] = self.errors
        return json.dumps(document, indent=2)


def _tokens(text: str) -> int:
    """A rough token count: four characters a token."""
    return max(1, len(text) // 4)


def _ms(rng: random.Random, low: float, high: float) -> int:
    return int(rng.uniform(low, high) * 1_000_000)


@dataclass
class _Planner:
    """The state of one session while its turns are laid out: randomness, models and a clock."""

    rng: random.Random
    provider: str
    model: str
    response_model: str
    small_model: str
    overhead: int  # system prompt and tool schemas, in tokens
    clock: int = 0

    def generation(
        self, messages: Sequence[Message], output: Message | None, *, route: bool = False, cache: bool = False
    ) -> Generation:
        """A model call starting now; the clock moves past it. ``output`` None: it failed."""
        rng = self.rng
        if route:
            prompt = rng.randint(180, 320) + _tokens(messages[-1].content)
        else:
            prompt = self.overhead + sum(_tokens(m.content or m.tool_arguments or "") + 4 for m in messages)
        completion = 0
        if output is not None:
            completion = _tokens(output.content or output.tool_arguments or "") + rng.randint(3, 40)
        cached = (self.overhead // 128) * 128 if cache and output is not None and not route else 0
        latency = 0.25 + completion * rng.uniform(0.008, 0.02) + rng.uniform(0.1, 0.6)
        start = self.clock
        self.clock += int(latency * 1e9)
        model = self.small_model if route else self.model
        call = Generation(
            model=model,
            response_model=model if route else self.response_model,
            provider=self.provider,
            input=tuple(messages),
            output=output,
            input_tokens=prompt if output is not None else 0,
            output_tokens=completion,
            cached_tokens=min(cached, prompt),
            temperature=0.0 if route else rng.choice((0.2, 0.3, 0.7)),
            max_tokens=256 if route else rng.choice((1024, 2048, 4096)),
            start_ns=start,
            end_ns=self.clock,
            error=None if output is not None else "RateLimitError: 429 Too Many Requests",
            purpose="route" if route else "answer",
        )
        self.clock += _ms(rng, 1, 8)
        return call

    def tool(self, scenario: Scenario, call_id: str, arguments: str, result: str, failed: bool) -> ToolCall:
        """A tool execution starting now (a failure is a 10 s timeout)."""
        start = self.clock
        self.clock += int(10e9) if failed else _ms(self.rng, 80, 1500)
        call = ToolCall(
            name=scenario.tool,
            description=scenario.tool_description,
            call_id=call_id,
            arguments=arguments,
            result="" if failed else result,
            start_ns=start,
            end_ns=self.clock,
            error=f"TimeoutError: {scenario.tool} did not answer within 10 s" if failed else None,
        )
        self.clock += _ms(self.rng, 1, 5)
        return call


def plan_session(index: int, seed: int, now_ns: int) -> SessionPlan:
    """Session ``index`` of the run with ``seed``: content, models, usage, errors and timing.

    Deterministic: the same ``(index, seed)`` gives the same session, whatever ``now_ns`` (only the
    timestamps move with it)."""
    rng = random.Random(f"otel-bridge-demo:{seed}:{index}")
    convention = CONVENTIONS[(index + seed) % len(CONVENTIONS)]
    scenario = SCENARIOS[rng.randrange(len(SCENARIOS))]
    provider, models, small_model = MODELS[convention]
    model, response_model = models[rng.randrange(len(models))]
    session_id = f"demo-{convention}-{rng.getrandbits(32):08x}"
    user_id = USERS[rng.randrange(len(USERS))]
    planner = _Planner(rng, provider, model, response_model, small_model, overhead=rng.randint(600, 1400))
    n_turns = rng.randint(2, 5)

    # A turn starts when the user, having read the previous answer, writes again (15-150 s later).
    # A turn lasts at most MAX_TURN_SECONDS, so starting this far back ends the session before now.
    gaps = [int(rng.uniform(15, 150) * 1e9) for _ in range(n_turns)]
    start = now_ns - int(rng.uniform(30, 3600) * 1e9) - sum(gaps) - n_turns * MAX_TURN_SECONDS * 10**9
    turn_start = start

    history: list[Message] = [Message("system", scenario.system)]
    turns: list[Turn] = []
    for number in range(n_turns):
        user, arguments, tool_result, answer = scenario.turns[number]
        if turns:
            turn_start = turns[-1].end_ns + gaps[number]
        planner.clock = turn_start + _ms(rng, 2, 15)
        history.append(Message("user", user))
        steps: list[Generation | ToolCall] = []
        failure = rng.random() < ERROR_RATE
        turn_error: str | None = None
        cache = number > 0
        if arguments is not None:
            call_id = f"call_{rng.getrandbits(64):016x}"
            request = Message(
                "assistant",
                tool_call_id=call_id,
                tool_name=scenario.tool,
                tool_arguments=json.dumps(arguments),
            )
            steps.append(planner.generation(history, request, cache=cache))
            steps.append(planner.tool(scenario, call_id, json.dumps(arguments), tool_result, failure))
            if failure:  # the agent recovers: the turn itself succeeds
                tool_result = '{"error": "timeout"}'
                answer = (
                    f"Sorry, I could not reach the {scenario.tool.replace('_', ' ')} service just now. "
                    "Could you try again in a minute?"
                )
            follow_up = [*history, request, Message("tool", tool_result, tool_call_id=call_id)]
            steps.append(planner.generation(follow_up, Message("assistant", answer), cache=True))
        else:
            if rng.random() < 0.4:
                intent = Message("assistant", json.dumps({"intent": "answer_directly", "needs_tool": False}))
                steps.append(planner.generation([history[-1]], intent, route=True))
            if failure:  # a rate-limited model call fails the turn
                steps.append(planner.generation(history, None))
                turn_error = "RateLimitError: 429 Too Many Requests"
                answer = ""
            else:
                steps.append(planner.generation(history, Message("assistant", answer), cache=cache))
        if answer:
            history.append(Message("assistant", answer))
        turn_end = planner.clock + _ms(rng, 1, 10)
        turns.append(Turn(number, user, answer, tuple(steps), turn_start, turn_end, turn_error))
    return SessionPlan(
        index,
        session_id,
        convention,
        user_id,
        scenario,
        session_on_child=index % CHILD_SESSION_EVERY == CHILD_SESSION_EVERY - 1,
        turns=tuple(turns),
    )


# -- the spans of each convention ------------------------------------------------------------------


class ConventionWriter(Protocol):
    """The attributes one instrumentation library writes."""

    scope: str
    session_key: str

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """Name and attributes of a turn's agent span."""

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """Name and attributes of a model call."""

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """Name and attributes of a tool execution."""

    def session(self, plan: SessionPlan) -> Attributes:
        """The session (and user) attributes stamped on the spans that carry the session."""


def _genai_parts(message: Message) -> dict[str, object]:
    if message.tool_name is not None:
        parts: list[dict[str, object]] = [
            {
                "type": "tool_call",
                "id": message.tool_call_id,
                "name": message.tool_name,
                "arguments": json.loads(message.tool_arguments or "{}"),
            }
        ]
    elif message.role == "tool":
        parts = [{"type": "tool_call_response", "id": message.tool_call_id, "result": message.content}]
    else:
        parts = [{"type": "text", "content": message.content}]
    return {"role": message.role, "parts": parts}


def _plain(message: Message) -> dict[str, object]:
    """``{role, content}`` (tool calls OpenAI style)."""
    if message.tool_name is not None:
        return {
            "role": message.role,
            "content": None,
            "tool_calls": [
                {
                    "id": message.tool_call_id,
                    "type": "function",
                    "function": {"name": message.tool_name, "arguments": message.tool_arguments},
                }
            ],
        }
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    return {"role": message.role, "content": message.content}


def _finish_reason(call: Generation) -> str:
    if call.output is None:
        return "error"
    return "tool_calls" if call.output.tool_name is not None else "stop"


class GenAi:
    """OpenTelemetry GenAI semantic conventions (``opentelemetry-instrumentation-openai-v2`` style)."""

    scope = "opentelemetry.instrumentation.openai_v2"
    session_key = "gen_ai.conversation.id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``gen_ai.conversation.id`` and the generic ``user.id``."""
        return {self.session_key: plan.id, "user.id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """``invoke_agent``, with its children's usage rolled up (which otel-bridge must not count twice)."""
        calls = turn.generations
        attributes: Attributes = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": plan.scenario.agent,
            "gen_ai.provider.name": calls[-1].provider,
            "gen_ai.request.model": calls[-1].model,
            "gen_ai.input.messages": json.dumps([_genai_parts(Message("user", turn.user))]),
            "gen_ai.usage.input_tokens": sum(c.input_tokens for c in calls),
            "gen_ai.usage.output_tokens": sum(c.output_tokens for c in calls),
        }
        if turn.answer:
            attributes["gen_ai.output.messages"] = json.dumps(
                [{**_genai_parts(Message("assistant", turn.answer)), "finish_reason": "stop"}]
            )
        return f"invoke_agent {plan.scenario.agent}", attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """``chat {model}`` with JSON messages and ``gen_ai.usage.*``."""
        system = [m for m in call.input if m.role == "system"]
        attributes: Attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": call.provider,
            "gen_ai.request.model": call.model,
            "gen_ai.request.temperature": call.temperature,
            "gen_ai.request.max_tokens": call.max_tokens,
            "gen_ai.input.messages": json.dumps([_genai_parts(m) for m in call.input if m.role != "system"]),
        }
        if system:
            attributes["gen_ai.system_instructions"] = json.dumps(
                [{"type": "text", "content": m.content} for m in system]
            )
        if call.output is not None:
            attributes.update(
                {
                    "gen_ai.response.model": call.response_model,
                    "gen_ai.response.id": f"chatcmpl-{call.start_ns % 10**12:012d}",
                    "gen_ai.response.finish_reasons": (_finish_reason(call),),
                    "gen_ai.output.messages": json.dumps(
                        [{**_genai_parts(call.output), "finish_reason": _finish_reason(call)}]
                    ),
                    "gen_ai.usage.input_tokens": call.input_tokens,
                    "gen_ai.usage.output_tokens": call.output_tokens,
                }
            )
            if call.cached_tokens:
                attributes["gen_ai.usage.cache_read.input_tokens"] = call.cached_tokens
        return f"chat {call.model}", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """``execute_tool {name}``."""
        attributes: Attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": call.name,
            "gen_ai.tool.description": call.description,
            "gen_ai.tool.type": "function",
            "gen_ai.tool.call.id": call.call_id,
            "gen_ai.tool.call.arguments": call.arguments,
        }
        if call.result:
            attributes["gen_ai.tool.call.result"] = call.result
        return f"execute_tool {call.name}", attributes


class OpenInference:
    """OpenInference (Arize Phoenix, LlamaIndex, smolagents...): indexed ``llm.*`` messages."""

    scope = "openinference.instrumentation.anthropic"
    session_key = "session.id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``session.id`` and ``user.id``, as ``using_session`` / ``using_user`` stamp them."""
        return {self.session_key: plan.id, "user.id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """An AGENT span with ``input.value`` / ``output.value``."""
        attributes: Attributes = {
            "openinference.span.kind": "AGENT",
            "agent.name": plan.scenario.agent,
            "input.value": turn.user,
            "input.mime_type": "text/plain",
            "tag.tags": ("demo", plan.scenario.service),
        }
        if turn.answer:
            attributes.update({"output.value": turn.answer, "output.mime_type": "text/plain"})
        return plan.scenario.agent, attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """An LLM span: ``llm.input_messages.N.message.*``, ``llm.token_count.*``."""
        attributes: Attributes = {
            "openinference.span.kind": "LLM",
            "llm.provider": call.provider,
            "llm.system": call.provider,
            "llm.model_name": call.response_model if call.output is not None else call.model,
            "llm.invocation_parameters": json.dumps(
                {"temperature": call.temperature, "max_tokens": call.max_tokens}
            ),
        }
        for number, message in enumerate(call.input):
            attributes.update(_openinference_message(f"llm.input_messages.{number}", message))
        if call.output is not None:
            attributes.update(_openinference_message("llm.output_messages.0", call.output))
            attributes.update(
                {
                    "llm.token_count.prompt": call.input_tokens,
                    "llm.token_count.completion": call.output_tokens,
                    "llm.token_count.total": call.input_tokens + call.output_tokens,
                }
            )
            if call.cached_tokens:
                attributes["llm.token_count.prompt_details.cache_read"] = call.cached_tokens
        return "Messages", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """A TOOL span."""
        attributes: Attributes = {
            "openinference.span.kind": "TOOL",
            "tool.name": call.name,
            "tool.description": call.description,
            "tool.parameters": call.arguments,
            "input.value": call.arguments,
            "input.mime_type": "application/json",
        }
        if call.result:
            attributes.update({"output.value": call.result, "output.mime_type": "application/json"})
        return call.name, attributes


def _openinference_message(prefix: str, message: Message) -> Attributes:
    attributes: Attributes = {f"{prefix}.message.role": message.role}
    if message.tool_name is not None:
        call = f"{prefix}.message.tool_calls.0.tool_call"
        attributes.update(
            {
                f"{call}.id": message.tool_call_id or "",
                f"{call}.function.name": message.tool_name,
                f"{call}.function.arguments": message.tool_arguments or "{}",
            }
        )
    else:
        attributes[f"{prefix}.message.content"] = message.content
    if message.role == "tool" and message.tool_call_id:
        attributes[f"{prefix}.message.tool_call_id"] = message.tool_call_id
    return attributes


class OpenLlmetry:
    """OpenLLMetry / Traceloop: association properties, indexed ``gen_ai.prompt.N.*``."""

    scope = "opentelemetry.instrumentation.mistralai"
    session_key = "traceloop.association.properties.session_id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``Traceloop.set_association_properties({"session_id": ..., "user_id": ...})``."""
        return {self.session_key: plan.id, "traceloop.association.properties.user_id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """An ``@agent`` entity span."""
        attributes: Attributes = {
            "traceloop.span.kind": "agent",
            "traceloop.workflow.name": plan.scenario.agent,
            "traceloop.entity.name": plan.scenario.agent,
            "traceloop.entity.path": "",
            "traceloop.entity.input": json.dumps({"args": [turn.user], "kwargs": {}}),
        }
        if turn.answer:
            attributes["traceloop.entity.output"] = json.dumps(turn.answer)
        return f"{plan.scenario.agent}.agent", attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """``mistralai.chat`` with ``gen_ai.prompt.N.*`` / ``gen_ai.completion.0.*``."""
        attributes: Attributes = {
            "llm.request.type": "chat",
            "gen_ai.system": "MistralAI",
            "gen_ai.request.model": call.model,
            "gen_ai.request.temperature": call.temperature,
            "gen_ai.request.max_tokens": call.max_tokens,
            "llm.is_streaming": False,
        }
        for number, message in enumerate(call.input):
            prefix = f"gen_ai.prompt.{number}"
            attributes[f"{prefix}.role"] = message.role
            if message.tool_name is not None:
                attributes.update(
                    {
                        f"{prefix}.tool_calls.0.id": message.tool_call_id or "",
                        f"{prefix}.tool_calls.0.name": message.tool_name,
                        f"{prefix}.tool_calls.0.arguments": message.tool_arguments or "{}",
                    }
                )
            else:
                attributes[f"{prefix}.content"] = message.content
            if message.role == "tool" and message.tool_call_id:
                attributes[f"{prefix}.tool_call_id"] = message.tool_call_id
        if call.output is not None:
            attributes.update(
                {
                    "gen_ai.response.model": call.response_model,
                    "gen_ai.completion.0.role": "assistant",
                    "gen_ai.completion.0.finish_reason": _finish_reason(call),
                    "gen_ai.usage.prompt_tokens": call.input_tokens,
                    "gen_ai.usage.completion_tokens": call.output_tokens,
                    "llm.usage.total_tokens": call.input_tokens + call.output_tokens,
                }
            )
            if call.output.tool_name is not None:
                attributes.update(
                    {
                        "gen_ai.completion.0.tool_calls.0.id": call.output.tool_call_id or "",
                        "gen_ai.completion.0.tool_calls.0.name": call.output.tool_name,
                        "gen_ai.completion.0.tool_calls.0.arguments": call.output.tool_arguments or "{}",
                    }
                )
            else:
                attributes["gen_ai.completion.0.content"] = call.output.content
        return "mistralai.chat", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """An ``@tool`` entity span."""
        attributes: Attributes = {
            "traceloop.span.kind": "tool",
            "traceloop.workflow.name": plan.scenario.agent,
            "traceloop.entity.name": call.name,
            "traceloop.entity.path": plan.scenario.agent,
            "traceloop.entity.input": json.dumps({"args": [], "kwargs": json.loads(call.arguments)}),
        }
        if call.result:
            attributes["traceloop.entity.output"] = json.dumps(call.result)
        return f"{call.name}.tool", attributes


class LangfuseSdk:
    """The Langfuse Python SDK (v3+): ``langfuse.*`` keys, JSON values."""

    scope = "langfuse-sdk"
    session_key = "langfuse.session.id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``langfuse.session.id`` and ``langfuse.user.id`` (the server-side compatible keys)."""
        return {self.session_key: plan.id, "langfuse.user.id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """An ``agent`` observation that names the trace and tags it."""
        attributes: Attributes = {
            "langfuse.observation.type": "agent",
            "langfuse.trace.name": f"{plan.scenario.agent} turn",
            "langfuse.trace.tags": ("demo", plan.scenario.service),
            "langfuse.environment": "demo",
            "langfuse.release": "2025.10.1",
            "langfuse.observation.input": json.dumps(turn.user),
            "langfuse.observation.metadata.turn": str(turn.index + 1),
        }
        if turn.answer:
            attributes["langfuse.observation.output"] = json.dumps(turn.answer)
        return plan.scenario.agent, attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """A ``generation`` observation with model, parameters and ``usage_details``."""
        attributes: Attributes = {
            "langfuse.observation.type": "generation",
            "langfuse.observation.model.name": call.response_model if call.output else call.model,
            "langfuse.observation.model.parameters": json.dumps(
                {"temperature": call.temperature, "max_output_tokens": call.max_tokens}
            ),
            "langfuse.observation.input": json.dumps([_plain(m) for m in call.input]),
            "langfuse.environment": "demo",
        }
        if call.output is not None:
            attributes["langfuse.observation.output"] = json.dumps(_plain(call.output))
            usage = {"input": call.input_tokens, "output": call.output_tokens}
            if call.cached_tokens:
                usage["input_cached_tokens"] = call.cached_tokens
            attributes["langfuse.observation.usage_details"] = json.dumps(usage)
        if call.error:
            attributes["langfuse.observation.level"] = "ERROR"
            attributes["langfuse.observation.status_message"] = call.error
        return "gemini.generate_content", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """A ``tool`` observation."""
        attributes: Attributes = {
            "langfuse.observation.type": "tool",
            "langfuse.observation.input": call.arguments,
            "langfuse.environment": "demo",
        }
        if call.result:
            attributes["langfuse.observation.output"] = call.result
        return call.name, attributes


class VercelAi:
    """The Vercel AI SDK's ``experimental_telemetry`` (scope ``ai``): ``generateText`` with tools."""

    scope = "ai"
    session_key = "ai.telemetry.metadata.sessionId"

    def session(self, plan: SessionPlan) -> Attributes:
        """``experimental_telemetry.metadata`` with ``sessionId`` and ``userId``."""
        return {self.session_key: plan.id, "ai.telemetry.metadata.userId": plan.user_id}

    def _common(self, plan: SessionPlan, operation: str) -> Attributes:
        return {
            "ai.operationId": operation,
            "operation.name": f"{operation} {plan.scenario.agent}",
            "ai.telemetry.functionId": plan.scenario.agent,
            "resource.name": plan.scenario.agent,
        }

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """The outer ``ai.generateText`` call (the agent loop, ``maxSteps``)."""
        calls = turn.generations
        attributes: Attributes = {
            **self._common(plan, "ai.generateText"),
            "ai.model.id": calls[-1].model,
            "ai.model.provider": calls[-1].provider,
            "ai.settings.maxSteps": 5,
            "ai.prompt": json.dumps({"system": plan.scenario.system, "prompt": turn.user}),
            "ai.usage.inputTokens": sum(c.input_tokens for c in calls),
            "ai.usage.outputTokens": sum(c.output_tokens for c in calls),
        }
        if turn.answer:
            attributes.update({"ai.response.text": turn.answer, "ai.response.finishReason": "stop"})
        return "ai.generateText", attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """One provider call, ``ai.generateText.doGenerate``."""
        messages = [
            {"role": m["role"], "content": m["content"]}
            if m["role"] == "system"
            else {"role": m["role"], "content": [{"type": "text", "text": m.get("content") or ""}]}
            for m in (_plain(x) for x in call.input)
        ]
        attributes: Attributes = {
            **self._common(plan, "ai.generateText.doGenerate"),
            "ai.model.id": call.model,
            "ai.model.provider": call.provider,
            "ai.prompt.format": "messages",
            "ai.prompt.messages": json.dumps(messages),
            "ai.settings.temperature": call.temperature,
            "ai.settings.maxOutputTokens": call.max_tokens,
            "gen_ai.system": call.provider,
            "gen_ai.request.model": call.model,
            "gen_ai.request.temperature": call.temperature,
        }
        if call.output is not None:
            attributes.update(
                {
                    "ai.response.finishReason": _finish_reason(call).replace("tool_calls", "tool-calls"),
                    "ai.response.model": call.response_model,
                    "ai.usage.inputTokens": call.input_tokens,
                    "ai.usage.outputTokens": call.output_tokens,
                    "ai.usage.totalTokens": call.input_tokens + call.output_tokens,
                    "gen_ai.response.model": call.response_model,
                    "gen_ai.response.finish_reasons": (_finish_reason(call),),
                    "gen_ai.usage.input_tokens": call.input_tokens,
                    "gen_ai.usage.output_tokens": call.output_tokens,
                }
            )
            if call.output.tool_name is not None:
                attributes["ai.response.toolCalls"] = json.dumps(
                    [
                        {
                            "toolCallType": "function",
                            "toolCallId": call.output.tool_call_id,
                            "toolName": call.output.tool_name,
                            "args": call.output.tool_arguments,
                        }
                    ]
                )
            else:
                attributes["ai.response.text"] = call.output.content
            if call.cached_tokens:
                attributes["ai.usage.cachedInputTokens"] = call.cached_tokens
        return "ai.generateText.doGenerate", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """An ``ai.toolCall`` span."""
        attributes: Attributes = {
            **self._common(plan, "ai.toolCall"),
            "ai.toolCall.name": call.name,
            "ai.toolCall.id": call.call_id,
            "ai.toolCall.args": call.arguments,
        }
        if call.result:
            attributes["ai.toolCall.result"] = call.result
        return "ai.toolCall", attributes


WRITERS: dict[str, ConventionWriter] = {
    "genai": GenAi(),
    "openinference": OpenInference(),
    "openllmetry": OpenLlmetry(),
    "langfuse": LangfuseSdk(),
    "vercel-ai": VercelAi(),
}


# -- spans -----------------------------------------------------------------------------------------


class SeededIds(IdGenerator):
    """Trace and span ids from a seeded generator: the same seed sends the same ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def generate_span_id(self) -> int:
        """A non-zero 64-bit id."""
        return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        """A non-zero 128-bit id."""
        return self._rng.getrandbits(128) or 1


def build_spans(plan: SessionPlan, seed: int) -> list[ReadableSpan]:
    """The finished SDK spans of one session, made with a real ``TracerProvider``."""
    memory = InMemorySpanExporter()
    writer = WRITERS[plan.convention]
    provider = TracerProvider(
        resource=Resource(
            {
                "service.name": plan.scenario.service,
                "service.version": "1.4.2",
                "deployment.environment.name": "demo",
                "telemetry.sdk.language": "python",
                "telemetry.sdk.name": "opentelemetry",
            }
        ),
        sampler=ALWAYS_ON,
        id_generator=SeededIds(random.Random(f"otel-bridge-demo-ids:{seed}:{plan.index}")),
    )
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer(writer.scope, "1.0.0")
    session = writer.session(plan)
    user_only = {k: v for k, v in session.items() if k != writer.session_key}
    for turn in plan.turns:
        name, attributes = writer.root(plan, turn)
        root_attributes = {**attributes, **(user_only if plan.session_on_child else session)}
        root = tracer.start_span(
            name, kind=SpanKind.INTERNAL, attributes=root_attributes, start_time=turn.start_ns
        )
        context = trace.set_span_in_context(root)
        for number, step in enumerate(turn.steps):
            carries_session = not plan.session_on_child or number == 0
            if isinstance(step, Generation):
                name, attributes = writer.generation(plan, step)
                kind = SpanKind.CLIENT
            else:
                name, attributes = writer.tool(plan, step)
                kind = SpanKind.INTERNAL
            if carries_session:
                attributes = {**attributes, **session}
            child = tracer.start_span(
                name, context=context, kind=kind, attributes=attributes, start_time=step.start_ns
            )
            if step.error:
                _fail(child, step.error, step.end_ns)
            child.end(end_time=step.end_ns)
        if turn.error:
            _fail(root, turn.error, turn.end_ns)
        root.end(end_time=turn.end_ns)
    provider.shutdown()
    return list(memory.get_finished_spans())


def _fail(span: Span, error: str, at_ns: int) -> None:
    kind, _, message = error.partition(": ")
    span.add_event("exception", {"exception.type": kind, "exception.message": message}, timestamp=at_ns)
    span.set_status(Status(StatusCode.ERROR, error))


def report_session(plan: SessionPlan, spans: Sequence[ReadableSpan]) -> SessionReport:
    """The numbers of one session as sent (tokens: the generations', not the agents' roll-ups)."""
    calls = [call for turn in plan.turns for call in turn.generations]
    input_tokens = sum(c.input_tokens for c in calls)
    output_tokens = sum(c.output_tokens for c in calls)
    return SessionReport(
        id=plan.id,
        convention=plan.convention,
        user_id=plan.user_id,
        session_on_child=plan.session_on_child,
        traces=len(plan.turns),
        spans=len(spans),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
        errors=sum(1 for s in spans if s.status.status_code is StatusCode.ERROR),
    )


def make_exporter(target: Target) -> SpanExporter:
    """The OTel SDK's OTLP exporter for ``target``; ``DemoError`` (status 2) when it is not installed."""
    if target.protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
                OTLPSpanExporter as GrpcExporter,
            )
        except ImportError:
            raise DemoError(
                "--protocol grpc needs the OTLP gRPC exporter: "
                "pip install opentelemetry-exporter-otlp-proto-grpc",
                status=2,
            ) from None
        metadata = tuple((key.lower(), value) for key, value in target.headers.items())
        return GrpcExporter(
            endpoint=target.export_endpoint,
            insecure=not target.secure,
            headers=metadata,
            timeout=TIMEOUT_SECONDS,
        )
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter as HttpExporter,
        )
    except ImportError:
        raise DemoError(
            "the demo sends through the OTLP/HTTP exporter: "
            "pip install opentelemetry-exporter-otlp-proto-http",
            status=2,
        ) from None
    return HttpExporter(endpoint=target.export_endpoint, headers=target.headers, timeout=TIMEOUT_SECONDS)


def send_session(exporter: SpanExporter, spans: Sequence[ReadableSpan], target: Target) -> None:
    """Export one session's spans; ``DemoError`` when the exporter gives up."""
    if exporter.export(spans) is not SpanExportResult.SUCCESS:
        raise DemoError(
            f"the export to {target.export_endpoint} failed (the exporter's message is above); "
            "check that otel-bridge is still running"
        )


def progress_bar(done: int, total: int, width: int = PROGRESS_WIDTH) -> str:
    """``\\r[#####     ] 12/40 sessions``."""
    filled = width * done // total if total else width
    return f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} sessions"


def run(
    target: Target,
    sessions: int,
    seed: int,
    *,
    progress: IO[str] | None = None,
    now_ns: int | None = None,
) -> DemoReport:
    """Check the server, then build and send ``sessions`` sessions; the report of what was sent."""
    check_server(target)
    exporter = make_exporter(target)
    report = DemoReport(seed, target.protocol, target.export_endpoint, target.ui_url, target.api_url)
    now = time.time_ns() if now_ns is None else now_ns
    try:
        if progress is not None:
            progress.write(progress_bar(0, sessions))
            progress.flush()
        for index in range(sessions):
            plan = plan_session(index, seed, now)
            spans = build_spans(plan, seed)
            send_session(exporter, spans, target)
            report.sessions.append(report_session(plan, spans))
            if progress is not None:
                progress.write(progress_bar(index + 1, sessions))
                progress.flush()
    finally:
        if progress is not None:
            progress.write("\n")
            progress.flush()
        exporter.shutdown()
    return report


def main(
    *,
    sessions: int,
    seed: int | None,
    endpoint: str | None,
    public_key: str | None,
    secret_key: str | None,
    protocol: Protocol_,
    as_json: bool,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """The ``demo`` command: the exit status (0 sent, 1 server unreachable or refused, 2 usage)."""
    stdout, stderr = out or sys.stdout, err or sys.stderr
    if sessions < 1:
        print("otel-bridge demo: --sessions must be at least 1", file=stderr)
        return 2
    chosen_seed = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
    try:
        target = resolve_target(protocol, endpoint, public_key, secret_key)
        report = run(target, sessions, chosen_seed, progress=stderr)
    except DemoError as error:
        print(f"otel-bridge demo: {error.message}", file=stderr)
        return error.status
    print(report.to_json() if as_json else report.summary(), file=stdout)
    return 0
