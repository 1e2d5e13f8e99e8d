"""``GET /openapi.json``: this API's OpenAPI 3 document.

The document ships in the package (``openapi.json`` beside this module), assembled from Langfuse's
published spec by ``build_document``: the operations otel-bridge serves, with Langfuse's parameters,
and only the schemas those operations reference (the whole spec is ~500 KB), plus otel-bridge's own
additions: the session aggregates, the extra trace fields, the error body and the extension
parameters, and the routes that are not Langfuse's (OTLP/HTTP, ``/healthz``, ``/metrics``, the UI:
``openapi_extras.py``). ``tests/api/test_openapi_document.py`` rebuilds it from the spec vendored in
``tests/contracts/langfuse-openapi.yml`` and fails when the shipped copy differs (``python -m
tests.api.generate_openapi`` rewrites it). Nothing outside the package is read at run time.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge import __version__
from otel_bridge.api import openapi_extras
from otel_bridge.api.http import JSON_MEDIA_TYPE, json_response
from otel_bridge.receivers import AppContext

DOCUMENT_NAME = "openapi.json"

#: The Langfuse operations otel-bridge serves: (path, method) → the success status it answers.
OPERATIONS: Mapping[tuple[str, str], str] = {
    ("/api/public/sessions", "get"): "200",
    ("/api/public/sessions/{sessionId}", "get"): "200",
    ("/api/public/traces", "get"): "200",
    ("/api/public/traces/{traceId}", "get"): "200",
    ("/api/public/observations", "get"): "200",
    ("/api/public/observations/{observationId}", "get"): "200",
    ("/api/public/v2/observations", "get"): "200",
    ("/api/public/health", "get"): "200",
    ("/api/public/projects", "get"): "200",
    ("/api/public/ingestion", "post"): "207",
    ("/api/public/scores", "post"): "200",
    ("/api/public/scores/{scoreId}", "delete"): "204",
    ("/api/public/v2/scores", "get"): "200",
    ("/api/public/v2/scores/{scoreId}", "get"): "200",
    ("/api/public/v3/scores", "get"): "200",
    ("/api/public/metrics", "get"): "200",
    ("/api/public/v2/metrics", "get"): "200",
}

#: Routes otel-bridge answers as another Langfuse operation (Langfuse's server keeps these v1 paths
#: beside the v2 ones its spec documents): (path, method) → (the spec's path, method).
ALIASES: Mapping[tuple[str, str], tuple[str, str]] = {
    ("/api/public/scores", "get"): ("/api/public/v2/scores", "get"),
    ("/api/public/scores/{scoreId}", "get"): ("/api/public/v2/scores/{scoreId}", "get"),
}

#: Error statuses each operation documents, all with the ``ApiError`` body (429: the project's rate
#: limit, ``receivers/ratelimit.py``).
ERROR_STATUSES = ("400", "401", "404", "429", "503")
#: And the writes: a body over the size limits, or a batch of too many events (``ingest/limits.py``).
WRITE_ERROR_STATUSES = ("413",)

_INTEGER = {"type": "integer"}
_NUMBER = {"type": "number", "format": "double"}
_DATE_TIME = {"type": "string", "format": "date-time"}
_STRINGS = {"type": "array", "items": {"type": "string"}}

#: otel-bridge's session aggregates (docs/architecture.md, "Storage and grouping semantics").
SESSION_AGGREGATES: Mapping[str, Any] = {
    "traceCount": _INTEGER,
    "observationCount": _INTEGER,
    "userIds": _STRINGS,
    "tags": _STRINGS,
    "environments": _STRINGS,
    "inputTokens": _INTEGER,
    "outputTokens": _INTEGER,
    "totalTokens": _INTEGER,
    "totalCost": {**_NUMBER, "description": "USD"},
    "errorCount": _INTEGER,
    "durationSeconds": _NUMBER,
    "firstActivity": _DATE_TIME,
    "lastActivity": _DATE_TIME,
}

#: Fields Langfuse's own trace responses carry beyond its spec's ``Trace``.
TRACE_EXTRAS: Mapping[str, Any] = {
    "projectId": {"type": "string"},
    "bookmarked": {"type": "boolean", "description": "Always false: otel-bridge keeps no bookmarks."},
    "updatedAt": {**_DATE_TIME, "description": "When the trace last changed in the store."},
}

_INFO_DESCRIPTION = (
    "The Langfuse-compatible public API of otel-bridge: OpenTelemetry spans of LLM applications as "
    "Langfuse traces, observations and sessions. Shapes follow Langfuse's published API field for "
    "field; sessions add otel-bridge's aggregates. Authenticate with Basic auth (public key as user, "
    "secret key as password) or `Authorization: Bearer <secret key>`."
)


#: The answers to a JSON array of ``CreateScoreRequest`` (what the Langfuse SDK 5.x sends), which
#: Langfuse's generated reference does not document.
SCORE_BATCH_SCHEMAS: Mapping[str, Any] = {
    "CreateScoresAccepted": {
        "title": "CreateScoresAccepted",
        "type": "object",
        "properties": {"message": {"type": "string", "enum": ["Accepted"]}},
        "required": ["message"],
    },
    "CreateScoresResults": {
        "title": "CreateScoresResults",
        "type": "object",
        "properties": {
            "accepted": _INTEGER,
            "rejected": _INTEGER,
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"message": {"type": "string"}},
                    "required": ["message"],
                },
            },
        },
        "required": ["accepted", "rejected", "errors"],
    },
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_STRING = {"type": "string"}
_COUNTS = {"type": "integer"}

#: Routes Langfuse served that its current spec no longer documents (from its fern
#: ``metrics.yml``, ``metrics_daily``): the whole operation, and the schemas it references.
OWN_OPERATIONS: Mapping[tuple[str, str], Any] = {
    ("/api/public/metrics/daily", "get"): {
        "description": "Daily metrics of the project: per UTC day, traces, observations, cost and "
        "usage by model, newest day first.",
        "operationId": "metrics_daily",
        "tags": ["Metrics"],
        "parameters": [
            _query("page", _COUNTS, "page number, starts at 1"),
            _query("limit", _COUNTS, "limit of items per page (1-100, default 50)"),
            _query("traceName", _STRING, "Optional filter by the name of the trace"),
            _query("userId", _STRING, "Optional filter by the userId associated with the trace"),
            _query("tags", _STRINGS, "Optional filter for metrics where traces include all of these tags"),
            _query("environment", _STRINGS, "Optional filter: traces of any of these environments"),
            _query("fromTimestamp", _DATE_TIME, "Only traces on or after this datetime (ISO 8601)"),
            _query("toTimestamp", _DATE_TIME, "Only traces before this datetime (ISO 8601)"),
        ],
        "responses": {
            "200": {
                "description": "",
                "content": {JSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/DailyMetrics"}}},
            }
        },
    }
}
OWN_SCHEMAS: Mapping[str, Any] = {
    "DailyMetrics": {
        "title": "DailyMetrics",
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/DailyMetricsDetails"}},
            "meta": {"$ref": "#/components/schemas/utilsMetaResponse"},
        },
        "required": ["data", "meta"],
    },
    "DailyMetricsDetails": {
        "title": "DailyMetricsDetails",
        "type": "object",
        "properties": {
            "date": {"type": "string", "format": "date"},
            "countTraces": _COUNTS,
            "countObservations": _COUNTS,
            "totalCost": {**_NUMBER, "description": "Total model cost in USD"},
            "usage": {"type": "array", "items": {"$ref": "#/components/schemas/UsageByModel"}},
        },
        "required": ["date", "countTraces", "countObservations", "totalCost", "usage"],
    },
    "UsageByModel": {
        "title": "UsageByModel",
        "type": "object",
        "properties": {
            "model": {"type": "string", "nullable": True},
            "inputUsage": _COUNTS,
            "outputUsage": _COUNTS,
            "totalUsage": _COUNTS,
            "countTraces": _COUNTS,
            "countObservations": _COUNTS,
            "totalCost": {**_NUMBER, "description": "Total model cost in USD"},
        },
        "required": [
            "inputUsage",
            "outputUsage",
            "totalUsage",
            "countTraces",
            "countObservations",
            "totalCost",
        ],
    },
}


def _document_score_batches(operation: dict[str, Any]) -> None:
    """``POST /api/public/scores`` also takes an array of scores, answered 202 or 207."""
    request = operation["requestBody"]["content"][JSON_MEDIA_TYPE]
    request["schema"] = {
        "oneOf": [
            _ref("CreateScoreRequest"),
            {"type": "array", "items": _ref("CreateScoreRequest")},
        ]
    }
    operation["responses"]["202"] = {
        "description": "An array of scores, all stored.",
        "content": {JSON_MEDIA_TYPE: {"schema": _ref("CreateScoresAccepted")}},
    }
    operation["responses"]["207"] = {
        "description": "An array of scores, some refused (the others are stored).",
        "content": {JSON_MEDIA_TYPE: {"schema": _ref("CreateScoresResults")}},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _referenced(node: Any, schemas: Mapping[str, Any], into: dict[str, Any]) -> None:
    """Collect every component schema ``node`` references, transitively."""
    if isinstance(node, dict):
        target = node.get("$ref")
        if isinstance(target, str) and target.startswith("#/components/schemas/"):
            name = target.rsplit("/", 1)[1]
            if name not in into and name in schemas:  # otel-bridge's own are added afterwards
                into[name] = schemas[name]
                _referenced(schemas[name], schemas, into)
        for value in node.values():
            _referenced(value, schemas, into)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, schemas, into)


def _operation(langfuse: Mapping[str, Any], success: str, method: str) -> dict[str, Any]:
    """Langfuse's operation as otel-bridge serves it: not deprecated here, with its error bodies."""
    operation = copy.deepcopy(dict(langfuse))
    operation.pop("deprecated", None)
    # Langfuse's deprecation notice (its v3 sunset on Langfuse Cloud) is not about otel-bridge.
    paragraphs = str(operation.get("description", "")).split("\n\n")
    operation["description"] = "\n\n".join(p for p in paragraphs if not p.startswith("**Deprecated:**"))
    responses = {success: operation["responses"][success]}
    for status in sorted((*ERROR_STATUSES, *(WRITE_ERROR_STATUSES if method == "post" else ()))):
        responses[status] = {
            "description": "An error; `message` names what was wrong.",
            "content": {JSON_MEDIA_TYPE: {"schema": _ref("ApiError")}},
        }
    operation["responses"] = responses
    return operation


