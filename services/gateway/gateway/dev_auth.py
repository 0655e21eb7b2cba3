"""Local-development token issuer: mints RS256 tokens the services verify through its JWKS.

Mounted only when `dev_mode` is on; otherwise /auth/dev/* falls through to the proxy and answers 404.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from bakat_common.auth import ROLES, DevIssuer
from bakat_common.errors import problem_responses
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from gateway.config import GatewaySettings

log = logging.getLogger("bakat.gateway.dev_auth")

PREFIX = "/auth/dev"


class DevTokenRequest(BaseModel):
    sub: str = Field(min_length=1, max_length=200, description="subject (user or client id)")
    tenant: str = Field(min_length=1, max_length=100, description="tenant slug, or * for a platform operator")
    roles: list[str] = Field(description=f"any of: {', '.join(ROLES)}")
    ttl_seconds: int = Field(3600, ge=1, le=7 * 24 * 3600)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}; allowed: {', '.join(ROLES)}")
        return list(dict.fromkeys(roles))  # drop repeats, keep order


class DevTokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


def build_dev_issuer(settings: GatewaySettings) -> DevIssuer:
    auth = settings.auth
    if settings.dev_issuer_key_file:
        # A key file survives restarts, so tokens (and the services' cached JWKS) stay valid.
        return DevIssuer.from_key_file(settings.dev_issuer_key_file, issuer=auth.issuer, audience=auth.audience)
    log.warning("BAKAT_DEV_ISSUER_KEY_FILE not set: dev tokens use an in-memory key and die with this process")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return DevIssuer(key, issuer=auth.issuer, audience=auth.audience)


def dev_auth_router(issuer: DevIssuer) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["gateway"])

    @router.post(
        "/token",
        name="dev_token",
        response_model=DevTokenResponse,
        summary="Mint a dev access token (dev mode only)",
        responses=problem_responses(400, 422),
    )
    async def mint_token(body: DevTokenRequest) -> JSONResponse:
        token = issuer.mint(body.sub, body.tenant, body.roles, ttl_seconds=body.ttl_seconds)
        answer = DevTokenResponse(access_token=token, expires_in=body.ttl_seconds)
        # RFC 6749 5.1: token responses must not be cached.
        return JSONResponse(answer.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @router.get("/jwks.json", name="dev_jwks", summary="The dev issuer's public keys (JWKS)")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks()

    @router.get("/.well-known/openid-configuration", summary="Minimal OIDC discovery document")
    async def discovery(request: Request) -> dict[str, Any]:
        return {
            "issuer": issuer.issuer,  # must equal the tokens' `iss`, whatever host served this
            "jwks_uri": str(request.url_for("dev_jwks")),
            "token_endpoint": str(request.url_for("dev_token")),
            "grant_types_supported": ["urn:bakat:dev"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "claims_supported": ["iss", "aud", "sub", "exp", "iat", "jti", "tenant", "roles"],
        }
    return router
