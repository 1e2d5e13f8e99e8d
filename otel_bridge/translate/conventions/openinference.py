"""OpenInference (Arize: Phoenix, LangChain, LlamaIndex, DSPy, smolagents...): ``openinference.*``,
``llm.*``, ``input.*``/``output.*``.

Source: Arize-ai/openinference ``python/openinference-semantic-conventions/src/openinference/semconv/
trace/__init__.py`` and ``spec/semantic_conventions.md`` (docs/reference/conventions.md §3.1, §1.6
steps 14 and 19, §1.7, §1.8 rule 2).

Decisions:
- Type from ``openinference.span.kind``: LLM → GENERATION (but LlamaIndex's wrapper spans around the
  real call → CHAIN, and their ``ChatMessage`` reprs read back into messages:
  ``openinference_llama_index``); CHAIN, RETRIEVER, EMBEDDING, AGENT, TOOL,
  GUARDRAIL, EVALUATOR keep their name (Langfuse's mapping). PROMPT, RERANKER and unknown kinds give
  no answer, so later rules decide (SPAN unless a model or tool attribute says otherwise), and the
  kind stays visible in ``metadata.attributes``.
- Input/output: the indexed messages ``llm.input_messages``/``llm.output_messages`` (normalized, see
  ``messages``) come first, then the completions API's ``llm.prompts``/``llm.choices``, then
  ``input.value``/``output.value``. Langfuse reads ``input.value`` first, which shows an LLM span's
  raw framework payload (LangChain's serialized constructor) instead of its chat messages; we fix
  that. A value that loses stays in ``metadata.attributes``. ``input.value`` is parsed as JSON only
  when ``input.mime_type`` is ``application/json`` (as a ``Payload``, parsed when read); the mime
  type is mapped with its value.
- Usage from ``llm.token_count.*`` (prompt → input, completion → output, total, cache_read → cached,
  completion_details.reasoning → reasoning; cache_write, cache_input, prompt audio, completion audio
  as the details ``cache_creation`` (the GenAI convention's name), ``cache_input``, ``audio_input``,
  ``audio_output``). Cost from
  ``llm.cost.{prompt,completion,total}``. Model parameters from ``llm.invocation_parameters`` (JSON).
- The user metadata attribute ``metadata`` (a JSON object set by ``using_metadata``) becomes
  ``metadata.metadata`` of the observation, parsed; Langfuse leaves it as a string in attributes.
- ``llm.provider``, ``llm.system``, ``llm.tools.*``, ``llm.prompt_template.*``, ``tool.*``,
  ``retrieval.*``, ``embedding.*`` and ``reranker.*`` stay in ``metadata.attributes``. The model and
  ``tag.tags`` are read centrally (``precedence``); so are ``session.id`` and ``user.id``, which
  OpenInference takes from OTel's general conventions (their constants are in ``conventions.otel``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_bridge.model import ObservationType
from otel_bridge.translate.conventions import openinference_llama_index as llama_index
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import Message, message, tool_call
from otel_bridge.translate.payloads import json_payload
from otel_bridge.translate.registry import PRIORITY_OPENINFERENCE, Convention, TypeRule
from otel_bridge.translate.view import SpanView, as_float, as_int, parse_json

#: Namespaces (first key segment) that make this convention worth running.
NAMESPACES = frozenset({"openinference", "llm", "input", "output"})
SPAN_KIND = "openinference.span.kind"
INPUT_VALUE = "input.value"
INPUT_MIME_TYPE = "input.mime_type"
OUTPUT_VALUE = "output.value"
OUTPUT_MIME_TYPE = "output.mime_type"
JSON_MIME_TYPE = "application/json"
INVOCATION_PARAMETERS = "llm.invocation_parameters"
USER_METADATA = "metadata"
#: ``llm.prompts`` as one list-valued attribute (older instrumentations).
PROMPTS_LIST = "llm.prompts"
#: The trace's tags, a list (``using_tags``), read centrally (``precedence.TAGS_KEYS``).
TAG_TAGS = "tag.tags"
#: The model keys, read centrally (``precedence.MODEL_KEYS``): the response's, the request's, then
#: the one ``llm.model_name`` that does not say which, and the embedding and reranker models.
RESPONSE_MODEL_NAME = "llm.response.model_name"
REQUEST_MODEL_NAME = "llm.request.model_name"
MODEL_NAME = "llm.model_name"
EMBEDDING_MODEL_NAME = "embedding.model_name"
RERANKER_MODEL_NAME = "reranker.model_name"

LLM_PREFIX = "llm."
INPUT_MESSAGES = "input_messages"
OUTPUT_MESSAGES = "output_messages"
PROMPTS = "prompts"
CHOICES = "choices"
MESSAGE_FIELDS = frozenset(
    {
        "role",
        "content",
        "contents",
        "name",
        "tool_call_id",
        "tool_calls",
        "function_call_name",
        "function_call_arguments_json",
    }
)
#: ``llm.<group>.<N>.<item prefix><field>...`` for every indexed list this convention reads.
INDEXED_GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    INPUT_MESSAGES: ("message.", MESSAGE_FIELDS),
    OUTPUT_MESSAGES: ("message.", MESSAGE_FIELDS),
    PROMPTS: ("prompt.", frozenset({"text"})),
    CHOICES: ("completion.", frozenset({"text"})),
}

#: ``llm.token_count.*`` → normalized usage names.
TOKEN_COUNTS = (
    ("llm.token_count.prompt", "input"),
    ("llm.token_count.completion", "output"),
    ("llm.token_count.total", "total"),
    ("llm.token_count.prompt_details.cache_read", "cached"),
    ("llm.token_count.completion_details.reasoning", "reasoning"),
    ("llm.token_count.prompt_details.cache_write", "cache_creation"),
    ("llm.token_count.prompt_details.cache_input", "cache_input"),
    ("llm.token_count.prompt_details.audio", "audio_input"),
    ("llm.token_count.completion_details.audio", "audio_output"),
)
#: ``llm.cost.*`` (USD) → cost names.
COSTS = (
    ("llm.cost.prompt", "input"),
    ("llm.cost.completion", "output"),
    ("llm.cost.total", "total"),
)
TOKEN_COUNT_KEYS = tuple(key for key, _ in TOKEN_COUNTS)
TOKEN_COUNT_NAMES = dict(TOKEN_COUNTS)
COST_KEYS = tuple(key for key, _ in COSTS)
COST_NAMES = dict(COSTS)

TYPES = {
    "LLM": ObservationType.GENERATION,
    "CHAIN": ObservationType.CHAIN,
    "RETRIEVER": ObservationType.RETRIEVER,
    "EMBEDDING": ObservationType.EMBEDDING,
    "AGENT": ObservationType.AGENT,
    "TOOL": ObservationType.TOOL,
    "GUARDRAIL": ObservationType.GUARDRAIL,
    "EVALUATOR": ObservationType.EVALUATOR,
}


#: Where a flattened key belongs: (group, index, path inside the item).
Located = tuple[str, int, tuple[str, ...]]
_UNSEEN: Located = ("", -1, ())
_CACHE_LIMIT = 8192


class IndexedSpec:
    """Several flattened lists (``<prefix><group>.<N>.<item><field>...``), each group with its item
    prefix and the fields a convention understands (other sub-keys stay in ``metadata.attributes``).

    ``collect`` reads them all at once, and where each key belongs is worked out once per span shape
    (spans of one instrumentation repeat the same keys), so a span costs one lookup per indexed key.
    """

    __slots__ = ("_cache", "_cut", "_groups", "prefix")

    def __init__(self, prefix: str, groups: Mapping[str, tuple[str, frozenset[str]]]) -> None:
        self.prefix = prefix
        self._cut = len(prefix)
        self._groups = groups
        self._cache: dict[str, Located | None] = {}

    def locate(self, key: str) -> Located | None:
        """Where ``key`` belongs, or None when it is not part of any group."""
        found = self._cache.get(key, _UNSEEN)
        if found is _UNSEEN:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[key] = self._parse(key)
        return found

    def _parse(self, key: str) -> Located | None:
        if not key.startswith(self.prefix):
            return None
        group, dot, rest = key[self._cut :].partition(".")
        spec = self._groups.get(group)
        if spec is None or not dot:
            return None
        index, dot, path = rest.partition(".")
        if not dot or not index.isdigit():
            return None
        item, fields = spec
        if item:
            if not path.startswith(item):
                return None
            path = path[len(item) :]
        parts = tuple(path.split("."))
        return (group, int(index), parts) if parts[0] in fields else None

    def collect(self, span: SpanView) -> IndexedGroups:
        """Every group's entries; which keys belong where is worked out once per span shape."""
        memo = span.shape.memo
        located: tuple[tuple[str, Located], ...] | None = memo.get(self)
        if located is None:
            pairs = ((key, self.locate(key)) for key in span.shape.keys if key.startswith(self.prefix))
            located = memo[self] = tuple((key, where) for key, where in pairs if where is not None)
        if not located:
            return NO_GROUPS
        groups = IndexedGroups()
        attributes = span.attributes
        for key, where in located:
            groups.add(key, attributes[key], where)
        return groups


