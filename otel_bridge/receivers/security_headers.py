"""Security headers on every HTTP response (UI, API, OTLP/HTTP, operational routes).

- ``Content-Security-Policy``: no script, no inline style, no frames, no form posting elsewhere; only
  ``'self'`` for styles and images, so that an injected ``<script>`` would not run even if an
  escaping bug let one through. The UI's pages send their own policy (``ui/rendering.py``), the same
  but for ``script-src 'self'``: their one first-party script (auto-refresh, copy to clipboard);
- ``X-Content-Type-Options: nosniff``: a JSON body holding HTML is never rendered as HTML;
- ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``: no page is framed (clickjacking);
- ``Referrer-Policy: no-referrer``: trace and session ids in URLs do not leak to linked sites.

Set as ASGI middleware, so every route gets them, including errors and 404s; a header a route set
itself is kept.
"""

from __future__ import annotations

from otel_bridge.receivers.http import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
_ENCODED = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` to every HTTP response start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in _ENCODED if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["SECURITY_HEADERS", "SecurityHeadersMiddleware"]
