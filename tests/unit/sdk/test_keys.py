"""The keys the library writes are keys the translator reads, where the library means them to rank."""

from __future__ import annotations

from otel_bridge.sdk import keys
from otel_bridge.translate import precedence


class TestKeys:
    def test_ambient_session_and_user_rank_below_explicit_ones(self) -> None:
        """``session()``'s keys come after ``update_current_trace``'s in the precedence, so an explicit
        session or user on a span outranks the ambient one."""
        sessions, users = precedence.SESSION_ID_KEYS, precedence.USER_ID_KEYS
        assert sessions.index(keys.TRACE_SESSION_ID) < sessions.index(keys.SESSION_ID)
        assert users.index(keys.TRACE_USER_ID) < users.index(keys.USER_ID)

    def test_every_trace_claim_written_is_read_first(self) -> None:
        """Each claim ``update_current_trace`` / ``update_current_observation`` writes is the first key
        of its precedence list."""
        firsts = {
            keys.TRACE_SESSION_ID: precedence.SESSION_ID_KEYS,
            keys.TRACE_USER_ID: precedence.USER_ID_KEYS,
            keys.TRACE_NAME: precedence.TRACE_NAME_KEYS,
            keys.TRACE_TAGS: precedence.TAGS_KEYS,
            keys.TRACE_PUBLIC: precedence.PUBLIC_KEYS,
            keys.RELEASE: precedence.RELEASE_KEYS,
            keys.VERSION: precedence.VERSION_KEYS,
            keys.MODEL: precedence.MODEL_KEYS,
        }
        assert {key: order[0] for key, order in firsts.items() if order[0] != key} == {}
