"""Langfuse ingestion events → ``Translation``s: the same values the OTLP translator produces, so that a
batch posted to ``/api/public/ingestion`` is stored by the one write path (``Store.write_batch``).

What each event becomes (docs/architecture.md, "Storage and grouping semantics"):

- ``trace-create``: the trace's own claims (name, user, session, tags, release, version, environment,
  public, metadata, input, output, timestamp), kept in the trace's claims row (an observation-less
  translation whose observation id is ``langfuse_wire.TRACE_CLAIMS_ID``). Its claims are explicit
  trace-level claims: they beat what any span says. A repeated ``trace-create`` merges into the stored
  claims: non-null fields replace, tags are unioned, metadata is deep-merged, and ``timestamp`` and
  ``environment`` keep their first value, as in Langfuse.
- ``span-create``, ``generation-create``, ``event-create``, the typed creates (``agent-create``,
  ``tool-create``, ``chain-create``, ``retriever-create``, ``evaluator-create``, ``embedding-create``,
  ``guardrail-create``) and ``observation-create``: one observation each; a create of an id that
  exists merges like an update.
- ``span-update``, ``generation-update``, ``observation-update``: merge their non-null fields into
  the stored observation (or create it, when the create has not arrived: Langfuse upserts too).
- ``score-create``: a ``Score`` (``scores.py``, the rules of ``POST /api/public/scores``), collected
  apart (``BatchConverter.scores``): the caller writes them with ``Store.write_scores``.
- ``sdk-log``: accepted (201) and dropped.

Ids are stored as given (Langfuse's SDKs send UUIDs, not OTel hex). Times default to the event's
timestamp: a create without ``startTime`` starts then; without ``endTime`` it ends when it starts
(a later update sets the end). An observation is the trace's root when it has no parent. Costs
are the explicit ones (``costDetails``, or the ``usage`` costs), else computed from the shipped price
table, exactly as for OTLP spans. Environments are normalized by the rule OTLP spans follow
(``langfuse_wire.normalized_environment``), never refused.

Events of one batch are applied in timestamp order (stable), each onto the state left by the ones
before, so a create and its update in one batch end as the update says. Problems with one event are
values (``EventError``), reported in the 207 response; the rest of the batch is stored.

- ``events``: the envelopes (``Event``, ``EventOutcome``);
- ``bodies``: typed reading of an event's body;
- ``converter``: ``BatchConverter`` and ``convert_batch``, applying events onto stored state.
"""

from otel_bridge.translate.langfuse_ingestion.converter import (
    BatchConverter,
    CanReadStoredSpans,
    convert_batch,
)
from otel_bridge.translate.langfuse_ingestion.events import Event, EventOutcome

__all__ = ["BatchConverter", "CanReadStoredSpans", "Event", "EventOutcome", "convert_batch"]
