"""The web pages' serving and sign-in: the static pages and their headers, where they are told to
sign in, and the dev issuer's authorization code + PKCE flow with its refusals."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from bakat_common.auth import TokenVerifier
from bakat_common.settings import AuthSettings

AUTHORIZE = "/auth/dev/protocol/openid-connect/auth"
TOKEN = "/auth/dev/protocol/openid-connect/token"
VERIFIER = "a-long-random-verifier-of-at-least-43-characters-0123456789"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def authorization(stack, **override) -> dict[str, str]:
    return {
        "response_type": "code", "client_id": "bakat-web", "redirect_uri": f"{stack.url}/app/",
        "state": "st-1", "code_challenge": CHALLENGE, "code_challenge_method": "S256", **override,
    }  # fmt: skip


async def signed_in_code(client: httpx.AsyncClient, stack, **person) -> str:
    form = authorization(stack) | {"sub": "siti", "tenant": "kota-batu", "role": "officer"} | person
    r = await client.post(AUTHORIZE, data=form)
    assert r.status_code == 303, r.text
    target = urlsplit(r.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{stack.url}/app/"
    query = parse_qs(target.query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def exchange(stack, issued: str, **override) -> dict[str, str]:
    return {"grant_type": "authorization_code", "code": issued, "redirect_uri": f"{stack.url}/app/",
            "client_id": "bakat-web", "code_verifier": VERIFIER, **override}  # fmt: skip


async def test_the_pages_are_served_with_their_security_headers(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        page = await client.get("/app/")
        module = await client.get("/app/pages/nine-box.js")
        browser = await client.get("/", headers={"accept": "text/html,application/xhtml+xml"})
        api_client = await client.get("/", headers={"accept": "application/json"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="app.js">' in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-cache"
    assert module.status_code == 200 and "javascript" in module.headers["content-type"]
    assert browser.status_code == 307 and browser.headers["location"] == "/app/"
    assert api_client.status_code == 404 and api_client.headers["content-type"] == "application/problem+json"


async def test_the_pages_sign_in_at_the_dev_issuer_in_dev_mode_and_at_keycloak_otherwise(
    stack, prod_stack
) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        dev = (await client.get("/app/config.json")).json()
    async with httpx.AsyncClient(base_url=prod_stack.url) as client:
        prod = (await client.get("/app/config.json")).json()
        form = await client.get(AUTHORIZE, params=authorization(prod_stack))
    assert dev == {
        "client_id": "bakat-web",
        "authorization_endpoint": AUTHORIZE,
        "token_endpoint": TOKEN,
        "end_session_endpoint": None,  # the dev issuer keeps no session
        "dev": True,
    }
    issuer = prod_stack.settings.auth.issuer
    assert prod["authorization_endpoint"] == f"{issuer}/protocol/openid-connect/auth"
    assert prod["token_endpoint"] == f"{issuer}/protocol/openid-connect/token" and prod["dev"] is False
    assert prod["end_session_endpoint"] == f"{issuer}/protocol/openid-connect/logout"
    assert form.status_code == 404  # no dev sign-in without dev mode


async def test_a_code_with_its_verifier_gives_a_token_the_services_accept_once(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        shown = await client.get(AUTHORIZE, params=authorization(stack))
        assert shown.status_code == 200 and "<form method='post'>" in shown.text and CHALLENGE in shown.text
        code = await signed_in_code(client, stack)
        r = await client.post(TOKEN, data=exchange(stack, code))
        again = await client.post(TOKEN, data=exchange(stack, code))
    assert r.status_code == 200, r.text
    auth = stack.settings.auth
    verifier = TokenVerifier(
        AuthSettings(issuer=auth.issuer, audience=auth.audience, jwks_url=f"{stack.url}/auth/dev/jwks.json")
    )
    principal = await verifier.verify(r.json()["access_token"])
    assert (principal.subject, principal.tenant, principal.roles) == (
        "siti",
        "kota-batu",
        frozenset({"officer"}),
    )
    assert r.json()["expires_in"] == stack.settings.dev_web_token_ttl_s
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"  # one use


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_verifier": "another-verifier-that-is-long-enough-to-be-a-verifier-000"}, "invalid_grant"),
        ({"redirect_uri": "https://elsewhere.example/app/"}, "invalid_grant"),
        ({"client_id": "another-client"}, "invalid_grant"),
        ({"code_verifier": ""}, "invalid_request"),
        ({"code": "not-a-code"}, "invalid_grant"),
    ],
)
async def test_an_exchange_that_does_not_match_its_code_is_refused(stack, change, error) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        code = await signed_in_code(client, stack)
        r = await client.post(TOKEN, data=exchange(stack, code, **change))
    assert r.status_code == 400 and r.json()["error"] == error, r.text


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "https://evil.example/steal"},  # a code is only ever sent back to the pages
        {"redirect_uri": "https://evil.example/app/"},  # ... of this gateway
        {"redirect_uri": "http://127.0.0.1:1/app/"},
        {"redirect_uri": "/app/"},
        {"client_id": "unknown"},
        {"code_challenge_method": "plain"},
        {"code_challenge": "short"},
        {"response_type": "token"},
    ],
)
async def test_a_bad_authorization_request_is_refused_without_a_redirect(stack, change) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        shown = await client.get(AUTHORIZE, params=authorization(stack, **change))
        posted = await client.post(
            AUTHORIZE, data=authorization(stack, **change) | {"sub": "x", "tenant": "t", "role": "admin"}
        )
    for r in (shown, posted):
        assert r.status_code == 400 and "location" not in r.headers


async def test_the_sign_in_form_asks_again_for_a_missing_name_or_an_unknown_role(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        for person in ({"sub": ""}, {"role": "superuser"}, {"tenant": " "}):
            form = authorization(stack) | {"sub": "siti", "tenant": "kota-batu", "role": "officer"} | person
            r = await client.post(AUTHORIZE, data=form)
            assert r.status_code == 422 and "location" not in r.headers and "role='alert'" in r.text
