"""The bounded ingest queue and its group-commit writer (DESIGN.md, "Durability and backpressure").

``Ingestor.reserve(size)`` admits a request or raises ``QueueFull``; ``Reservation.commit(project_id,
translations)`` returns once the spans are committed. ``Ingestor.submit`` does both in one call.
"""

from otel_bridge.ingest.ingestor import MAX_RETRY_AFTER, MIN_RETRY_AFTER, CanWriteBatch, Ingestor, Reservation
from otel_bridge.ingest.stats import COMMIT_BUCKETS, Histogram, IngestStats

__all__ = [
    "COMMIT_BUCKETS",
    "MAX_RETRY_AFTER",
    "MIN_RETRY_AFTER",
    "CanWriteBatch",
    "Histogram",
    "IngestStats",
    "Ingestor",
    "Reservation",
]
