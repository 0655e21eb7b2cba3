"""The officers' web pages, served by the gateway under /app/: static files (plain ES modules, no
build step, nothing fetched from elsewhere) that call the same public API through the same gateway
with the user's bearer token. `/app/config.json` tells them where to sign in (docs/WEB.md)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from gateway.config import GatewaySettings
from gateway.dev_auth import PREFIX as DEV_AUTH_PREFIX
from gateway.dev_auth import TOKEN_ENDPOINT
from gateway.dev_signin import AUTHORIZE

STATIC = Path(__file__).parent / "static"
LOGOUT = "/protocol/openid-connect/logout"  # Keycloak's RP-initiated logout under a realm
# The pages load only their own files and talk only to this origin (the API and, in dev, the issuer);
# production adds the OIDC issuer's origin for the token exchange.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def sign_in_config(settings: GatewaySettings) -> dict[str, object]:
    """Where the pages send the user to sign in and exchange the code (OIDC authorization code + PKCE)."""
    if settings.dev_mode:
        base = DEV_AUTH_PREFIX  # this gateway's own dev issuer, same origin
    else:
        base = settings.auth.issuer.rstrip("/")  # Keycloak: https://sso.example/realms/bakat
    if settings.web_end_session_endpoint is not None or settings.dev_mode:
        end_session = settings.web_end_session_endpoint  # the dev issuer keeps no session to end
    else:
        end_session = base + LOGOUT
    return {
        "client_id": settings.web_client_id,
        "authorization_endpoint": settings.web_authorization_endpoint or base + AUTHORIZE,
        "token_endpoint": settings.web_token_endpoint or base + TOKEN_ENDPOINT,
        "end_session_endpoint": end_session,
        "dev": settings.dev_mode,
    }


class _Pages(StaticFiles):
    async def get_response(self, path: str, scope: Scope):
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        token_origin = _origin(scope["app"].state.web_sign_in["token_endpoint"])
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; connect-src 'self'{token_origin}; img-src 'self' data:; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
        )
        # index.html changes with each release; the modules are small: revalidate instead of guessing.
        response.headers["Cache-Control"] = "no-cache"
        return response


def _origin(url: str) -> str:
    """' scheme://host' of an absolute URL (for the CSP), '' for a path on this origin."""
    parts = urlsplit(url)
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def install_web_pages(app: FastAPI, settings: GatewaySettings) -> None:
    """/app/ (the pages), /app/config.json, and / sending a browser to the pages. Before the proxy's
    catch-all route, which would otherwise take these paths."""
    app.state.web_sign_in = sign_in_config(settings)

    @app.get("/app/config.json", include_in_schema=False)
    async def web_config() -> JSONResponse:
        return JSONResponse(app.state.web_sign_in, headers={"Cache-Control": "no-cache"})

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> Response:
        # A browser is sent to the pages; an API client gets the proxy's answer (404 problem+json).
        if "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("/app/", status_code=307)
        return await request.app.state.proxy.handle(request)

    @app.get("/app", include_in_schema=False)
    async def app_without_slash() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=307)

    app.mount("/app", _Pages(directory=STATIC, html=True), name="web")
