"""Dev issuer, browser sign-in: the OAuth 2.0 authorization code grant with PKCE (RFC 6749 4.1,
RFC 7636 S256) for a public client, the web pages, as Keycloak serves it under a realm. Its
authorization endpoint is a form where a developer says who they are (name, tenant, role): the dev
issuer's stand-in for Keycloak's login page. The web pages run the same flow against Keycloak in
production, so what is tested here is what runs there.

Mounted only in dev mode, with the rest of the dev issuer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from bakat_common.auth import ROLES, DevIssuer
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

AUTHORIZE = "/protocol/openid-connect/auth"
CODE_TTL_S = 60  # RFC 6749 4.1.2: short-lived, one use
MAX_PENDING = 10_000
# Where the web pages live: a code is only ever sent back there (no open redirect, even in dev).
WEB_PATH = "/app/"
# Offered in the form's tenant field (any tenant may be typed): `make demo`'s tenants.
EXAMPLE_TENANTS = ("kota-batu", "kota-mojokerto", "kab-malang", "prov-jawa-timur")


class SignInError(Exception):
    """RFC 6749 5.2 error of the token exchange."""

    def __init__(self, error: str, description: str) -> None:
        self.error, self.description = error, description


@dataclass(frozen=True)
class Grant:
    subject: str
    tenant: str
    roles: tuple[str, ...]
    client_id: str
    redirect_uri: str
    challenge: str
    expires_at: float


class PendingCodes:
    """Authorization codes waiting for their exchange, in this process (the dev gateway is one)."""

    def __init__(self) -> None:
        self._codes: dict[str, Grant] = {}

    def issue(self, grant: Grant) -> str:
        now = time.monotonic()
        if len(self._codes) >= MAX_PENDING:
            self._codes = {c: g for c, g in self._codes.items() if g.expires_at > now}
            if len(self._codes) >= MAX_PENDING:
                self._codes.clear()
        code = secrets.token_urlsafe(32)
        self._codes[code] = grant
        return code

    def take(self, code: str) -> Grant | None:
        grant = self._codes.pop(code, None)  # one use: a second exchange of the same code fails
        return grant if grant is not None and grant.expires_at > time.monotonic() else None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def web_redirect_allowed(uri: str, origin: str) -> bool:
    """Only the pages of the gateway that serves this form: `{origin}/app/`, exactly."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}" == origin and parts.path == WEB_PATH and not parts.query


def exchange(codes: PendingCodes, issuer: DevIssuer, form: dict[str, str], ttl_s: int) -> str:
    """The access token for an authorization code, checked against its client, redirect URI and PKCE
    verifier (RFC 7636 4.6); raises SignInError."""
    for name in ("code", "redirect_uri", "client_id", "code_verifier"):
        if not form.get(name):
            raise SignInError("invalid_request", f"{name} is missing")
    grant = codes.take(form["code"])
    if grant is None:
        raise SignInError("invalid_grant", "the code is unknown, expired or already used")
    if form["client_id"] != grant.client_id or form["redirect_uri"] != grant.redirect_uri:
        raise SignInError("invalid_grant", "the code was issued to another client or redirect_uri")
    if not hmac.compare_digest(s256(form["code_verifier"]), grant.challenge):
        raise SignInError("invalid_grant", "code_verifier does not match the code_challenge")
    return issuer.mint(grant.subject, grant.tenant, list(grant.roles), ttl_seconds=ttl_s, azp=grant.client_id)


