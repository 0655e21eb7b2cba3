"""JWT bearer auth: verification against an OIDC issuer's JWKS, roles, and the tenant in the path.

In dev mode the gateway hosts a dev issuer (`DevIssuer`) whose JWKS the services verify against,
exactly as they would against Keycloak in production.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bakat_common.errors import Forbidden, NotFound, ServiceUnavailable, Unauthorized
from bakat_common.settings import AuthSettings

log = logging.getLogger("bakat.auth")
ROLES = ("admin", "officer", "assessor", "viewer", "integration")
ALL_TENANTS = "*"  # a platform operator's token


def known_roles(roles: list[str]) -> list[str]:
    """`roles` without repeats (order kept); ValueError naming any that is not a Bakat role."""
    if unknown := [r for r in roles if r not in ROLES]:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}; allowed: {', '.join(ROLES)}")
    return list(dict.fromkeys(roles))


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class TokenVerifier:
    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._http = http
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        # token -> (principal, time.time() until which it is trusted without a new signature check)
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._static_key = (
            serialization.load_pem_public_key(settings.public_key_pem.encode()) if settings.public_key_pem else None
        )

    async def _refresh_jwks(self) -> None:
        if not self.settings.jwks_url:
            return
        async with self._lock:
            if time.monotonic() - self._fetched_at < 1.0:
                return  # another request just refreshed (or just failed to): don't hammer the issuer
            self._fetched_at = time.monotonic()
            client = self._http or httpx.AsyncClient(timeout=5.0)
            try:
                response = await client.get(self.settings.jwks_url)
                response.raise_for_status()
                keys = {}
                for jwk in response.json().get("keys", []):
                    if jwk.get("kty") == "RSA":
                        keys[jwk.get("kid", "")] = RSAAlgorithm.from_jwk(jwk)
                self._keys = keys
            finally:
                if self._http is None:
                    await client.aclose()

    async def _key_for(self, kid: str | None):
        if self._static_key is not None:
            return self._static_key
        stale = time.monotonic() - self._fetched_at > self.settings.jwks_cache_seconds
        if stale or (kid or "") not in self._keys:
            try:
                await self._refresh_jwks()
            except (httpx.HTTPError, ValueError) as exc:
                # Keep serving with the keys we have: an issuer outage must not log everyone out.
                log.warning("cannot refresh the issuer's keys: %r", exc)
                if not self._keys:
                    raise ServiceUnavailable("the token issuer's keys cannot be fetched; try again shortly") from exc
        key = self._keys.get(kid or "")
        if key is None and len(self._keys) == 1 and not kid:
            key = next(iter(self._keys.values()))
        if key is None:
            raise Unauthorized("token signed with an unknown key")
        return key

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            if time.time() < cached[1]:
                self._verified.move_to_end(token)
                return cached[0]
            del self._verified[token]
        principal, expires = await self._verify_signed(token)
        if self.settings.verified_cache_seconds > 0:
            self._verified[token] = (principal, min(expires, time.time() + self.settings.verified_cache_seconds))
            while len(self._verified) > self.settings.verified_cache_size:
                self._verified.popitem(last=False)
        return principal

    async def _verify_signed(self, token: str) -> tuple[Principal, float]:
        """The principal and the token's expiry, after checking signature and claims."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("malformed token") from exc
        if header.get("alg") not in self.settings.algorithms:
            raise Unauthorized(f"token algorithm {header.get('alg')!r} not accepted")
        key = await self._key_for(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=self.settings.algorithms,
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc
        return principal_from_claims(claims), float(claims["exp"])


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles")
    if roles is None:  # Keycloak puts realm roles here
        roles = claims.get("realm_access", {}).get("roles", [])
    tenant = claims.get("tenant")
    if not isinstance(tenant, str) or not tenant:
        raise Unauthorized("token has no tenant claim")
    return Principal(subject=str(claims["sub"]), tenant=tenant, roles=frozenset(r for r in roles if r in ROLES))


def require_roles(principal: Principal, *roles: str) -> None:
    if not principal.has_any(*roles):
        raise Forbidden(f"this action needs one of the roles: {', '.join(roles)}")


def check_tenant_access(principal: Principal, tenant_id: str, parent_id: str | None) -> None:
    """A token covers its own tenant and, for a province, the province's kabupaten/kota."""
    if principal.tenant in (ALL_TENANTS, tenant_id):
        return
    if parent_id is not None and principal.tenant == parent_id:
        return
    raise Forbidden(f"token for tenant {principal.tenant!r} may not access tenant {tenant_id!r}")


ParentLookup = Callable[[str], Awaitable[tuple[bool, str | None]]]  # tenant -> (found, parent id)


async def authorize_path_tenant(
    principal: Principal, tenant_id: str, parents: dict[str, str | None], find_parent: ParentLookup
) -> None:
    """The tenant in a path exists (else 404) and the token covers it (else 403).

    `parents` remembers every tenant found (tenant -> parent; tenants are never deleted and a parent
    never changes), so a known tenant costs no query. A token of a kabupaten/kota covers no other
    tenant, so it gets 403 for any other tenant at once, whether that tenant exists or not: the answer
    tells a stranger nothing, and does not depend on whether this service has heard of the tenant yet.
    Only a province's or the platform's token can learn that a tenant does not exist (404).
    A tenant is a province exactly when it has no parent.
    """

    async def parent_of(tenant: str) -> tuple[bool, str | None]:
        if tenant not in parents:
            found, parent = await find_parent(tenant)
            if not found:
                return False, None
            parents[tenant] = parent
        return True, parents[tenant]

    if tenant_id not in parents and principal.tenant not in (ALL_TENANTS, tenant_id):
        own_found, own_parent = await parent_of(principal.tenant)
        if not own_found or own_parent is not None:
            raise Forbidden(f"token for tenant {principal.tenant!r} may not access tenant {tenant_id!r}")
    found, parent = await parent_of(tenant_id)
    if not found:
        raise NotFound(f"tenant {tenant_id!r} not found")
    check_tenant_access(principal, tenant_id, parent)


class DevIssuer:
    """Local-development token issuer. Enabled only in dev mode; its key lives in a file so restarts keep tokens."""

    def __init__(self, private_key: rsa.RSAPrivateKey, issuer: str, audience: str) -> None:
        self.private_key = private_key
        self.issuer = issuer
        self.audience = audience
        public_jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        self.kid = f"dev-{public_jwk['n'][:16]}"
        self._jwks = {"keys": [{**public_jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    @classmethod
    def from_key_file(cls, path: str | Path, issuer: str, audience: str) -> DevIssuer:
        path = Path(path)
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            path.chmod(0o600)
        assert isinstance(key, rsa.RSAPrivateKey)
        return cls(key, issuer, audience)

    def jwks(self) -> dict[str, Any]:
        return self._jwks

    def public_key_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def mint(self, subject: str, tenant: str, roles: list[str], ttl_seconds: int = 3600, **extra: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": str(uuid.uuid4()),
            "tenant": tenant,
            "roles": roles,
            **extra,
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})
