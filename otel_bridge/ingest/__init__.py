"""The bounded ingest queue, its group-commit writer and the decode workers before it (docs/architecture.md,
"Durability and backpressure").

``Ingestor.reserve(size)`` admits a request or raises ``QueueFull``; ``Reservation.commit_prepared``
(spans a ``DecodePool`` worker prepared) or ``Reservation.commit`` (translations) returns once the
spans are committed. ``Ingestor.submit`` reserves and commits translations in one call.
"""

from otel_bridge.ingest.ingestor import (
    MAX_RETRY_AFTER,
    MIN_RETRY_AFTER,
    CanWritePrepared,
    Ingestor,
    Reservation,
)
from otel_bridge.ingest.stats import COMMIT_BUCKETS, Histogram, IngestStats
from otel_bridge.ingest.workers import DecodePool, Encoding, PreparedExport, prepare_export

__all__ = [
    "COMMIT_BUCKETS",
    "MAX_RETRY_AFTER",
    "MIN_RETRY_AFTER",
    "CanWritePrepared",
    "DecodePool",
    "Encoding",
    "Histogram",
    "IngestStats",
    "Ingestor",
    "PreparedExport",
    "Reservation",
    "prepare_export",
]
