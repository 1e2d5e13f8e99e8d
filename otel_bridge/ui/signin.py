"""Who is looking: the UI's sign-in (a project's key pair, then a signed cookie), sign-out, and the
check in front of every page.

A page accepts, in this order:

1. the sign-in cookie: HttpOnly (no script reads it), ``SameSite=Strict`` (no other site's link or
   form sends it), ``Secure`` over HTTPS, expiring after ``AppContext.ui_session_seconds``; its value
   names the project and its public key with an expiry, signed with HMAC-SHA-256 under
   ``AppContext.ui_cookie_key`` (standard library: a dependency would add nothing). A cookie whose
   project's public key changed since (rotated keys) is refused;
2. ``Authorization`` (Basic ``public:secret`` or Bearer ``secret``), as the API does: scripts (curl,
   a monitoring probe) keep working, and a browser with remembered Basic credentials too.

Without either, a browser asking for a page (``Accept: text/html``, a GET) is sent to ``/sign-in``,
which returns it to the page afterwards; anything else gets the 401 and its ``WWW-Authenticate:
Basic`` challenge, as before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from otel_bridge.api.http import blocking
from otel_bridge.errors import NotFound
from otel_bridge.model.langfuse_wire import basic_authorization
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project

COOKIE_NAME = "otel_bridge_session"
SIGN_IN_PATH = "/sign-in"
SIGN_OUT_PATH = "/sign-out"
_VERSION = "v1"

PageEndpoint = Callable[[Request, Project], Awaitable[Response]]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class SignIn:
    """What a cookie says: this project, under this public key, until ``expires`` (Unix seconds)."""

    project_id: str
    public_key: str
    expires: int


class CookieSigner:
    """Signs and checks sign-in cookies with one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._key, f"{_VERSION}.{payload}".encode(), hashlib.sha256).digest())

    def encode(self, sign_in: SignIn) -> str:
        """The cookie's value."""
        payload = _b64(json.dumps([sign_in.project_id, sign_in.public_key, sign_in.expires]).encode())
        return f"{_VERSION}.{payload}.{self._signature(payload)}"

    def decode(self, value: str, now: float) -> SignIn | None:
        """The sign-in ``value`` holds, if its signature is ours and it has not expired."""
        version, _, rest = value.partition(".")
        payload, _, signature = rest.partition(".")
        if version != _VERSION or not hmac.compare_digest(
            signature.encode(), self._signature(payload).encode()
        ):
            return None
        try:
            project_id, public_key, expires = json.loads(_unb64(payload))
        except (ValueError, TypeError):
            return None
        if not (isinstance(project_id, str) and isinstance(public_key, str) and isinstance(expires, int)):
            return None
        return SignIn(project_id, public_key, expires) if now < expires else None


def wants_page(request: Request) -> bool:
    """Whether a browser is navigating to a page (rather than a script fetching it)."""
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def sign_in_url(target: str) -> str:
    """The sign-in page that leads back to ``target``."""
    return f"{SIGN_IN_PATH}?{urlencode({'next': target})}" if target != "/sessions" else SIGN_IN_PATH


def target_of(request: Request) -> str:
    """The page (path and query) a request asked for."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


class Gate:
    """The check in front of every page (see the module docstring)."""

    def __init__(self, context: AppContext) -> None:
        self._context = context
        self.signer = CookieSigner(context.ui_cookie_key)

    async def project_of_cookie(self, request: Request) -> Project | None:
        """The project of a valid sign-in cookie, or None."""
        value = request.cookies.get(COOKIE_NAME)
        if not value:
            return None
        found = self.signer.decode(value, time.time())
        if found is None:
            return None
        try:
            project = await blocking(self._context.store.get_project, found.project_id)
        except NotFound:
            return None
        return project if hmac.compare_digest(project.public_key, found.public_key) else None

    async def check_keys(self, public_key: str, secret_key: str) -> Project:
        """The project of a key pair, through the API's authenticator (its cache and its scrypt);
        ``Unauthenticated`` when they are wrong."""
        return await self._context.authenticator.authenticate(basic_authorization(public_key, secret_key))

    def cookie(self, response: Response, project: Project, secure: bool) -> None:
        """Set the sign-in cookie of ``project`` on ``response``."""
        lifetime = int(self._context.ui_session_seconds)
        value = self.signer.encode(SignIn(project.id, project.public_key, int(time.time()) + lifetime))
        response.set_cookie(
            COOKIE_NAME, value, max_age=lifetime, path="/", secure=secure, httponly=True, samesite="strict"
        )

    def page(
        self, endpoint: PageEndpoint, render_error: Callable[[BaseException], Response]
    ) -> Callable[[Request], Awaitable[Response]]:
        """``endpoint`` behind the check, its errors rendered by ``render_error``."""

        async def handle(request: Request) -> Response:
            try:
                project = await self.project_of_cookie(request)
                request.state.signed_in = project is not None
                if project is None:
                    header = request.headers.get("authorization")
                    if header is None and wants_page(request):
                        return RedirectResponse(sign_in_url(target_of(request)), status_code=303)
                    project = await self._context.authenticator.authenticate(header)
                # A page is a read: the project's read rate limit applies (429, like the API).
                self._context.rate_limiter.check(project.id, "read")
                return await endpoint(request, project)
            except Exception as error:
                return render_error(error)

        handle.__name__ = handle.__qualname__ = getattr(endpoint, "__name__", "page")
        return handle


def clear_cookie(response: Response) -> None:
    """Remove the sign-in cookie."""
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")


__all__ = [
    "COOKIE_NAME",
    "SIGN_IN_PATH",
    "SIGN_OUT_PATH",
    "CookieSigner",
    "Gate",
    "SignIn",
    "clear_cookie",
    "sign_in_url",
    "target_of",
    "wants_page",
]