def build_document(langfuse_spec: Mapping[str, Any]) -> dict[str, Any]:
    """This API's OpenAPI document, from Langfuse's spec (parsed YAML) and otel-bridge's additions."""
    schemas = langfuse_spec["components"]["schemas"]
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), success in OPERATIONS.items():
        paths.setdefault(path, {})[method] = _operation(langfuse_spec["paths"][path][method], success, method)
    for (path, method), (source, source_method) in ALIASES.items():
        alias = copy.deepcopy(paths[source][source_method])
        alias["operationId"] = f"{alias['operationId']}_v1_path"
        alias["description"] = f"As `{source_method.upper()} {source}`."
        paths.setdefault(path, {})[method] = alias
    _document_score_batches(paths["/api/public/scores"]["post"])
    for (path, method), operation in OWN_OPERATIONS.items():
        paths.setdefault(path, {})[method] = _operation(operation, "200", method)
    paths["/api/public/health"]["get"]["security"] = []
    paths["/api/public/sessions/{sessionId}"]["get"].setdefault("parameters", []).extend(
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"otel-bridge extension: {text} (without `page` and `limit` all traces "
            "are returned, as in Langfuse, and there is no `meta`).",
            "schema": {"type": "integer"},
        }
        for name, text in (
            ("page", "return one page of the session's traces, starting at 1"),
            ("limit", "traces per page, 1-100 (default 50)"),
        )
    )
    paths["/openapi.json"] = {
        "get": {
            "operationId": "openapi_document",
            "summary": "This document.",
            "security": [],
            "responses": {"200": {"description": "", "content": {JSON_MEDIA_TYPE: {"schema": {}}}}},
        }
    }

    selected: dict[str, Any] = {}
    _referenced(paths, schemas, selected)
    selected = copy.deepcopy(selected)
    paths.update(openapi_extras.paths())
    selected.update(openapi_extras.schemas())
    selected["SessionAggregates"] = {
        "title": "SessionAggregates",
        "description": "otel-bridge's session aggregates, maintained at write time.",
        "type": "object",
        "properties": dict(SESSION_AGGREGATES),
        "required": list(SESSION_AGGREGATES),
    }
    selected["SessionWithAggregates"] = {
        "title": "SessionWithAggregates",
        "allOf": [_ref("Session"), _ref("SessionAggregates")],
    }
    selected["PaginatedSessions"]["properties"]["data"]["items"] = _ref("SessionWithAggregates")
    with_traces = selected["SessionWithTraces"]
    with_traces["allOf"] = [_ref("SessionWithAggregates")]
    with_traces["properties"]["meta"] = {
        **_ref("utilsMetaResponse"),
        "description": "Only with the `page`/`limit` extension.",
    }
    selected["Trace"]["properties"].update(copy.deepcopy(dict(TRACE_EXTRAS)))
    selected.update(copy.deepcopy(dict(SCORE_BATCH_SCHEMAS)))
    selected.update(copy.deepcopy(dict(OWN_SCHEMAS)))
    selected["ApiError"] = {
        "title": "ApiError",
        "type": "object",
        "properties": {
            "message": {"type": "string"},
            "errors": {"type": "array", "items": {}, "description": "Ingestion: what is invalid."},
        },
        "required": ["message"],
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "otel-bridge", "version": "", "description": _INFO_DESCRIPTION},
        "security": [{"BasicAuth": []}, {"BearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(selected.items())),
            "securitySchemes": {
                "BasicAuth": {"type": "http", "scheme": "basic"},
                "BearerAuth": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def render_document(document: Mapping[str, Any]) -> str:
    """The shipped file's text: stable key order and indentation, so that the sync test can diff it."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def load_document() -> dict[str, Any]:
    """The shipped document, with this version of otel-bridge in ``info.version``."""
    text = resources.files("otel_bridge.api").joinpath(DOCUMENT_NAME).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    document["info"]["version"] = __version__
    return document


@cache
def query_parameters(path: str, method: str = "get") -> tuple[str, ...]:
    """The query parameters the document gives an operation: what its route accepts (``Query``),
    so that the document and the refusals of unknown parameters cannot disagree."""
    document = load_document()
    operation = document["paths"][path][method]
    names = []
    for given in operation.get("parameters", []):
        parameter = (
            document["components"]["parameters"][given["$ref"].rsplit("/", 1)[1]]
            if "$ref" in given
            else given
        )
        if parameter.get("in") == "query":
            names.append(parameter["name"])
    return tuple(names)


def routes(_context: AppContext) -> list[BaseRoute]:
    """The ``/openapi.json`` route (unauthenticated: it describes, it reveals no data)."""

    async def openapi(_request: Request) -> Response:
        return json_response(load_document())

    return [Route("/openapi.json", openapi, methods=["GET"])]


__all__ = [
    "ALIASES",
    "DOCUMENT_NAME",
    "ERROR_STATUSES",
    "OPERATIONS",
    "OWN_OPERATIONS",
    "SESSION_AGGREGATES",
    "TRACE_EXTRAS",
    "WRITE_ERROR_STATUSES",
    "build_document",
    "load_document",
    "query_parameters",
    "render_document",
    "routes",
]
