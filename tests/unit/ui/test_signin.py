"""Sign-in and sign-out: the form, the signed cookie (HttpOnly, SameSite=Strict, expiring), the
redirect of browsers to the form, and the Basic challenge kept for scripts; through the whole
Starlette stack over a seeded ``SqlStore`` (``conftest.py``)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from otel_bridge.ui.signin import COOKIE_NAME, CookieSigner, SignIn
from tests.support.asgi import Response
from tests.unit.ui.conftest import ServedUi
from tests.unit.ui.dom import Page

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def sign_in(ui: ServedUi, public_key: str, secret_key: str, next_path: str = "", **headers: str) -> Response:
    """POST the sign-in form, as the form's own page would."""
    fields = {"public_key": public_key, "secret_key": secret_key, "next": next_path}
    return ui.as_key(None).request(
        "POST",
        "/sign-in",
        body=urlencode(fields).encode(),
        content_type="application/x-www-form-urlencoded",
        headers={"sec-fetch-site": "same-origin", **headers},
    )


def cookie_of(response: Response) -> str:
    """The sign-in cookie's value a response sets."""
    first = response.headers["set-cookie"].split(";")[0]
    name, _, value = first.partition("=")
    assert name == COOKIE_NAME
    return value.strip('"')


def with_cookie(ui: ServedUi, value: str, path: str, **headers: str) -> Response:
    """``GET path`` with only the cookie (no Authorization), as a signed-in browser."""
    return ui.as_key(None).request(
        "GET", path, headers={"cookie": f"{COOKIE_NAME}={value}", **BROWSER, **headers}
    )


class TestChallenge:
    def test_browsers_are_sent_to_the_form(self, seeded_ui: ServedUi) -> None:
        """A browser asking for a page without credentials is redirected to the sign-in form, which
        will lead it back there."""
        response = seeded_ui.as_key(None).request("GET", "/sessions", params={"user": "u1"}, headers=BROWSER)
        assert response.status == 303
        assert response.headers["location"] == "/sign-in?next=%2Fsessions%3Fuser%3Du1"
        plain = seeded_ui.as_key(None).request("GET", "/sessions", headers=BROWSER)
        assert plain.headers["location"] == "/sign-in"

    def test_scripts_get_the_basic_challenge(self, seeded_ui: ServedUi) -> None:
        """Without ``Accept: text/html`` (curl, a probe) it is the 401 with ``WWW-Authenticate: Basic``;
        so is a browser sending wrong Basic credentials."""
        assert seeded_ui.as_key(None).get("/sessions").headers["www-authenticate"].startswith("Basic")
        wrong = seeded_ui.as_key("Basic eDp5").request("GET", "/sessions", headers=BROWSER)
        assert wrong.status == 401 and "www-authenticate" in wrong.headers

    def test_the_form(self, seeded_ui: ServedUi) -> None:
        """``/sign-in`` needs no keys: two fields, the target kept (only a path of this server)."""
        response = seeded_ui.as_key(None).get("/sign-in", {"next": "/traces?user=u1"})
        assert response.status == 200
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page = Page(response.body.decode())
        form = page.one("form", cls="sign-in-form")
        assert form.attrs["method"] == "post" and form.attrs["action"] == "/sign-in"
        names = [i.attrs["name"] for i in page.select("input", within=form)]
        assert names == ["public_key", "secret_key", "next"]
        assert page.one("input", attr="name", value="secret_key").attrs["type"] == "password"
        assert page.one("input", attr="name", value="next").attrs["value"] == "/traces?user=u1"
        evil = Page(seeded_ui.as_key(None).get("/sign-in", {"next": "https://evil.example/"}).body.decode())
        assert evil.one("input", attr="name", value="next").attrs["value"] == "/sessions"


