"""Langfuse's wire format, in one place: what the ingestion API, the read API, the in-process
library's ingestion sink, the UI and the forwarder all write and read the same way.

- the ingestion endpoint and its event types (which create, which update, which are dropped);
- timestamps: RFC 3339 in UTC with microseconds and ``Z`` out, ISO 8601 with any offset in;
- ``usageDetails`` and ``costDetails``: Langfuse's names for token counts and USD amounts;
- ids and environments: Langfuse's rules, and how otel-bridge makes any value fit them;
- Basic authorization with a key pair.

Standard library only, like the rest of ``model``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import overload

from otel_bridge.model.langfuse import Cost, ObservationType, Usage

#: The path of Langfuse's batch ingestion (``POST``), on a Langfuse server and on ``otel-bridge serve``.
INGESTION_PATH = "/api/public/ingestion"

# -- event types ------------------------------------------------------------------------------------

#: The event that states a trace's own claims (name, user, session, tags, input, output, …).
TRACE_CREATE = "trace-create"
#: The create event whose body names the observation's type (``body.type``).
OBSERVATION_CREATE = "observation-create"


def create_event_type(observation_type: ObservationType) -> str:
    """The create event of an observation type: ``generation-create``, ``tool-create``, …"""
    return f"{observation_type.value.lower()}-create"


#: Event types that create an observation → its type (None: the body's ``type`` says).
CREATE_TYPES: Mapping[str, ObservationType | None] = {
    **{create_event_type(kind): kind for kind in ObservationType},
    OBSERVATION_CREATE: None,
}
#: Event types that update an observation → the type it gets when the update creates it (None: the
#: body's ``type`` says).
UPDATE_TYPES: Mapping[str, ObservationType | None] = {
    "span-update": ObservationType.SPAN,
    "generation-update": ObservationType.GENERATION,
    "observation-update": None,
}
#: Accepted and dropped: SDK logs are the SDK's debugging aid.
#: Scores, kept apart from the spans (``translate/langfuse_ingestion/scores.py``).
SCORE_CREATE = "score-create"
IGNORED_TYPES = frozenset({"sdk-log"})
#: Every event type the ingestion API accepts.
SUPPORTED_TYPES = frozenset({TRACE_CREATE, SCORE_CREATE, *CREATE_TYPES, *UPDATE_TYPES, *IGNORED_TYPES})

# -- timestamps -------------------------------------------------------------------------------------


@overload
def iso(moment: datetime) -> str: ...
@overload
def iso(moment: None) -> None: ...
def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with microseconds and ``Z`` (``2025-01-31T12:00:00.000000Z``), as Langfuse's
    SDKs write times and every API answer carries them; a naive datetime is taken as UTC (as in
    ``datetime_to_nanos``). Always microseconds: Langfuse clients parse any precision, and
    milliseconds would tie spans that start within the same millisecond. None stays None (null)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


#: The times the store can keep: signed 64-bit nanoseconds since the epoch, a day inside each end.
EARLIEST_TIME = datetime(1677, 9, 22, tzinfo=timezone.utc)
LATEST_TIME = datetime(2262, 4, 10, tzinfo=timezone.utc)


def parse_timestamp(name: str, text: str) -> datetime:
    """An ISO 8601 date-time (``Z`` or an offset; none means UTC) as an aware UTC datetime.

    Raises ``ValueError`` whose message names the field ``name`` and the expected form; callers turn
    it into their own error (a 400 query error, a failed ingestion event).
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"  # Python 3.10's fromisoformat does not read "Z"
    try:
        moment = datetime.fromisoformat(value)
        moment = (
            moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
        )
    except ValueError:
        raise ValueError(
            f"{name} must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z, got {text!r}"
        ) from None
    except OverflowError:  # an offset that moves year 1 or 9999 out of datetime's range
        moment = datetime.min.replace(tzinfo=timezone.utc)
    if not EARLIEST_TIME <= moment <= LATEST_TIME:
        raise ValueError(
            f"{name} must be between {EARLIEST_TIME:%Y-%m-%d} and {LATEST_TIME:%Y-%m-%d} "
            f"(times are kept as 64-bit nanoseconds since 1970), got {text!r}"
        )
    return moment


# -- usage and cost ---------------------------------------------------------------------------------

#: The ``usageDetails`` key of the cache-read part of the input tokens (``Usage.cached``).
CACHED_TOKENS_DETAIL = "input_cached_tokens"
#: The ``usageDetails`` key of the reasoning part of the output tokens (``Usage.reasoning``).
REASONING_TOKENS_DETAIL = "output_reasoning_tokens"
#: The parts of ``costDetails`` (and of the older ``usage``'s ``<part>Cost``), in USD.
COST_PARTS = ("input", "output", "total")


