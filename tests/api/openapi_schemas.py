"""OpenAPI 3.0 schemas as JSON Schema validators, for checking real API responses.

``langfuse_spec()`` loads Langfuse's published spec, vendored as ``tests/contracts/langfuse-openapi.yml``
(provenance and license in ``tests/contracts/README.md``), once.
``response_validator(spec, path, method, status)`` turns the schema an operation documents for a
status into a Draft 2020-12 validator. The conversion follows OpenAPI 3.0's semantics, which differ
from JSON Schema's:

- ``nullable: true`` admits null: ``type: T`` becomes ``[T, "null"]`` (an ``enum`` gains null); a
  ``$ref`` or composition beside it becomes ``anyOf [it, {type: null}]``; without a type it changes
  nothing (the schema admits anything already).
- Siblings of ``$ref`` are kept (OpenAPI 3.0 ignores them, but Langfuse's spec puts ``nullable`` there
  and means it), and ``$ref``s point into ``$defs``.
- A property is optional unless listed in ``required``; a required nullable property must be present
  but may be null: JSON Schema's own reading of the converted schema.
- ``format: date-time`` is checked (RFC 3339 with the ``Z`` otel-bridge always writes); other formats
  (``double``, ``int64``) are only annotations.

``strict=True`` also refuses properties a schema does not list (object schemas composed with
``allOf`` are flattened first, since ``additionalProperties`` does not see through ``allOf``): that
checks responses against otel-bridge's own document, which lists every field it sends.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

#: Langfuse's spec, vendored in the repository (``tests/contracts``).
SPEC_PATH = Path(__file__).resolve().parent.parent / "contracts" / "langfuse-openapi.yml"
_PREFIX = "#/components/schemas/"
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")

FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339 in UTC with a ``Z``: what otel-bridge writes for every datetime."""
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@lru_cache(maxsize=1)
def langfuse_spec() -> dict[str, Any]:
    """Langfuse's published OpenAPI spec, parsed (once per test run)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as file:
        spec: dict[str, Any] = yaml.load(file, Loader=loader)
    return spec


def _flatten(node: Mapping[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """An object schema with its ``allOf`` parts (references resolved) merged into it."""
    merged = {key: value for key, value in node.items() if key != "allOf"}
    properties = dict(merged.get("properties", {}))
    required = list(merged.get("required", []))
    for part in node.get("allOf", []):
        target = schemas[part["$ref"].removeprefix(_PREFIX)] if "$ref" in part else part
        flat = _flatten(target, schemas)
        properties = {**flat.get("properties", {}), **properties}
        required += [name for name in flat.get("required", []) if name not in required]
        if "type" in flat:
            merged.setdefault("type", flat["type"])
    merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def _is_object(node: Mapping[str, Any], schemas: Mapping[str, Any]) -> bool:
    """Whether a schema describes an object (itself or through all its ``allOf`` parts)."""
    if "$ref" in node:
        return _is_object(schemas[node["$ref"].removeprefix(_PREFIX)], schemas)
    if node.get("type") == "object" or "properties" in node:
        return True
    parts = node.get("allOf") or []
    return bool(parts) and all(_is_object(part, schemas) for part in parts)


def convert(node: Any, schemas: Mapping[str, Any], *, strict: bool) -> Any:
    """OpenAPI 3.0 schema → JSON Schema (2020-12), see the module docstring."""
    if isinstance(node, list):
        return [convert(item, schemas, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    if strict and "allOf" in node and _is_object(node, schemas):
        node = _flatten(node, schemas)
    nullable = bool(node.pop("nullable", False))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = "#/$defs/" + str(value).removeprefix(_PREFIX)
        elif key in ("properties", "$defs"):
            out[key] = {name: convert(item, schemas, strict=strict) for name, item in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = convert(value, schemas, strict=strict)
        elif key in ("discriminator", "example", "xml", "externalDocs"):
            continue  # OpenAPI annotations without a JSON Schema meaning
        else:
            out[key] = copy.deepcopy(value)
    if strict and out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    if not nullable:
        return out
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if any(key in out for key in ("$ref", "allOf", "anyOf", "oneOf")):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _closure(node: Any, schemas: Mapping[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    """The component schemas ``node`` references, transitively (the validator needs no others)."""
    if isinstance(node, dict):
        target = node.get("$ref")
        if isinstance(target, str):
            name = target.removeprefix(_PREFIX)
            if name not in into:
                into[name] = schemas[name]
                _closure(schemas[name], schemas, into)
        for value in node.values():
            _closure(value, schemas, into)
    elif isinstance(node, list):
        for value in node:
            _closure(value, schemas, into)
    return into


_VALIDATORS: dict[tuple[int, str, bool], jsonschema.Draft202012Validator] = {}


def schema_validator(
    spec: Mapping[str, Any], schema: Mapping[str, Any], *, strict: bool = False
) -> jsonschema.Draft202012Validator:
    """A validator of ``schema`` (an OpenAPI schema of ``spec``), with the components it references in
    ``$defs``; built once per spec, schema and strictness."""
    key = (id(spec), repr(schema), strict)
    found = _VALIDATORS.get(key)
    if found is not None:
        return found
    schemas = spec["components"]["schemas"]
    converted = convert(dict(schema), schemas, strict=strict)
    converted["$defs"] = {
        name: convert(item, schemas, strict=strict) for name, item in _closure(schema, schemas, {}).items()
    }
    jsonschema.Draft202012Validator.check_schema(converted)
    validator = _VALIDATORS[key] = jsonschema.Draft202012Validator(converted, format_checker=FORMAT_CHECKER)
    return validator


def response_schema(spec: Mapping[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    """The JSON schema an operation documents for a status."""
    response = spec["paths"][path][method]["responses"][status]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def response_validator(
    spec: Mapping[str, Any], path: str, method: str, status: str, *, strict: bool = False
) -> jsonschema.Draft202012Validator:
    """A validator of the response an operation documents for ``status``."""
    return schema_validator(spec, response_schema(spec, path, method, status), strict=strict)


def component_validator(
    spec: Mapping[str, Any], name: str, *, strict: bool = False
) -> jsonschema.Draft202012Validator:
    """A validator of one component schema."""
    return schema_validator(spec, {"$ref": _PREFIX + name}, strict=strict)
