"""Before sending: one empty export checks that the server answers and accepts the keys, so that an
unreachable server or a wrong key is one clear message and exit status 1, not an exporter's retries."""

from __future__ import annotations

import urllib.error
import urllib.request

from otel_bridge.demo.target import Target
from otel_bridge.errors import CommandError

#: Seconds for the reachability check and for each export.
TIMEOUT_SECONDS = 10.0

_KEYS_HINT = (
    "check OTEL_EXPORTER_OTLP_HEADERS, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, or "
    "--public-key/--secret-key: use the pair `otel-bridge serve` printed, or make one with "
    "`otel-bridge keys create --project NAME`"
)


def check_server(target: Target, timeout: float = TIMEOUT_SECONDS) -> None:
    """Send one empty export; ``CommandError`` when the server cannot be reached or refuses the keys."""
    if target.protocol == "grpc":
        _check_grpc(target, timeout)
    else:
        _check_http(target, timeout)


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
            raise CommandError(
                f"{target.export_endpoint} refused the credentials (HTTP 401): {_KEYS_HINT}"
            ) from None
        raise CommandError(
            f"{target.export_endpoint} answered HTTP {error.code} {error.reason} to an empty OTLP "
            "export: is this an otel-bridge (or OTLP/HTTP) endpoint? otel-bridge takes OTLP/HTTP on "
            "port 4318 and OTLP/gRPC on 4317 (--protocol grpc)"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        raise CommandError(
            f"cannot reach otel-bridge at {target.web_base} ({reason}): start it with "
            "`otel-bridge serve`, or point --endpoint / OTEL_EXPORTER_OTLP_ENDPOINT at it"
        ) from None


def _check_grpc(target: Target, timeout: float) -> None:
    import grpc  # noqa: PLC0415 - only --protocol grpc needs it

    method = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
    channel = (
        grpc.secure_channel(target.export_endpoint, grpc.ssl_channel_credentials())
        if target.secure
        else grpc.insecure_channel(target.export_endpoint)
    )
    try:
        export: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)
        export(b"", metadata=target.grpc_metadata, timeout=timeout)
    except grpc.RpcError as error:
        code = error.code() if isinstance(error, grpc.Call) else None
        details = error.details() if isinstance(error, grpc.Call) else str(error)
        if code == grpc.StatusCode.UNAUTHENTICATED:
            raise CommandError(
                f"{target.export_endpoint} refused the credentials (gRPC UNAUTHENTICATED): {_KEYS_HINT}"
            ) from None
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise CommandError(
                f"cannot reach otel-bridge over gRPC at {target.export_endpoint} ({details}): start it "
                "with `otel-bridge serve`, or give its gRPC address with --endpoint"
            ) from None
        name = code.name if code is not None else "error"
        raise CommandError(
            f"{target.export_endpoint} answered gRPC {name} ({details}) to an empty OTLP export: is "
            "this an otel-bridge (or OTLP/gRPC) endpoint?"
        ) from None
    finally:
        channel.close()


__all__ = ["TIMEOUT_SECONDS", "check_server"]