class IndexedGroups:
    """The entries ``IndexedSpec`` found on one span; keys are marked mapped per group, and only for
    the groups a convention actually uses (``take``)."""

    __slots__ = ("_items", "_keys")

    def __init__(self) -> None:
        self._items: dict[str, dict[int, dict[str, Any]]] = {}
        self._keys: dict[str, list[str]] = {}

    def add(self, key: str, value: Any, located: Located) -> None:
        """Store ``value`` at its place (see ``IndexedSpec.locate``)."""
        group, index, parts = located
        node = self._items.setdefault(group, {}).setdefault(index, {})
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
        self._keys.setdefault(group, []).append(key)

    def __contains__(self, group: str) -> bool:
        return group in self._items

    def items(self, group: str) -> list[dict[str, Any]]:
        """The group's entries ordered by index (gaps closed), with the item prefix removed."""
        entries = self._items.get(group, {})
        return [entries[index] for index in sorted(entries)]

    def take(self, span: SpanView, group: str) -> None:
        """Mark the group's keys mapped."""
        span.used.update(self._keys.get(group, ()))


LLM_LISTS = IndexedSpec(LLM_PREFIX, INDEXED_GROUPS)
#: What ``collect`` finds on a shape without indexed keys (shared: nothing is ever added to it).
NO_GROUPS = IndexedGroups()