def dev_signin_router(prefix: str, codes: PendingCodes, web_client_id: str) -> APIRouter:
    router = APIRouter(prefix=prefix, include_in_schema=False)

    def check(params: dict[str, str], request: Request) -> str | None:
        """What is wrong with an authorization request, in words; None when it may go on."""
        origin = f"{request.url.scheme}://{request.url.netloc}"
        if params.get("client_id") != web_client_id:
            return f"unknown client_id (the web pages are {web_client_id!r})"
        if not web_redirect_allowed(params.get("redirect_uri", ""), origin):
            return f"redirect_uri must be this gateway's pages, {origin}{WEB_PATH}"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if (
            params.get("code_challenge_method") != "S256"
            or not 43 <= len(params.get("code_challenge", "")) <= 128
        ):
            return "a PKCE code_challenge with code_challenge_method S256 is required"
        return None

    @router.get(AUTHORIZE, response_class=HTMLResponse)
    async def sign_in_form(request: Request) -> HTMLResponse:
        params = dict(request.query_params)
        if (wrong := check(params, request)) is not None:
            return _bad_request(wrong)
        return HTMLResponse(_form(params))

    @router.post(AUTHORIZE)
    async def sign_in(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if (wrong := check(form, request)) is not None:
            return _bad_request(wrong)
        subject, tenant, role = (
            form.get("sub", "").strip(),
            form.get("tenant", "").strip(),
            form.get("role", ""),
        )
        if not subject or not tenant or role not in ROLES or len(subject) > 200 or len(tenant) > 100:
            return HTMLResponse(
                _form(form, "Isi nama, instansi dan peran / Fill in name, tenant and role"), status_code=422
            )
        grant = Grant(
            subject, tenant, (role,), form["client_id"], form["redirect_uri"], form["code_challenge"],
            time.monotonic() + CODE_TTL_S,
        )  # fmt: skip
        query = {"code": codes.issue(grant)}
        if form.get("state"):
            query["state"] = form["state"]
        back = urlsplit(form["redirect_uri"])._replace(query=urlencode(query), fragment="")
        return RedirectResponse(urlunsplit(back), status_code=303)

    return router


def _bad_request(wrong: str) -> HTMLResponse:
    # Never redirected: a bad redirect_uri is exactly where a code must not go.
    body = f"<p>{html.escape(wrong)}</p>"
    return HTMLResponse(_page("Permintaan masuk tidak sah / Bad sign-in request", body), status_code=400)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'><title>Bakat — masuk (dev)</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1f2933}"
        "label{display:block;margin:.8rem 0 .2rem;font-weight:600}input,select{width:100%;padding:.45rem;font-size:1rem}"
        "button{margin-top:1.2rem;padding:.55rem 1.2rem;font-size:1rem;background:#0b6e4f;color:#fff;border:0;border-radius:4px}"
        ".note{color:#52606d;font-size:.9rem}.error{color:#b42318}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _form(params: dict[str, str], error: str | None = None) -> str:
    hidden = "".join(
        f"<input type='hidden' name='{name}' value='{html.escape(params.get(name, ''), quote=True)}'>"
        for name in (
            "client_id",
            "redirect_uri",
            "response_type",
            "state",
            "code_challenge",
            "code_challenge_method",
        )
    )
    tenants = "".join(f"<option value='{t}'>" for t in EXAMPLE_TENANTS)
    roles = "".join(
        f"<option value='{r}'{' selected' if r == params.get('role', 'officer') else ''}>{r}</option>"
        for r in ROLES
    )
    sub = html.escape(params.get("sub", ""), quote=True)
    tenant = html.escape(params.get("tenant", "kota-batu"), quote=True)
    body = (
        "<p class='note'>Penerbit token pengembangan: siapa pun boleh masuk sebagai siapa pun. Di produksi halaman ini "
        "adalah halaman masuk Keycloak. / Dev issuer: anyone may sign in as anyone. In production this is Keycloak's "
        "sign-in page.</p>"
        + (f"<p class='error' role='alert'>{html.escape(error)}</p>" if error else "")
        + f"<form method='post'>{hidden}"
        f"<label for='sub'>Nama pengguna / User name</label><input id='sub' name='sub' required maxlength='200' value='{sub}'>"
        f"<label for='tenant'>Instansi / Tenant</label><input id='tenant' name='tenant' list='tenants' required "
        f"maxlength='100' value='{tenant}'><datalist id='tenants'>{tenants}</datalist>"
        f"<label for='role'>Peran / Role</label><select id='role' name='role'>{roles}</select>"
        "<button type='submit' id='sign-in'>Masuk / Sign in</button></form>"
    )
    return _page("Masuk ke Bakat (dev)", body)
