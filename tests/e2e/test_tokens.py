"""Bad tokens through the gateway, against a route of every service: expired, another issuer, another
audience, `alg: none`, HS256 signed with the public key, a tampered payload, a foreign key: 401
problem+json; a token without a Bakat role, or without the role an action needs: 403. The same
token, well made, is accepted (so each refusal is about the one thing that is wrong)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
from bakat_common.auth import DevIssuer
from cryptography.hazmat.primitives.asymmetric import rsa

from .test_slice import new_kota

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"
ROUTES = {  # a read of every service
    "roster": "/tenants/{t}/units",
    "assessment": "/tenants/{t}/instruments",
    "placement": "/tenants/{t}/nine-box",
    "scheduling": "/tenants/{t}/venues",
}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hs256_with(secret: bytes, kid: str, claims: dict) -> str:
    """The classic key-confusion forgery: an HMAC over the token made with the issuer's public key."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.fixture(scope="module")
def dev_issuer(platform, platform_settings) -> DevIssuer:
    """The platform's own dev issuer key (from its state directory): forged tokens differ from real
    ones only where the test says."""
    return DevIssuer.from_key_file(
        platform_settings.dev_issuer_key_file, f"{platform.gateway_url}/auth/dev", "bakat"
    )


async def test_bad_tokens_are_refused_by_every_service(gateway, token_for, dev_issuer) -> None:
    _, kota = await new_kota(gateway, token_for)
    issuer = dev_issuer
    now = int(time.time())
    claims = {"iss": issuer.issuer, "aud": "bakat", "sub": "siti", "iat": now, "exp": now + 600,
              "jti": str(uuid.uuid4()), "tenant": kota, "roles": ["officer"]}  # fmt: skip

    def signed(**changes) -> str:
        return jwt.encode({**claims, **changes}, issuer.private_key, algorithm="RS256", headers={"kid": issuer.kid})

    good = signed()
    header, payload, signature = good.split(".")
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = {
        "expired": signed(exp=now - 60, iat=now - 700),
        "another issuer": signed(iss="https://keycloak.example/realms/other"),
        "another audience": signed(aud="account"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "HS256 with the public key": hs256_with(issuer.public_key_pem().encode(), issuer.kid, claims),
        "tampered payload": f"{header}.{_b64({**claims, 'tenant': '*', 'roles': ['admin']})}.{signature}",
        "tampered signature": f"{header}.{payload}.{signature[:-6]}AAAAAA",
        "foreign key": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": issuer.kid}),
        "not a token": "hello",
    }
    for service, route in ROUTES.items():
        url = route.format(t=kota)
        r = await gateway.get(url, headers={"authorization": f"Bearer {good}"})
        assert r.status_code == 200, f"{service}: {r.status_code} {r.text[:200]}"
        r = await gateway.get(url)
        assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM), service
        for what, token in bad.items():
            r = await gateway.get(url, headers={"authorization": f"Bearer {token}"})
            assert r.status_code == 401, f"{service}, {what}: {r.status_code} {r.text[:200]}"
            assert r.headers["content-type"].startswith(PROBLEM), f"{service}, {what}"
        # A well-made token whose roles are none of Bakat's: 403.
        r = await gateway.get(url, headers={"authorization": f"Bearer {signed(roles=['offline_access'])}"})
        assert r.status_code == 403, f"{service}: {r.status_code} {r.text[:200]}"


async def test_a_missing_role_is_403_in_every_service(gateway, token_for) -> None:
    _, kota = await new_kota(gateway, token_for)
    viewer = await token_for(kota, "viewer")
    writes = {  # an action a viewer may not take, with a body that is otherwise valid
        "roster": ("/tenants/{t}/units", {"code": "BKPSDM", "name": "BKPSDM", "kind": "badan"}),
        "assessment": ("/tenants/{t}/performance-ratings", {"nip": "198503152010011003", "year": 2024, "predikat": "Baik"}),
        "placement": ("/tenants/{t}/calibrations", {"title": "Kalibrasi talenta 2026"}),
        "scheduling": ("/tenants/{t}/venues", {"name": "SMKN 1 Batu", "rooms": []}),
    }  # fmt: skip
    for service, (route, body) in writes.items():
        r = await gateway.post(route.format(t=kota), headers=viewer, json=body)
        assert r.status_code == 403, f"{service}: {r.status_code} {r.text[:300]}"
        assert r.headers["content-type"].startswith(PROBLEM), service


async def test_a_bkn_machine_client_works_with_the_client_credentials_grant(gateway, token_for) -> None:
    """The devstack's BKN client gets an integration token as a Keycloak confidential client would
    (same token endpoint path under the issuer), records results for a kota, and the audit trail
    names its service account."""
    _, kota = await new_kota(gateway, token_for)
    discovery = (await gateway.get("/auth/dev/.well-known/openid-configuration")).json()
    assert "client_credentials" in discovery["grant_types_supported"]
    r = await gateway.post(
        discovery["token_endpoint"], data={"grant_type": "client_credentials"}, auth=("bkn-siasn-dev", "dev-secret")
    )
    assert r.status_code == 200, r.text
    bkn = {"authorization": f"Bearer {r.json()['access_token']}"}
    nip = "198503152010011003"

    r = await gateway.post(f"/tenants/{kota}/employees", headers=bkn, json={"nip": nip, "name": "Budi Santoso"})
    assert r.status_code == 201, r.text
    r = await gateway.post(f"/tenants/{kota}/assessments", headers=bkn, json={"nip": nip, "potential_score": 84})
    assert r.status_code == 201, r.text
    r = await gateway.get(f"/tenants/{kota}/employees/{nip}/assessments", headers=bkn)
    assert r.status_code == 200 and r.json()[0]["potential_score"] == 84
    r = await gateway.post(f"/tenants/{kota}/units", headers=bkn, json={"code": "X", "name": "X", "kind": "dinas"})
    assert r.status_code == 403  # units are the agency's own (docs/PERMISSIONS.md): verified, then refused
    r = await gateway.get(f"/tenants/{kota}/audit/assessments", headers=bkn)
    assert r.status_code == 403  # the trail is for tenant admins

    r = await gateway.get(
        f"/tenants/{kota}/audit/assessments",
        headers=await token_for(kota, "admin"),
        params={"subject": "service-account-bkn-siasn-dev"},
    )
    assert r.status_code == 200, r.text
    entries = r.json()["items"]
    assert {e["action"] for e in entries} >= {"change", "read"} and all(e["nips"] == [nip] for e in entries)

    r = await gateway.post(
        discovery["token_endpoint"], data={"grant_type": "client_credentials"}, auth=("bkn-siasn-dev", "wrong")
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
