"""Dev issuer: tokens it mints verify with the same verifier the services use (via its JWKS)."""

from __future__ import annotations

import httpx
import pytest
from bakat_common.auth import DevIssuer, TokenVerifier
from bakat_common.errors import Problem
from bakat_common.settings import AuthSettings


async def mint(url: str, **body: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as client:
        return await client.post("/auth/dev/token", json=body)


async def test_minted_token_verifies_against_the_jwks(stack) -> None:
    r = await mint(stack.url, sub="officer-1", tenant="kota-batu", roles=["officer", "viewer"], ttl_seconds=600)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    answer = r.json()
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 600

    auth = stack.settings.auth
    settings = AuthSettings(issuer=auth.issuer, audience=auth.audience, jwks_url=f"{stack.url}/auth/dev/jwks.json")
    principal = await TokenVerifier(settings).verify(answer["access_token"])
    assert principal.subject == "officer-1"
    assert principal.tenant == "kota-batu"
    assert principal.roles == frozenset({"officer", "viewer"})


async def test_minted_token_verifies_with_the_key_files_public_key(stack) -> None:
    r = await mint(stack.url, sub="bkn", tenant="*", roles=["integration"])
    auth = stack.settings.auth
    issuer = DevIssuer.from_key_file(stack.settings.dev_issuer_key_file, issuer=auth.issuer, audience=auth.audience)
    settings = AuthSettings(issuer=auth.issuer, audience=auth.audience, public_key_pem=issuer.public_key_pem())
    principal = await TokenVerifier(settings).verify(r.json()["access_token"])
    assert principal.tenant == "*" and principal.roles == frozenset({"integration"})
    assert r.json()["expires_in"] == 3600  # the default ttl


async def test_token_from_another_issuer_key_is_rejected(stack) -> None:
    r = await mint(stack.url, sub="x", tenant="t", roles=["viewer"])
    auth = stack.settings.auth
    other = DevIssuer.from_key_file(
        str(stack.settings.dev_issuer_key_file) + ".other", issuer=auth.issuer, audience=auth.audience
    )
    settings = AuthSettings(issuer=auth.issuer, audience=auth.audience, public_key_pem=other.public_key_pem())
    with pytest.raises(Problem):
        await TokenVerifier(settings).verify(r.json()["access_token"])


@pytest.mark.parametrize(
    "body",
    [
        {"sub": "u", "tenant": "t", "roles": ["superuser"]},
        {"sub": "u", "tenant": "t", "roles": ["viewer", "root"]},
        {"sub": "", "tenant": "t", "roles": ["viewer"]},
        {"sub": "u", "tenant": "t"},
        {"sub": "u", "tenant": "t", "roles": ["viewer"], "ttl_seconds": 0},
    ],
)
async def test_invalid_requests_are_422_problems(stack, body: dict) -> None:
    r = await mint(stack.url, **body)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"]


async def test_unknown_role_is_named(stack) -> None:
    problem = (await mint(stack.url, sub="u", tenant="t", roles=["superuser"])).json()
    assert "superuser" in problem["detail"] and "officer" in problem["detail"]


async def test_discovery_document(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        doc = (await client.get("/auth/dev/.well-known/openid-configuration")).json()
        jwks = (await client.get(doc["jwks_uri"])).json()
    assert doc["issuer"] == stack.settings.auth.issuer
    assert doc["jwks_uri"] == f"{stack.url}/auth/dev/jwks.json"
    # The standard endpoint is Keycloak's client-credentials one; the dev minting endpoint is named apart.
    assert doc["token_endpoint"] == f"{stack.url}/auth/dev/protocol/openid-connect/token"
    assert doc["grant_types_supported"] == ["client_credentials", "authorization_code"]
    # The web pages' sign-in: authorization code with PKCE (S256), at Keycloak's path too.
    assert doc["authorization_endpoint"] == f"{stack.url}/auth/dev/protocol/openid-connect/auth"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["bakat_dev_token_endpoint"] == f"{stack.url}/auth/dev/token"
    assert jwks["keys"][0]["kty"] == "RSA" and jwks["keys"][0]["kid"].startswith("dev-")


async def test_dev_routes_are_404_without_dev_mode(prod_stack) -> None:
    async with httpx.AsyncClient(base_url=prod_stack.url) as client:
        token = await client.post("/auth/dev/token", json={"sub": "u", "tenant": "t", "roles": ["admin"]})
        jwks = await client.get("/auth/dev/jwks.json")
        discovery = await client.get("/auth/dev/.well-known/openid-configuration")
    for r in (token, jwks, discovery):
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"


# ---- client credentials (BKN machine clients) ------------------------------------------------------

TOKEN_URL = "/auth/dev/protocol/openid-connect/token"  # where Keycloak serves it under a realm


async def client_token(url: str, data: dict[str, str] | None = None, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as client:
        return await client.post(TOKEN_URL, data=data, **kwargs)  # type: ignore[arg-type]


def verifier_for(stack) -> TokenVerifier:
    auth = stack.settings.auth
    return TokenVerifier(AuthSettings(issuer=auth.issuer, audience=auth.audience, jwks_url=f"{stack.url}/auth/dev/jwks.json"))


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
async def test_client_credentials_grant_gives_an_integration_token(stack, method: str) -> None:
    form = {"grant_type": "client_credentials"}
    if method == "client_secret_post":
        r = await client_token(stack.url, {**form, "client_id": "bkn-siasn-kota-batu", "client_secret": "s3cret-batu"})
    else:
        r = await client_token(stack.url, form, auth=("bkn-siasn-kota-batu", "s3cret-batu"))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    answer = r.json()
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == stack.settings.dev_client_token_ttl_s
    principal = await verifier_for(stack).verify(answer["access_token"])
    assert principal.tenant == "kota-batu"
    assert principal.roles == frozenset({"integration"})
    assert principal.subject == "service-account-bkn-siasn-kota-batu"  # what the audit trail records


@pytest.mark.parametrize(
    ("data", "auth", "status", "error"),
    [
        ({"grant_type": "client_credentials", "client_id": "bkn-siasn-kota-batu", "client_secret": "wrong"}, None,
         401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "s3cret-batu"}, None,
         401, "invalid_client"),
        ({"grant_type": "client_credentials"}, ("bkn-siasn-kota-batu", "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),  # no authentication at all
        ({"client_id": "bkn-siasn-kota-batu", "client_secret": "s3cret-batu"}, None, 400, "invalid_request"),
        ({"grant_type": "password", "client_id": "bkn-siasn-kota-batu", "client_secret": "s3cret-batu"}, None,
         400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "client_secret": "s3cret-batu"}, ("bkn-siasn-kota-batu", "s3cret-batu"),
         400, "invalid_request"),  # two authentication methods
        ({"grant_type": "client_credentials", "client_id": "other"}, ("bkn-siasn-kota-batu", "s3cret-batu"),
         400, "invalid_request"),  # the form names another client than Basic
    ],
)
async def test_client_credentials_errors_follow_rfc_6749(stack, data, auth, status: int, error: str) -> None:
    r = await client_token(stack.url, data, auth=auth)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == error and body["error_description"]
    assert body["status"] == status and body["detail"] == body["error_description"]  # also a problem
    assert "access_token" not in body
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Basic")


async def test_client_credentials_refuses_what_is_not_a_form(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.post(TOKEN_URL, json={"grant_type": "client_credentials"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"
        r = await client.post(
            TOKEN_URL,
            content=b"grant_type=client_credentials&grant_type=client_credentials",
            headers={"content-type": "application/x-www-form-urlencoded"},
            auth=("bkn-siasn-kota-batu", "s3cret-batu"),
        )
        assert r.status_code == 400 and "repeated" in r.json()["error_description"]
        r = await client.post(
            TOKEN_URL, content=b"grant_type=" + b"x" * 20_000, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"
        r = await client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers={"authorization": "Basic %%%"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"


async def test_no_client_credentials_outside_dev_mode(prod_stack) -> None:
    r = await client_token(prod_stack.url, {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"})
    assert r.status_code == 404  # falls through to the proxy: no service serves it
