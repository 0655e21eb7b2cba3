"""Local-development token issuer: mints RS256 tokens the services verify through its JWKS.

Mounted only when `dev_mode` is on; otherwise /auth/dev/* falls through to the proxy and answers 404.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from typing import Any, Literal
from urllib.parse import unquote_plus

from bakat_common.auth import ROLES, DevIssuer, known_roles
from bakat_common.errors import problem_responses
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from gateway.config import DevClient, GatewaySettings
from gateway.dev_signin import PendingCodes, SignInError, exchange

log = logging.getLogger("bakat.gateway.dev_auth")

PREFIX = "/auth/dev"
# Where Keycloak serves it under a realm's issuer URL: a client written for Keycloak needs only the
# issuer changed to run against the dev issuer.
TOKEN_ENDPOINT = "/protocol/openid-connect/token"
FORM = "application/x-www-form-urlencoded"


class DevTokenRequest(BaseModel):
    sub: str = Field(min_length=1, max_length=200, description="subject (user or client id)")
    tenant: str = Field(min_length=1, max_length=100, description="tenant slug, or * for a platform operator")
    roles: list[str] = Field(description=f"any of: {', '.join(ROLES)}")
    ttl_seconds: int = Field(3600, ge=1, le=7 * 24 * 3600)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        return known_roles(roles)


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


class OAuthError(Exception):
    """RFC 6749 section 5.2: what an OAuth client library expects back from a token endpoint."""

    def __init__(self, status: int, error: str, description: str) -> None:
        self.status, self.error, self.description = status, error, description

    def response(self) -> JSONResponse:
        # The OAuth members (error, error_description) for OAuth libraries, and the problem members
        # (title, status, detail) every other Bakat 4xx carries, in one JSON object.
        body = {
            "error": self.error,
            "error_description": self.description,
            "type": "about:blank",
            "title": "Unauthorized" if self.status == 401 else "Bad request",
            "status": self.status,
            "detail": self.description,
        }
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="bakat-dev"'
        return JSONResponse(body, status_code=self.status, headers=headers)


def client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str, str]:
    """(client id, secret) from HTTP Basic (client_secret_basic) or the form (client_secret_post)."""
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError(400, "invalid_request", "the Basic credentials are not base64 of id:secret") from exc
        raw_id, sep, raw_secret = decoded.partition(":")
        if not sep:
            raise OAuthError(400, "invalid_request", "the Basic credentials are not base64 of id:secret")
        client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)  # RFC 6749 2.3.1
        if "client_secret" in form:  # RFC 6749 2.3: one authentication method per request
            raise OAuthError(400, "invalid_request", "the client is authenticated twice (Basic and form)")
        if form.get("client_id", client_id) != client_id:
            raise OAuthError(400, "invalid_request", "client_id in the form differs from the Basic credentials")
        return client_id, secret
    if "client_id" not in form or "client_secret" not in form:
        raise OAuthError(401, "invalid_client", "client authentication is required (client_id and client_secret)")
    return form["client_id"], form["client_secret"]


def authenticate(clients: dict[str, DevClient], client_id: str, secret: str) -> DevClient:
    client = clients.get(client_id)
    # compare_digest either way, so an unknown id takes as long as a wrong secret
    expected = client.secret if client is not None else "\0" * max(8, len(secret))
    if not hmac.compare_digest(expected.encode(), secret.encode()) or client is None:
        raise OAuthError(401, "invalid_client", "unknown client or wrong secret")
    return client


def dev_auth_router(
    issuer: DevIssuer,
    clients: dict[str, DevClient] | None = None,
    client_ttl_s: int = 300,
    codes: PendingCodes | None = None,
    web_ttl_s: int = 3600,
) -> APIRouter:
    """`codes`: the browser sign-in's pending authorization codes (gateway.dev_signin); None: the token
    endpoint grants client credentials only."""
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

    @router.post(
        TOKEN_ENDPOINT,
        name="dev_client_credentials_token",
        response_model=DevTokenResponse,
        summary="OAuth 2.0 token endpoint: client credentials for machine clients such as BKN SIASN, "
        "authorization code with PKCE for the web pages (dev mode only)",
        description=(
            "RFC 6749 section 4.4: `grant_type=client_credentials`, form-encoded, the client authenticated "
            "by HTTP Basic or by `client_id` and `client_secret` in the form. The clients are the "
            "gateway's `BAKAT_DEV_CLIENTS`. RFC 6749 section 4.1 with RFC 7636: `grant_type="
            "authorization_code` with `code`, `redirect_uri`, `client_id` and `code_verifier`, for the "
            "public web client after the sign-in form. Errors are RFC 6749 section 5.2 objects (`error`, "
            "`error_description`) that also carry the problem members (`title`, `status`, `detail`)."
        ),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    FORM: {
                        "schema": {
                            "type": "object",
                            "required": ["grant_type"],
                            "properties": {
                                "grant_type": {"type": "string", "enum": ["client_credentials", "authorization_code"]},
                                "client_id": {"type": "string"},
                                "client_secret": {"type": "string"},
                                "scope": {"type": "string"},
                                "code": {"type": "string"},
                                "redirect_uri": {"type": "string"},
                                "code_verifier": {"type": "string"},
                            },
                        },
                        "example": {
                            "grant_type": "client_credentials",
                            "client_id": "bkn-siasn-dev",
                            "client_secret": "dev-secret",
                        },
                    }
                },
            }
        },
        responses={
            400: {"description": "invalid_request or unsupported_grant_type (RFC 6749 5.2)"},
            401: {"description": "invalid_client: unknown client or wrong secret"},
        },
    )
    async def client_credentials_token(request: Request) -> JSONResponse:
        try:
            form = await _token_form(request)
            if form.get("grant_type") == "authorization_code" and codes is not None:
                token, ttl = exchange(codes, issuer, form, web_ttl_s), web_ttl_s
            else:
                client_id, client = _client_of(form, request.headers.get("authorization"), clients or {})
                token, ttl = issuer.mint(
                    f"service-account-{client_id}", client.tenant, client.roles, ttl_seconds=client_ttl_s, azp=client_id
                ), client_ttl_s
        except OAuthError as exc:
            return exc.response()
        except SignInError as exc:
            return OAuthError(400, exc.error, exc.description).response()
        answer = DevTokenResponse(access_token=token, expires_in=ttl)
        return JSONResponse(answer.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @router.get("/jwks.json", name="dev_jwks", summary="The dev issuer's public keys (JWKS)")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks()

    @router.get("/.well-known/openid-configuration", summary="Minimal OIDC discovery document")
    async def discovery(request: Request) -> dict[str, Any]:
        return {
            "issuer": issuer.issuer,  # must equal the tokens' `iss`, whatever host served this
            "jwks_uri": str(request.url_for("dev_jwks")),
            "token_endpoint": str(request.url_for("dev_client_credentials_token")),
            "grant_types_supported": ["client_credentials"] + (["authorization_code"] if codes is not None else []),
            "response_types_supported": ["token"] + (["code"] if codes is not None else []),
            **(
                {"authorization_endpoint": str(request.url_for("sign_in_form")), "code_challenge_methods_supported": ["S256"]}
                if codes is not None
                else {}
            ),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            # "none": the web pages, a public client (PKCE instead of a secret).
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]
            + (["none"] if codes is not None else []),
            "claims_supported": ["iss", "aud", "sub", "exp", "iat", "jti", "tenant", "roles", "azp"],
            # Not OIDC: the dev issuer's own endpoint that mints a token for any user, tenant and roles.
            "bakat_dev_token_endpoint": str(request.url_for("dev_token")),
        }
    return router


async def _token_form(request: Request) -> dict[str, str]:
    """The token request's form fields, each at most once (RFC 6749 3.2)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise OAuthError(400, "invalid_request", f"the token request must be {FORM}")
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > 16 * 1024:
        raise OAuthError(400, "invalid_request", "the token request needs a Content-Length of at most 16 KB")
    parsed = await request.form()
    form: dict[str, str] = {}
    for name in parsed:
        values = parsed.getlist(name)
        if len(values) > 1:  # RFC 6749 3.2: parameters must not be repeated
            raise OAuthError(400, "invalid_request", f"parameter {name!r} is repeated")
        form[name] = str(values[0])
    if not form.get("grant_type"):
        raise OAuthError(400, "invalid_request", "grant_type is missing")
    return form


def _client_of(form: dict[str, str], authorization: str | None, clients: dict[str, DevClient]) -> tuple[str, DevClient]:
    client_id, secret = client_credentials(form, authorization)
    client = authenticate(clients, client_id, secret)
    if form["grant_type"] != "client_credentials":
        raise OAuthError(
            400, "unsupported_grant_type", f"grant_type {form['grant_type']!r} is not supported; use client_credentials"
        )
    return client_id, client