def usage_details(usage: Usage) -> dict[str, int]:
    """``usageDetails``: ``input``, ``output``, ``total``, then the cached and reasoning counts when
    non-zero, then any further counts under their own names; empty without usage."""
    if not usage:
        return {}
    details = {"input": usage.input, "output": usage.output, "total": usage.total}
    if usage.cached:
        details[CACHED_TOKENS_DETAIL] = usage.cached
    if usage.reasoning:
        details[REASONING_TOKENS_DETAIL] = usage.reasoning
    for name, count in usage.details.items():
        details.setdefault(name, count)
    return details


def cost_details(cost: Cost | None) -> dict[str, float]:
    """``costDetails``: the known parts of ``cost`` (USD by ``input``/``output``/``total``)."""
    if cost is None:
        return {}
    parts = {"input": cost.input, "output": cost.output, "total": cost.total}
    return {part: value for part, value in parts.items() if value is not None}


# -- ids and environments ---------------------------------------------------------------------------

#: Langfuse's id rule (``idSchema``): 1-800 characters, no carriage return.
MAX_ID_LENGTH = 800
#: The environment of everything that names none (Langfuse's default).
DEFAULT_ENVIRONMENT = "default"
#: Langfuse's longest environment.
MAX_ENVIRONMENT_LENGTH = 40
#: Langfuse reserves environments starting with this for its own events.
_RESERVED_PREFIX = "langfuse"
_ENVIRONMENT_CHARACTERS = re.compile(rf"[a-z0-9_-]{{1,{MAX_ENVIRONMENT_LENGTH}}}")


def normalized_environment(value: str) -> str:
    """The environment otel-bridge keeps for ``value``: the one rule for OTLP spans, the ingestion API
    and the in-process library's ingestion sink.

    Langfuse accepts 1-40 lowercase letters, digits, ``-`` and ``_``, not starting with ``langfuse``,
    and refuses the whole event otherwise. otel-bridge normalizes instead of refusing: an OTel span
    cannot be refused for its environment (its exporter has no way to correct it, and the span's
    data would be lost with it), every way in must store the same value for the same claim, and what
    is stored must be accepted as is by a Langfuse server it is forwarded to. So:

    - surrounding whitespace is stripped and the value lowercased (``Production`` is ``production``);
    - a ``langfuse-`` or ``langfuse_`` prefix is dropped (``langfuse-prod`` is the app's ``prod``
      under a namespace);
    - a value that still breaks Langfuse's rule (empty, over 40 characters, other characters, or
      still reserved, as ``langfuse`` itself) is ``default``: a repaired value (truncated, characters
      replaced) could silently merge two environments, while ``default`` visibly names none.

    A value Langfuse accepts is returned unchanged.
    """
    lowered = value.strip().lower()
    for prefix in ("langfuse-", "langfuse_"):
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
    if lowered.startswith(_RESERVED_PREFIX) or not _ENVIRONMENT_CHARACTERS.fullmatch(lowered):
        return DEFAULT_ENVIRONMENT
    return lowered


#: The observation id of a trace's *claims row*: what a trace says about itself without being an
#: observation (Langfuse's ``trace-create``: name, user, session, tags, input, output, …). A
#: ``Translation`` with this observation id is stored like a span, so that its trace is resolved from
#: it and its spans in any arrival order, but it is no observation: reads never list it, and trace
#: and session counts leave it out. Its claims beat every span's (they are explicit trace-level
#: claims). No OTLP span id (16 hex digits) and no Langfuse id (1-800 characters) is empty.
TRACE_CLAIMS_ID = ""

# -- authorization ----------------------------------------------------------------------------------


def basic_authorization(public_key: str, secret_key: str) -> str:
    """The ``Authorization`` value for a Langfuse key pair: ``Basic base64(public:secret)``."""
    token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")
    return f"Basic {token}"


__all__ = [
    "CACHED_TOKENS_DETAIL",
    "COST_PARTS",
    "CREATE_TYPES",
    "DEFAULT_ENVIRONMENT",
    "EARLIEST_TIME",
    "IGNORED_TYPES",
    "INGESTION_PATH",
    "LATEST_TIME",
    "MAX_ENVIRONMENT_LENGTH",
    "MAX_ID_LENGTH",
    "OBSERVATION_CREATE",
    "REASONING_TOKENS_DETAIL",
    "SCORE_CREATE",
    "SUPPORTED_TYPES",
    "TRACE_CLAIMS_ID",
    "TRACE_CREATE",
    "UPDATE_TYPES",
    "basic_authorization",
    "cost_details",
    "create_event_type",
    "iso",
    "normalized_environment",
    "parse_timestamp",
    "usage_details",
]
