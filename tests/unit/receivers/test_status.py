"""The one error → status table."""

from __future__ import annotations

import json

import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2

from otel_bridge import errors
from otel_bridge.errors import (
    ConfigError,
    DecodeError,
    NotFound,
    PayloadTooLarge,
    QueueFull,
    StoreUnavailable,
    Unauthenticated,
    UnsupportedMediaType,
)
from otel_bridge.receivers.status import STATUS_TABLE, error_status


def error_tree(root: type[errors.OtelBridgeError]) -> list[type[errors.OtelBridgeError]]:
    """``root`` and every class below it, depth first."""
    return [root, *(cls for child in root.__subclasses__() for cls in error_tree(child))]


class TestErrorTree:
    def test_every_error_class_has_a_row(self) -> None:
        """Each class of ``otel_bridge.errors`` has its own row, but the bare base (see the table's
        comment); each class defined elsewhere inherits a row."""
        tree = error_tree(errors.OtelBridgeError)
        own = [cls for cls in tree if cls.__module__ == errors.__name__]
        assert {cls.__name__ for cls in own} == set(errors.__all__)
        assert [cls for cls in own if cls not in STATUS_TABLE] == [errors.OtelBridgeError]
        for cls in tree[1:]:
            assert any(base in STATUS_TABLE for base in cls.__mro__), cls


class TestErrorStatus:
    @pytest.mark.parametrize(
        ("error", "http_status", "rpc_code"),
        [
            (DecodeError("bad"), 400, code_pb2.INVALID_ARGUMENT),
            (UnsupportedMediaType("bad"), 415, code_pb2.INVALID_ARGUMENT),
            (PayloadTooLarge("big"), 413, code_pb2.RESOURCE_EXHAUSTED),
            (Unauthenticated("who"), 401, code_pb2.UNAUTHENTICATED),
            (NotFound("none"), 404, code_pb2.NOT_FOUND),
            (QueueFull("full", 3.0), 503, code_pb2.UNAVAILABLE),
            (StoreUnavailable("down"), 503, code_pb2.UNAVAILABLE),
            (ConfigError("oops"), 500, code_pb2.INTERNAL),
            (RuntimeError("bug"), 500, code_pb2.INTERNAL),
        ],
    )
    def test_table(self, error: Exception, http_status: int, rpc_code: int) -> None:
        """Each error class maps to its HTTP status and gRPC code."""
        status = error_status(error)
        assert (status.http_status, status.rpc_code) == (http_status, rpc_code)

    def test_queue_full_carries_its_delay(self) -> None:
        """QueueFull → Retry-After (whole seconds, rounded up) and a RetryInfo detail."""
        status = error_status(QueueFull("queue full", 2.2))
        assert status.http_headers() == {"Retry-After": "3"}
        detail = status.rpc_status().details[0]
        info = error_details_pb2.RetryInfo()
        assert detail.Unpack(info)
        assert info.retry_delay.seconds == 3

    def test_store_unavailable_is_retryable(self) -> None:
        """StoreUnavailable also asks clients to retry."""
        assert error_status(StoreUnavailable("locked")).http_headers()["Retry-After"] == "1"

    def test_permanent_errors_have_no_retry_after(self) -> None:
        """A 400 carries neither Retry-After nor RetryInfo."""
        status = error_status(DecodeError("bad body"))
        assert status.http_headers() == {}
        assert not status.rpc_status().details

    def test_unauthenticated_asks_for_basic(self) -> None:
        """401 responses carry ``WWW-Authenticate: Basic realm="otel-bridge"``."""
        assert error_status(Unauthenticated("no")).http_headers() == {
            "WWW-Authenticate": 'Basic realm="otel-bridge"'
        }

    def test_bodies_in_both_encodings(self) -> None:
        """The body is a google.rpc.Status with the error's message, in protobuf or JSON."""
        status = error_status(DecodeError("span 3 is broken"))
        parsed = status_pb2.Status.FromString(status.body("protobuf"))
        assert (parsed.code, parsed.message) == (code_pb2.INVALID_ARGUMENT, "span 3 is broken")
        assert json.loads(status.body("json")) == {"code": 3, "message": "span 3 is broken"}

    def test_bugs_do_not_leak_details(self) -> None:
        """An unexpected exception reports only its type, not its text."""
        status = error_status(KeyError("secret internals"))
        assert status.message == "internal error: KeyError"
