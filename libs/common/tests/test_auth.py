"""Token verification and the tenant/role rules (no I/O: a PEM public key instead of a JWKS URL)."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import jwt
import pytest
from bakat_common.auth import (
    DevIssuer,
    TokenVerifier,
    check_tenant_access,
    principal_from_claims,
    require_roles,
)
from bakat_common.errors import Forbidden, Unauthorized
from bakat_common.settings import AuthSettings
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "http://127.0.0.1:8000/auth/dev"


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer(rsa.generate_private_key(public_exponent=65537, key_size=2048), ISSUER, "bakat")


@pytest.fixture(scope="module")
def verifier(issuer: DevIssuer) -> TokenVerifier:
    return TokenVerifier(AuthSettings(issuer=ISSUER, audience="bakat", public_key_pem=issuer.public_key_pem()))


async def test_valid_token_gives_the_principal(issuer, verifier):
    principal = await verifier.verify(issuer.mint("budi", "kota-batu", ["officer", "not-a-role"]))
    assert principal.subject == "budi" and principal.tenant == "kota-batu"
    assert principal.roles == frozenset({"officer"})  # unknown roles are ignored


def _claims(**overrides):
    now = int(time.time())
    return {"iss": ISSUER, "aud": "bakat", "sub": "x", "exp": now + 60, "tenant": "kota-batu", "roles": ["viewer"], **overrides}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"iss": "https://evil.example/realms/x"}, "issuer"),
        ({"aud": "someone-else"}, "audience"),
        ({"tenant": None}, "tenant"),
    ],
)
async def test_bad_claims_are_rejected(issuer, verifier, overrides, reason):
    claims = {k: v for k, v in _claims(**overrides).items() if v is not None}
    token = jwt.encode(claims, issuer.private_key, algorithm="RS256", headers={"kid": issuer.kid})
    with pytest.raises(Unauthorized) as err:
        await verifier.verify(token)
    assert reason in err.value.detail.lower()


async def test_alg_none_is_rejected(verifier):
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=")
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header.decode()}.{body.decode()}.")


async def test_tampered_signature_and_foreign_key_are_rejected(issuer, verifier):
    token = issuer.mint("x", "kota-batu", ["admin"])
    head, body, sig = token.split(".")
    forged_body = base64.urlsafe_b64encode(json.dumps(_claims(tenant="*")).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{head}.{forged_body}.{sig}")
    stranger = DevIssuer(rsa.generate_private_key(public_exponent=65537, key_size=2048), ISSUER, "bakat")
    with pytest.raises(Unauthorized):
        await verifier.verify(stranger.mint("x", "kota-batu", ["admin"]))
    with pytest.raises(Unauthorized):
        await verifier.verify("not-a-jwt")


def test_keycloak_realm_roles_are_read():
    principal = principal_from_claims({"sub": "svc", "tenant": "kota-batu", "realm_access": {"roles": ["integration"]}})
    assert principal.roles == frozenset({"integration"})


def test_tenant_rules():
    kota = principal_from_claims({"sub": "a", "tenant": "kota-batu", "roles": ["officer"]})
    province = principal_from_claims({"sub": "b", "tenant": "prov-jatim", "roles": ["viewer"]})
    operator = principal_from_claims({"sub": "c", "tenant": "*", "roles": ["admin"]})
    check_tenant_access(kota, "kota-batu", "prov-jatim")
    check_tenant_access(province, "kota-batu", "prov-jatim")  # a province covers its kota
    check_tenant_access(operator, "kota-batu", "prov-jatim")
    with pytest.raises(Forbidden):
        check_tenant_access(kota, "kota-mojokerto", "prov-jatim")  # a sibling kota
    with pytest.raises(Forbidden):
        check_tenant_access(kota, "prov-jatim", None)  # a kota does not cover its province
    with pytest.raises(Forbidden):
        check_tenant_access(province, "kota-bogor", "prov-jabar")  # another province's kota
    require_roles(kota, "admin", "officer")
    with pytest.raises(Forbidden):
        require_roles(province, "admin", "officer")


async def test_a_verified_token_is_trusted_again_without_a_signature_check_but_never_past_exp(issuer, monkeypatch):
    verifier = TokenVerifier(AuthSettings(issuer=ISSUER, audience="bakat", public_key_pem=issuer.public_key_pem()))
    checks = []
    real = verifier._verify_signed

    async def counted(token):
        checks.append(token)
        return await real(token)

    monkeypatch.setattr(verifier, "_verify_signed", counted)
    exp = int(time.time()) + 1
    token = jwt.encode(_claims(exp=exp), issuer.private_key, algorithm="RS256", headers={"kid": issuer.kid})
    for _ in range(3):
        assert (await verifier.verify(token)).subject == "x"
    assert len(checks) == 1
    # Past its exp the token is checked again, and refused.
    await asyncio.sleep(max(0.0, exp - time.time()) + 0.05)
    with pytest.raises(Unauthorized, match="expired"):
        await verifier.verify(token)
    assert len(checks) == 2
    # A bad token is never remembered: each try is checked (and refused) again.
    with pytest.raises(Unauthorized):
        await verifier.verify(token + "x")
    with pytest.raises(Unauthorized):
        await verifier.verify(token + "x")
    assert len(checks) == 4


async def test_the_verified_cache_is_bounded_and_can_be_off(issuer):
    settings = AuthSettings(issuer=ISSUER, audience="bakat", public_key_pem=issuer.public_key_pem(), verified_cache_size=2)
    verifier = TokenVerifier(settings)
    for sub in ("a", "b", "c"):
        await verifier.verify(jwt.encode(_claims(sub=sub), issuer.private_key, algorithm="RS256", headers={"kid": issuer.kid}))
    assert len(verifier._verified) == 2
    off = TokenVerifier(settings.model_copy(update={"verified_cache_seconds": 0}))
    await off.verify(issuer.mint("budi", "kota-batu", ["officer"]))
    assert not off._verified
