"""A TCP relay that counts the bytes a collector sends to otel-bridge: the evidence that its exports
are compressed (a gzip body of repetitive text is a small fraction of the text)."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

__all__ = ["CountingProxy"]


class CountingProxy:
    """Listens on a free loopback port and relays every connection to ``127.0.0.1:<target>``,
    counting the bytes that flow towards the target."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sent = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
            back = threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True)
            back.start()
            self._pump(client, upstream, True)
            back.join()

    def _pump(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                if counted:
                    with self._lock:
                        self.sent += len(chunk)
                sink.sendall(chunk)
        # Either side closing ends the relay in both directions.
        for side in (source, sink):
            with contextlib.suppress(OSError):
                side.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop accepting; open connections end when either side closes."""
        self._listener.close()

    def __enter__(self) -> CountingProxy:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