def ordered(value: Any) -> list[Any]:
    """An indexed sub-list as collected (``{"0": ..., "1": ...}``) as a list; a list as it is."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(key.isdigit() for key in value):
        return [value[key] for key in sorted(value, key=int)]
    return []


def applies(span: SpanView) -> bool:
    """Any ``openinference.*``, ``llm.*``, ``input.*`` or ``output.*`` attribute."""
    return not NAMESPACES.isdisjoint(span.namespaces)


def observation_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """``openinference.span.kind`` (upper case); None for PROMPT, RERANKER and unknown kinds."""
    value = span.peek(SPAN_KIND)
    if not isinstance(value, str):
        return None
    found = TYPES.get(value.strip().upper())
    if found is ObservationType.GENERATION and llama_index.is_llm_wrapper(span.scope_name, span.attributes):
        found = ObservationType.CHAIN
    if found is not None:
        span.take(SPAN_KIND)
    return found


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer messages or raw input/output, usage, cost and invocation parameters."""
    namespaces = span.namespaces
    if "llm" in namespaces:
        _llm(span, draft)
    if draft.input is None:
        draft.input = _raw_value(span, INPUT_VALUE, INPUT_MIME_TYPE)
    if draft.output is None:
        draft.output = _raw_value(span, OUTPUT_VALUE, OUTPUT_MIME_TYPE)
    if "openinference" in namespaces and USER_METADATA not in draft.metadata:
        user_metadata = span.peek(USER_METADATA)
        parsed = parse_json(user_metadata) if isinstance(user_metadata, str) else None
        if isinstance(parsed, (dict, list)):
            draft.metadata[USER_METADATA] = parsed
            span.take(USER_METADATA)