class TestSignIn:
    def test_right_keys_set_a_signed_strict_cookie(self, seeded_ui: ServedUi) -> None:
        """The keys lead to the target with a cookie that is HttpOnly, SameSite=Strict, for the whole
        site, and expires in 12 hours (not Secure over plain HTTP)."""
        response = sign_in(seeded_ui, "pk-lf-api", "sk-lf-api", "/sessions?user=u1")
        assert (response.status, response.headers["location"]) == (303, "/sessions?user=u1")
        attributes = {
            part.strip().split("=")[0].lower(): part.strip()
            for part in response.headers["set-cookie"].split(";")
        }
        assert {"httponly", "path", "samesite", "max-age"} <= attributes.keys()
        assert attributes["samesite"].lower() == "samesite=strict"
        assert attributes["max-age"] == "Max-Age=43200" and attributes["path"] == "Path=/"
        assert "secure" not in attributes
        assert "sk-lf-api" not in response.headers["set-cookie"]

    def test_the_cookie_opens_the_pages_of_its_project_only(self, seeded_ui: ServedUi) -> None:
        """With the cookie alone every page loads, shows "Sign out", and holds only its project's data."""
        value = cookie_of(sign_in(seeded_ui, "pk-lf-other", "sk-lf-other"))
        response = with_cookie(seeded_ui, value, "/sessions")
        assert response.status == 200
        page = Page(response.body.decode())
        assert [r.attrs["data-session-id"] for r in page.select("tr", attr="data-session-id")] == [
            "chat-other"
        ]
        assert page.one("form", cls="sign-out").attrs["action"] == "/sign-out"
        assert with_cookie(seeded_ui, value, "/sessions/chat-1").status == 404

    def test_wrong_keys_stay_on_the_form(self, seeded_ui: ServedUi) -> None:
        """A wrong secret is the form again with a 401 and a message, no cookie, and no Basic challenge
        (the browser would open its dialog over the form); the public key is kept, the secret not."""
        response = sign_in(seeded_ui, "pk-lf-api", "sk-lf-wrong", "/traces")
        assert response.status == 401
        assert "set-cookie" not in response.headers and "www-authenticate" not in response.headers
        page = Page(response.body.decode())
        assert page.one("p", cls="error-message").text == "Wrong public or secret key."
        assert page.one("input", attr="name", value="public_key").attrs["value"] == "pk-lf-api"
        assert "sk-lf-wrong" not in response.body.decode()
        assert sign_in(seeded_ui, "", "").status == 400

    def test_cross_site_sign_in_is_refused(self, seeded_ui: ServedUi) -> None:
        """Another site cannot sign a browser in to its own keys (login CSRF)."""
        response = sign_in(seeded_ui, "pk-lf-api", "sk-lf-api", **{"sec-fetch-site": "cross-site"})
        assert response.status == 403 and "set-cookie" not in response.headers

    def test_a_target_off_this_server_is_ignored(self, seeded_ui: ServedUi) -> None:
        """``next`` pointing at another host leads to the Sessions view instead."""
        for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)", "/\\evil"):
            assert sign_in(seeded_ui, "pk-lf-api", "sk-lf-api", target).headers["location"] == "/sessions"


class TestRefusedCookies:
    def test_forged_tampered_and_foreign_cookies(self, seeded_ui: ServedUi) -> None:
        """A cookie signed with another key, an altered one, or garbage sends the browser to sign in."""
        value = cookie_of(sign_in(seeded_ui, "pk-lf-api", "sk-lf-api"))
        version, _, signature = value.split(".")
        forged = CookieSigner(b"k" * 32).encode(SignIn(seeded_ui.project_id, "pk-lf-api", 2**40))
        other_payload = CookieSigner(b"x").encode(SignIn(seeded_ui.other_project_id, "pk-lf-other", 2**40))
        swapped = f"{version}.{other_payload.split('.')[1]}.{signature}"
        for bad in (forged, swapped, f"{value}x", "v1.e30.", "garbage", ""):
            response = with_cookie(seeded_ui, bad, "/sessions")
            assert response.status == 303 and response.headers["location"] == "/sign-in", bad

    def test_rotated_keys_end_the_sign_in(self, fresh_ui: ServedUi) -> None:
        """After the project's public key changes, its old cookies no longer open pages."""
        value = cookie_of(sign_in(fresh_ui, "pk-lf-api", "sk-lf-api"))
        assert with_cookie(fresh_ui, value, "/sessions").status == 200
        fresh_ui.store.set_project_keys(fresh_ui.project_id, "pk-lf-new", "sk-lf-new")
        assert with_cookie(fresh_ui, value, "/sessions").status == 303

    def test_expiry(self) -> None:
        """A cookie decodes until its expiry, and not after; another key never decodes it."""
        signer = CookieSigner(b"s" * 32)
        value = signer.encode(SignIn("p", "pk", 1000))
        assert signer.decode(value, 999.0) == SignIn("p", "pk", 1000)
        assert signer.decode(value, 1000.0) is None
        assert CookieSigner(b"t" * 32).decode(value, 0.0) is None


class TestSignOut:
    def test_sign_out_clears_the_cookie(self, seeded_ui: ServedUi) -> None:
        """Posting sign-out leads to the form and expires the cookie; cross-site it is refused."""
        response = seeded_ui.as_key(None).request(
            "POST",
            "/sign-out",
            headers={"sec-fetch-site": "same-origin"},
            content_type="application/x-www-form-urlencoded",
        )
        assert (response.status, response.headers["location"]) == (303, "/sign-in")
        cleared = response.headers["set-cookie"]
        assert cleared.startswith(f"{COOKIE_NAME}=") and "Max-Age=0" in cleared
        refused = seeded_ui.as_key(None).request(
            "POST", "/sign-out", headers={"sec-fetch-site": "cross-site"}
        )
        assert refused.status == 403


@pytest.mark.parametrize("path", ["/sessions", "/traces", "/sessions/chat-1", "/download/sessions/chat-1"])
def test_basic_credentials_still_open_every_page(seeded_ui: ServedUi, path: str) -> None:
    """Scripts keep using the project's keys directly, without any cookie."""
    assert seeded_ui.get(path).status == 200
