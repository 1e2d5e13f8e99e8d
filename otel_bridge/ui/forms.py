"""The UI's forms (sign-in, sign-out, bookmarks): their bodies, the same-origin rule, and where they
lead back to.

Bodies are ``application/x-www-form-urlencoded``, what a ``<form method="post">`` sends, parsed with
the standard library (Starlette's form parser needs python-multipart, for no field we have).

A form post changes state, and a browser attaches credentials to a post from any site (a Basic
password it remembers; the session cookie is ``SameSite=Strict`` and would not be sent), so posts from
another origin are refused: by ``Sec-Fetch-Site``, which browsers set and pages cannot forge, else by
``Origin``. Scripts (curl) send neither and are not browsers a site could abuse.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request

from otel_bridge.errors import DecodeError, Forbidden, PayloadTooLarge, UnsupportedMediaType

FORM_TYPE = "application/x-www-form-urlencoded"
#: Our forms hold a few short fields.
MAX_FORM_BYTES = 16 * 1024


async def form_fields(request: Request) -> dict[str, str]:
    """The posted fields (the last value of a repeated one)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise UnsupportedMediaType(f"a form is posted as {FORM_TYPE}, got {media_type or 'no content type'}")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PayloadTooLarge(f"a form body is at most {MAX_FORM_BYTES} bytes, got {len(body)}")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError:
        raise DecodeError("a form body must be UTF-8") from None


def check_same_origin(request: Request) -> None:
    """``Forbidden`` for a post another site's page made."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise Forbidden(f"a form of another site ({site}) cannot post here")
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin != own:
            raise Forbidden(f"a form of another origin ({origin}) cannot post here")


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this server (never another host: ``//x``, ``http://x``),
    else ``default``: where a form leads back to."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


__all__ = ["FORM_TYPE", "MAX_FORM_BYTES", "check_same_origin", "form_fields", "local_path"]