def _llm(span: SpanView, draft: ObservationDraft) -> None:
    """The ``llm.*`` keys: indexed messages (one scan), token counts, costs, parameters."""
    if draft.input is None or draft.output is None:
        groups = LLM_LISTS.collect(span)
        if draft.input is None:
            draft.input = _io(span, groups, INPUT_MESSAGES, PROMPTS, "text")
            if draft.input is None and isinstance(span.peek(PROMPTS_LIST), list):
                draft.input = span.take(PROMPTS_LIST)
        if draft.output is None:
            draft.output = _io(span, groups, OUTPUT_MESSAGES, CHOICES, "text")

    attributes = span.attributes
    used = span.used
    usage = draft.usage
    # Only the keys this shape carries (listed once per shape), in the lists' order.
    present = span.shape.present
    for key in present(TOKEN_COUNT_KEYS):
        name = TOKEN_COUNT_NAMES[key]
        value = attributes[key]
        if value is not None and name not in usage:
            count = as_int(value)
            if count is not None:
                usage[name] = count
                used.add(key)
    cost = draft.cost
    for key in present(COST_KEYS):
        name = COST_NAMES[key]
        value = attributes[key]
        if value is not None and name not in cost:
            amount = as_float(value)
            if amount is not None:
                cost[name] = amount
                used.add(key)
    parameters = span.peek(INVOCATION_PARAMETERS)
    parsed = parse_json(parameters) if isinstance(parameters, str) else parameters
    if isinstance(parsed, dict):
        draft.offer_parameters(parsed)
        span.take(INVOCATION_PARAMETERS)


def _io(span: SpanView, groups: IndexedGroups, messages_group: str, texts_group: str, field: str) -> Any:
    """Normalized messages of ``messages_group``, else the completions API texts; None if neither."""
    if messages_group in groups:
        groups.take(span, messages_group)
        return [_message(entry) for entry in groups.items(messages_group)]
    if texts_group in groups:
        groups.take(span, texts_group)
        texts = [entry.get(field) for entry in groups.items(texts_group)]
        return texts[0] if len(texts) == 1 else texts
    return None


def _message(entry: dict[str, Any]) -> Message:
    """One ``message.*`` entry in the normalized shape."""
    content = entry.get("content")
    if content is None and "contents" in entry:
        content = _contents(ordered(entry["contents"]))
    calls: list[dict[str, Any]] = []
    for call in ordered(entry.get("tool_calls")):
        inner = call.get("tool_call") if isinstance(call, dict) else None
        if isinstance(inner, dict):
            function = inner.get("function")
            function = function if isinstance(function, dict) else {}
            calls.append(tool_call(inner.get("id"), function.get("name"), function.get("arguments")))
    if "function_call_name" in entry:
        calls.append(tool_call(None, entry["function_call_name"], entry.get("function_call_arguments_json")))
    return message(entry.get("role"), content, calls, entry.get("tool_call_id"), entry.get("name"))


def _contents(parts: list[Any]) -> Any:
    """``message.contents.K.message_content.*``: text parts joined; images as OpenAI ``image_url``
    parts; anything else kept as it is."""
    normalized: list[Any] = []
    texts: list[str] = []
    for part in parts:
        body = part.get("message_content", part) if isinstance(part, dict) else part
        if not isinstance(body, dict):
            normalized.append(body)
            continue
        kind = body.get("type")
        if kind == "text":
            text = str(body.get("text", ""))
            texts.append(text)
            normalized.append({"type": "text", "text": text})
        elif kind == "image":
            image = body.get("image")
            inner = image.get("image") if isinstance(image, dict) else None
            url = inner.get("url") if isinstance(inner, dict) else None
            normalized.append({"type": "image_url", "image_url": {"url": url}})
        else:
            normalized.append(body)
    if normalized and len(texts) == len(normalized):
        return "\n".join(texts)
    return normalized or None


def _raw_value(span: SpanView, key: str, mime_key: str) -> Any:
    """``input.value``/``output.value``: a JSON payload when the mime type says JSON, else the value."""
    value = span.take(key)
    if value is None:
        return None
    mime = span.take(mime_key)
    if span.scope_name == llama_index.SCOPE:
        readable = llama_index.readable_value(value)
        if readable is not value:
            return readable
    if (
        isinstance(value, str)
        and isinstance(mime, str)
        and (mime == JSON_MIME_TYPE or mime.strip().lower() == JSON_MIME_TYPE)
    ):
        return json_payload(value)
    return value


CONVENTION = Convention(
    name="openinference",
    applies=applies,
    extract=extract,
    type_rules=(TypeRule(PRIORITY_OPENINFERENCE, SPAN_KIND, observation_type, keys=(SPAN_KIND,)),),
)
