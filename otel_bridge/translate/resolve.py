"""Resolve one ``Trace`` from the claims of all its spans (docs/architecture.md, translation rule 3).

The result depends only on the *set* of spans, never on the order or batching they arrived in:

- a claim (session, user, release, version, environment, public, explicit name/input/output, each
  trace-metadata key) is taken from the span that ended last among those making it, ties broken by
  the larger span id — a root ends after its children, so its claim normally wins, and a later
  ``update_current_trace`` beats an earlier one;
- tags are the sorted union of every span's tags (Langfuse merges tags the same way);
- name, input and output come from the root span unless an explicit trace-level claim exists; a trace
  whose root never arrived uses its earliest span (ties: the smaller span id) as stand-in root.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from otel_bridge.model import Trace, TraceClaims, nanos_to_datetime
from otel_bridge.model.langfuse_wire import DEFAULT_ENVIRONMENT


def _last_ended_order(claims: TraceClaims) -> tuple[int, str]:
    return (claims.end_time_unix_nano, claims.span_id)


def resolve_trace(claims: Iterable[TraceClaims]) -> Trace:
    """The trace all ``claims`` (of one trace id, at least one) describe.

    Several claims for one span id (a re-sent span) count once: the last one given wins, so callers
    pass the current version of each span.
    """
    by_span: dict[str, TraceClaims] = {c.span_id: c for c in claims}
    if not by_span:
        raise ValueError("resolve_trace needs the claims of at least one span")
    ordered = sorted(by_span.values(), key=_last_ended_order)

    session_id = user_id = release = version = environment = None
    explicit_name: str | None = None
    explicit_input: Any = None
    explicit_output: Any = None
    public: bool | None = None
    tags: set[str] = set()
    metadata: dict[str, Any] = {}
    roots: list[TraceClaims] = []
    for c in ordered:  # earliest end first, so later assignments win
        session_id = c.session_id or session_id
        user_id = c.user_id or user_id
        release = c.release or release
        version = c.version or version
        environment = c.environment or environment
        explicit_name = c.explicit_name or explicit_name
        if c.explicit_input is not None:
            explicit_input = c.explicit_input
        if c.explicit_output is not None:
            explicit_output = c.explicit_output
        if c.public is not None:
            public = c.public
        tags.update(c.tags)
        metadata.update(c.metadata)
        if c.is_root:
            roots.append(c)

    root = roots[-1] if roots else min(ordered, key=lambda c: (c.start_time_unix_nano, c.span_id))
    first = ordered[0]
    return Trace(
        id=first.trace_id,
        timestamp=nanos_to_datetime(min(c.start_time_unix_nano for c in ordered)),
        end_time=nanos_to_datetime(ordered[-1].end_time_unix_nano),
        name=explicit_name or root.span_name,
        root_observation_id=root.span_id,
        session_id=session_id,
        user_id=user_id,
        tags=tuple(sorted(tags)),
        release=release,
        version=version,
        environment=environment or DEFAULT_ENVIRONMENT,
        public=bool(public),
        input=explicit_input if explicit_input is not None else root.span_input,
        output=explicit_output if explicit_output is not None else root.span_output,
        metadata=metadata,
    )
