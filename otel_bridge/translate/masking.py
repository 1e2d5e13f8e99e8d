"""Masking secrets out of spans before they are translated: what the in-process library applies before
anything leaves the process (``configure(mask=...)``), and the server to spans that arrive unmasked
(``otel-bridge serve --mask-secrets``, on by default).

A mask is a function ``value -> value`` (Langfuse's ``mask=`` shape): it is given each string attribute
of a span, an attribute holding a JSON object or array decoded to Python values first (a captured
input, output or metadata document), and returns what to keep. ``mask_secrets`` is the default: it
replaces values that look like API keys, bearer tokens and JWTs, and every string under a key named
like a credential (``api_key``, ``authorization``, ``password``, ``secret``, ``token``), with
``MASKED``. Attributes whose own key is named so (``http.request.header.authorization``) are masked
whole. Numbers and booleans are never touched (``llm.token_count.prompt`` is a count, not a token).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from otel_bridge.model import AttributeValue, SpanRecord

__all__ = ["MASKED", "Mask", "mask_record", "mask_records", "mask_secrets", "secret_key_name"]

_logger = logging.getLogger("otel_bridge.masking")

#: What a masked value becomes: visible, so a reader knows something was there.
MASKED = "[MASKED]"

#: A mask: any JSON-like value (or an attribute's string) in, the value to keep out.
Mask = Callable[[Any], Any]

# Credentials by their shape. Each prefix is a vendor's documented one (OpenAI ``sk-``/``sk-proj-``,
# Groq ``gsk_``, Langfuse ``pk-lf-``/``sk-lf-``, Google ``AIza``, Slack ``xox[bpas]-``), followed by
# enough key characters that ordinary words (``sk-learn``) are not caught.
_SECRET_VALUES = re.compile(
    r"""
    \b(?:sk-(?:proj-|ant-|lf-)?|pk-lf-|gsk_|xox[bpas]-)[A-Za-z0-9_\-]{16,}
    | \bAIza[0-9A-Za-z_\-]{30,}
    | \bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*
    | \beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}  # a JWT: base64url {"...
    """,
    re.VERBOSE,
)
# The last segment of a key (``a.b.api_key``, ``X-Api-Key``), lowercase: a credential's name. ``token``
# but not ``tokens`` or ``token_count``: those are counts.
_SECRET_KEYS = re.compile(
    r"(?:^|[_\-])(?:api[_\-]?key|apikey|authorization|auth|password|passwd|passphrase|secret"
    r"|(?:secret|private|access)[_\-]?key|token|cookie|credentials?)$"
)


def secret_key_name(key: str) -> bool:
    """Whether ``key`` (a mapping key or an attribute key) names a credential."""
    last = key.rsplit(".", 1)[-1].strip().lower()
    return bool(_SECRET_KEYS.search(last))


def mask_secrets(value: Any) -> Any:
    """The default mask: ``value`` with credential-shaped substrings and every string under a
    credential-named key replaced by ``MASKED``; other values unchanged (a new object only where
    something was masked)."""
    if isinstance(value, str):
        return _SECRET_VALUES.sub(MASKED, value) if _might_hold_secret(value) else value
    if isinstance(value, Mapping):
        masked = {
            key: (
                MASKED if isinstance(item, str) and item and secret_key_name(str(key)) else mask_secrets(item)
            )
            for key, item in value.items()
        }
        return value if all(masked[key] is value[key] for key in value) else masked
    if isinstance(value, list):
        items = [mask_secrets(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _might_hold_secret(text: str) -> bool:
    """A cheap pre-check before the regular expression: every pattern has one of these."""
    return any(marker in text for marker in ("sk-", "pk-lf-", "gsk_", "xox", "AIza", "Bearer", "eyJ"))


def mask_records(records: Sequence[SpanRecord], mask: Mask) -> list[SpanRecord]:
    """Every record through ``mask_record``."""
    return [mask_record(record, mask) for record in records]


def mask_record(record: SpanRecord, mask: Mask) -> SpanRecord:
    """``record`` with its attributes and its events' attributes masked (the same record when nothing
    changed). A mask that raises drops the attribute's value to ``MASKED``: a failing mask must not
    let the secret through."""
    attributes = _masked_attributes(record.attributes, mask)
    events = record.events
    if events:
        masked_events = tuple(
            replace(event, attributes=masked)
            if (masked := _masked_attributes(event.attributes, mask)) is not event.attributes
            else event
            for event in events
        )
        if any(a is not b for a, b in zip(masked_events, events, strict=True)):
            events = masked_events
    if attributes is record.attributes and events is record.events:
        return record
    return replace(record, attributes=attributes, events=events)


def _masked_attributes(attributes: Mapping[str, AttributeValue], mask: Mask) -> Mapping[str, AttributeValue]:
    changed: dict[str, AttributeValue] = {}
    for key, value in attributes.items():
        masked = _masked_attribute(key, value, mask)
        if masked is not value:
            changed[key] = masked
    return {**attributes, **changed} if changed else attributes


def _masked_attribute(key: str, value: AttributeValue, mask: Mask) -> AttributeValue:
    if isinstance(value, str):
        if value and mask is mask_secrets and secret_key_name(key):
            return MASKED
        return _masked_text(value, mask)
    if isinstance(value, list) and any(isinstance(item, str) for item in value):
        items = [_masked_text(item, mask) if isinstance(item, str) else item for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _masked_text(text: str, mask: Mask) -> AttributeValue:
    """One string attribute: a JSON document is masked as its values, other text as it is."""
    try:
        stripped = text.lstrip()
        if stripped[:1] in ("{", "["):
            try:
                document = json.loads(text)
            except ValueError:
                document = None
            if isinstance(document, (dict, list)):
                masked = mask(document)
                if masked is document:
                    return text
                return json.dumps(masked, ensure_ascii=False, separators=(",", ":"), default=str)
        masked = mask(text)
        if masked is text or masked == text:
            return text
        return masked if isinstance(masked, str) else json.dumps(masked, ensure_ascii=False, default=str)
    except Exception:
        _logger.warning("otel-bridge: the mask function failed; the value was replaced", exc_info=True)
        return MASKED
