"""The gateway process: routes every /tenants/... call to its service, serves the aggregated OpenAPI
document and, in dev mode, the dev token issuer.

Run: `uvicorn gateway.main:app_from_env --factory`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bakat_common.app import WITHOUT_OPENTELEMETRY, RequestIdMiddleware
from bakat_common.auth import DevIssuer, TokenVerifier
from bakat_common.errors import install_problem_handlers
from bakat_common.logging import configure_logging
from bakat_common.metrics import HttpMetricsMiddleware, Metrics
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import Route

from gateway.config import GatewaySettings
from gateway.dev_auth import PREFIX as DEV_AUTH_PREFIX
from gateway.dev_auth import build_dev_issuer, dev_auth_router
from gateway.dev_signin import PendingCodes, dev_signin_router
from gateway.openapi import OpenApiAggregator, openapi_router
from gateway.proxy import Proxy, UpstreamGuard, UpstreamMetrics, allow_all
from gateway.ratelimit import ClientIdentifier, RateLimit, RateLimitMetrics, RateLimitMiddleware, TokenBuckets
from gateway.web import install_web_pages

SERVICE_NAME = "gateway"
PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(settings: GatewaySettings, *, guard: UpstreamGuard = allow_all) -> FastAPI:
    """`guard` is the seam for token checks at the edge (default: none, the services check)."""
    configure_logging(SERVICE_NAME, settings.log_level, settings.log_json)
    metrics = Metrics(SERVICE_NAME)
    proxy = Proxy(settings, UpstreamMetrics.register(metrics.registry), guard)
    dev_issuer = build_dev_issuer(settings) if settings.dev_mode else None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await proxy.start()
        try:
            yield
        finally:
            await proxy.close()

    app = FastAPI(
        title="Bakat gateway",
        version="0.1.0",
        lifespan=lifespan,
        telemetry=WITHOUT_OPENTELEMETRY,
        # Served by openapi_router instead: the aggregated document of every service.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.proxy = proxy
    install_problem_handlers(app)
    # Added innermost first: RequestId (outermost) -> metrics -> CORS -> rate limit -> routes.
    # CORS outside the limit: preflights (no Authorization, one per URL) would otherwise drain an
    # office's shared address bucket, and a 429 still carries the CORS headers a browser needs to read it.
    buckets = TokenBuckets(settings.rate_limit_max_clients)
    # Registered with rate limiting off too (dev mode): dashboards and alerts find the same metrics.
    rate_limit_metrics = RateLimitMetrics.register(metrics.registry, buckets)
    if settings.rate_limiting:
        app.add_middleware(
            RateLimitMiddleware,
            identify=ClientIdentifier(
                token_verifier(settings, dev_issuer), ttl_s=settings.rate_limit_token_cache_s
            ),
            buckets=buckets,
            subject_limit=RateLimit(settings.rate_limit_per_s, settings.rate_limit_burst),
            address_limit=RateLimit(settings.rate_limit_anonymous_per_s, settings.rate_limit_anonymous_burst),
            metrics=rate_limit_metrics,
        )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Retry-After", "Location", "ETag"],
        )
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)
    app.mount("/metrics", metrics.asgi_app())

    @app.get("/metrics", include_in_schema=False)
    async def metrics_exact() -> Response:
        # The mount answers /metrics/ only; the catch-all route would otherwise take /metrics.
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        # Ready = this process can forward. A backend being down is that backend's readiness problem;
        # failing here would take the whole API (and every other service) out of the load balancer.
        ready = request.app.state.proxy.started
        return JSONResponse({"status": "ready" if ready else "not ready"}, status_code=200 if ready else 503)

    app.include_router(openapi_router(OpenApiAggregator(settings, lambda: proxy.client, app.openapi)))
    if dev_issuer is not None:
        codes = PendingCodes()  # the web pages' sign-in (authorization code + PKCE)
        app.include_router(
            dev_auth_router(
                dev_issuer, settings.dev_clients, settings.dev_client_token_ttl_s, codes, settings.dev_web_token_ttl_s
            )
        )
        app.include_router(dev_signin_router(DEV_AUTH_PREFIX, codes, settings.web_client_id))
    install_web_pages(app, settings)

    # Last: everything not matched above goes to a service (or 404s). A plain Starlette route skips
    # FastAPI's parameter machinery (lower overhead). TRACE/CONNECT are not forwarded (405).
    app.router.routes.append(
        Route("/{path:path}", proxy.handle, methods=PROXIED_METHODS, include_in_schema=False)
    )
    return app


def token_verifier(settings: GatewaySettings, dev_issuer: DevIssuer | None) -> TokenVerifier:
    """How the gateway recognises a token's user (for rate limits only: each service verifies for access)."""
    auth = settings.auth
    own_jwks = auth.jwks_url is None or auth.jwks_url.rstrip("/").endswith(DEV_AUTH_PREFIX + "/jwks.json")
    if dev_issuer is not None and not auth.public_key_pem and own_jwks:
        # The tokens are this process's own: verify with its key rather than fetch our own JWKS over HTTP.
        auth = auth.model_copy(update={"public_key_pem": dev_issuer.public_key_pem(), "jwks_url": None})
    return TokenVerifier(auth)


def app_from_env() -> FastAPI:
    return create_app(GatewaySettings())
