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
    assert doc["token_endpoint"] == f"{stack.url}/auth/dev/token"
    assert jwks["keys"][0]["kty"] == "RSA" and jwks["keys"][0]["kid"].startswith("dev-")


async def test_dev_routes_are_404_without_dev_mode(prod_stack) -> None:
    async with httpx.AsyncClient(base_url=prod_stack.url) as client:
        token = await client.post("/auth/dev/token", json={"sub": "u", "tenant": "t", "roles": ["admin"]})
        jwks = await client.get("/auth/dev/jwks.json")
        discovery = await client.get("/auth/dev/.well-known/openid-configuration")
    for r in (token, jwks, discovery):
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
