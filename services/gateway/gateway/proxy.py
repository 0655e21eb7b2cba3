"""Reverse proxy: forward a request to the service that owns its path, answer with what it said.

One shared `httpx.AsyncClient` (HTTP/1.1, pooled keep-alive connections, over aiohttp: see
`AiohttpTransport`) carries all traffic; bodies are small, so each exchange is buffered rather than
streamed. A service that cannot be reached answers as a
503 problem+json with Retry-After, quickly (connect timeout ~1 s, total cap ~10 s), never as a hang.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Protocol
from urllib.parse import quote_from_bytes

import aiohttp
import httpx
import yarl
from bakat_common.errors import problem_response
from bakat_common.logging import request_id_var
from bakat_common.metrics import LATENCY_BUCKETS
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.requests import Request
from starlette.responses import Response

from gateway.config import IDEMPOTENT_METHODS, GatewaySettings
from gateway.routing import resolve

log = logging.getLogger("bakat.gateway.proxy")

# RFC 9110 7.6.1: meaningful for one connection only, never forwarded (plus headers named in Connection).
HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"proxy-authenticate", b"proxy-authorization",
     b"te", b"trailer", b"transfer-encoding", b"upgrade"}
)
# host: httpx sets the service's; content-length: recomputed from the body; expect: the gateway
# already read the body; x-request-id / x-forwarded-for: replaced below with the propagated values.
_DROP_REQUEST = HOP_BY_HOP | {b"host", b"content-length", b"expect", b"x-request-id", b"x-forwarded-for"}
# date/server: uvicorn adds its own (would be duplicated); x-request-id: RequestIdMiddleware adds it.
_DROP_RESPONSE = HOP_BY_HOP | {b"content-length", b"date", b"server", b"x-request-id"}
# Failures that happen before the request reached the service: safe to retry for idempotent methods.
# RemoteProtocolError covers a pooled connection the service closed just as it was reused.
_RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
_NO_BODY_STATUS = frozenset({204, 304})
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]*")  # a request target, once percent-encoded


class UpstreamGuard(Protocol):
    """Seam for edge auth: called before forwarding; raise a bakat_common Problem to refuse.

    Today every service verifies the bearer token itself, so the default guard lets everything
    through. A gateway-side check (e.g. `TokenVerifier` + tenant in path) plugs in here.
    """

    async def __call__(self, request: Request, service: str) -> None: ...


async def allow_all(request: Request, service: str) -> None:
    return None


@dataclass(frozen=True)
class UpstreamMetrics:
    requests: Counter
    seconds: Histogram

    @classmethod
    def register(cls, registry: CollectorRegistry) -> UpstreamMetrics:
        return cls(
            requests=Counter(
                "bakat_gateway_upstream_requests_total",
                "Requests forwarded to a service, by upstream status (or unreachable/timeout/bad_response)",
                ["service", "status"],
                registry=registry,
            ),
            seconds=Histogram(
                "bakat_gateway_upstream_request_duration_seconds",
                "Time from forwarding to the service's full answer (retries included)",
                ["service"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
        )


class _NoCookies(DefaultCookiePolicy):
    """The client is shared by every caller: a cookie one service sets must never ride along for another."""

    def set_ok(self, cookie, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def return_ok(self, cookie, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@dataclass(frozen=True, slots=True)
class Upstream:
    """One request as the gateway forwards it: the URL already routed and percent-encoded."""

    method: str
    url: str
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]  # as the service sent them (names lower-cased)
    body: bytes  # as sent: not decompressed


async def exchange_via_httpx(
    transport: httpx.AsyncBaseTransport, upstream: Upstream, timeout: httpx.Timeout
) -> Answer:
    """Any httpx transport (tests script one with httpx.MockTransport)."""
    request = httpx.Request(
        upstream.method,
        upstream.url,
        headers=upstream.headers,
        content=upstream.body,
        extensions={"timeout": timeout.as_dict()},
    )
    response = await transport.handle_async_request(request)
    try:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()
    return Answer(response.status_code, [(n.lower(), v) for n, v in response.headers.raw], body)


def new_transport(settings: GatewaySettings) -> httpx.AsyncBaseTransport:
    """The pooled keep-alive connections to the services."""
    return AiohttpTransport(settings)


# aiohttp's errors as httpx's, most specific first: the proxy's retry and 503/502 rules are written
# in httpx's terms (a refused connection, a pooled connection the service closed, a timeout).
_AIOHTTP_ERRORS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientPayloadError, httpx.ReadError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # e.g. a malformed status line
    (aiohttp.ClientError, httpx.ReadError),
)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx's request/response interface over aiohttp's connection pool and C HTTP parser.

    httpcore (httpx's own transport) cost ~0.9 ms of CPU per request on these machines, more than all
    the rest of the gateway; aiohttp does the same exchange in ~0.2 ms (bench/gateway_mixed.py,
    docs/BENCHMARKS.md). Set up as a transparent proxy's client: the path goes out exactly as built
    (no re-quoting), nothing is added to the caller's headers (no User-Agent, Accept, Accept-Encoding
    or default Content-Type), no cookies are kept, bodies are neither compressed nor decompressed,
    and redirects are the caller's. The answer is read whole (the proxy buffers it anyway).
    """

    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop (aiohttp binds to it).
        settings = self._settings
        connector = aiohttp.TCPConnector(
            limit=settings.max_connections,
            limit_per_host=0,
            keepalive_timeout=settings.keepalive_expiry_s,
            use_dns_cache=True,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            auto_decompress=False,
            trust_env=False,  # HTTP(S)_PROXY in the environment must not capture service traffic
            timeout=aiohttp.ClientTimeout(total=None),
        )

    async def exchange(self, upstream: Upstream, timeout: httpx.Timeout) -> Answer:
        """The proxy's path: no httpx.Request/Response built (they cost as much as the exchange)."""
        if self._session is None:
            self._session = self._open()
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in upstream.headers if n != b"host"]
        try:
            async with self._session.request(
                upstream.method,
                yarl.URL(upstream.url, encoded=True),
                headers=headers,
                data=upstream.body or None,
                allow_redirects=False,
                compress=None,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeout.connect, sock_read=timeout.read),
            ) as answer:
                body = await answer.read()
                return Answer(answer.status, [(n.lower(), v) for n, v in answer.raw_headers], body)
        except aiohttp.ClientError as exc:
            for aiohttp_error, httpx_error in _AIOHTTP_ERRORS:
                if isinstance(exc, aiohttp_error):
                    raise httpx_error(str(exc) or exc.__class__.__name__) from exc
            raise

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """For httpx.AsyncClient (the OpenAPI aggregator's fetches)."""
        timeout = httpx.Timeout(**request.extensions.get("timeout", {"timeout": None}))
        upstream = Upstream(request.method, str(request.url), list(request.headers.raw), await request.aread())
        try:
            answer = await self.exchange(upstream, timeout)
        except httpx.TransportError as exc:
            exc.request = request
            raise
        return httpx.Response(
            answer.status, headers=answer.headers, stream=httpx.ByteStream(answer.body), request=request
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def new_http_client(settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        transport=transport or new_transport(settings),
        timeout=httpx.Timeout(settings.request_timeout_s, connect=settings.connect_timeout_s),
        follow_redirects=False,  # a redirect is the caller's to follow
        trust_env=False,  # HTTP(S)_PROXY in the environment must not capture service traffic
        cookies=CookieJar(policy=_NoCookies()),
    )
    # httpx adds these to every request; a transparent proxy forwards only what the caller sent
    # (an added Accept-Encoding would let a service gzip an answer the caller cannot read).
    for name in ("accept", "accept-encoding", "user-agent"):
        client.headers.pop(name, None)
    return client


def _connection_tokens(headers: list[tuple[bytes, bytes]]) -> set[bytes]:
    """Headers the sender marked hop-by-hop by listing them in Connection."""
    tokens: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            tokens.update(t.strip().lower() for t in value.split(b",") if t.strip())
    return tokens


def _forwarded_for(request: Request) -> str | None:
    """The caller's X-Forwarded-For with the caller's address appended.

    When the peer is a trusted proxy (uvicorn --forwarded-allow-ips, default 127.0.0.1), uvicorn has
    already replaced the client address with one taken from X-Forwarded-For: not appended twice then.
    """
    prior = ", ".join(request.headers.getlist("x-forwarded-for")) or None
    client_ip = request.client.host if request.client else None
    if not client_ip:
        return prior
    if prior is None:
        return client_ip
    if client_ip in (hop.strip() for hop in prior.split(",")):
        return prior
    return f"{prior}, {client_ip}"


def forward_request_headers(request: Request) -> list[tuple[bytes, bytes]]:
    raw = request.scope["headers"]
    drop = _DROP_REQUEST | _connection_tokens(raw)
    headers = [(name, value) for name, value in raw if name not in drop]
    request_id = request_id_var.get() or request.headers.get("x-request-id") or uuid.uuid4().hex
    headers.append((b"x-request-id", request_id.encode("latin-1")))
    if forwarded := _forwarded_for(request):
        headers.append((b"x-forwarded-for", forwarded.encode("latin-1")))
    # Kept when an ingress in front already set them: they describe the original request.
    if b"x-forwarded-proto" not in (n for n, _ in raw):
        headers.append((b"x-forwarded-proto", request.url.scheme.encode("latin-1")))
    if b"x-forwarded-host" not in (n for n, _ in raw) and (host := request.headers.get("host")):
        headers.append((b"x-forwarded-host", host.encode("latin-1")))
    return headers


def response_headers(answer: Answer, method: str) -> list[tuple[bytes, bytes]]:
    raw = answer.headers
    drop = _DROP_RESPONSE | _connection_tokens(raw)
    headers = [(name, value) for name, value in raw if name not in drop]
    status, body = answer.status, answer.body
    if method == "HEAD":
        # A HEAD answer has no body but announces the GET body's length: pass it on unchanged.
        headers.extend((n, v) for n, v in raw if n == b"content-length")
    elif status >= 200 and status not in _NO_BODY_STATUS:
        headers.append((b"content-length", str(len(body)).encode("latin-1")))
    return headers


def _ascii(raw: bytes) -> str:
    """The path/query as sent; stray non-ASCII bytes %-encoded byte for byte (httpx would re-encode text)."""
    return raw.decode("ascii") if raw.isascii() else quote_from_bytes(raw, safe="/%:@!$&'()*+,;=?-._~")


def _has_dot_segment(path: str) -> bool:
    # httpx normalises "/a/../b" to "/b": routing must not be decided on one path and served on another.
    return any(segment in (".", "..") for segment in path.split("/"))


class Proxy:
    def __init__(
        self,
        settings: GatewaySettings,
        metrics: UpstreamMetrics,
        guard: UpstreamGuard = allow_all,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.settings = settings
        self.urls = settings.service_urls()
        self.metrics = metrics
        self.guard = guard
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._timeout = httpx.Timeout(settings.request_timeout_s, connect=settings.connect_timeout_s)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the proxy's HTTP client is not started (lifespan not run)")
        return self._client

    @property
    def started(self) -> bool:
        return self._client is not None

    async def start(self) -> None:
        if self._transport is None:
            self._transport = new_transport(self.settings)
        self._client = new_http_client(self.settings, self._transport)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def handle(self, request: Request) -> Response:
        path: str = request.scope["path"]
        service = None if _has_dot_segment(path) else resolve(path)
        if service is None:
            return problem_response(404, "Not found", f"no Bakat service serves {path}", instance=path)
        await self.guard(request, service)
        body = await self._read_body(request)
        if body is None:
            limit_mb = self.settings.max_body_bytes // (1024 * 1024)
            return problem_response(
                413, "Payload too large", f"request bodies are limited to {limit_mb} MB", instance=path
            )
        raw_path = request.scope.get("raw_path") or path.encode("utf-8")
        query = request.scope.get("query_string") or b""
        target = _ascii(raw_path) + (("?" + _ascii(query)) if query else "")
        if not _PRINTABLE_ASCII.fullmatch(target):  # e.g. a control character: refuse rather than guess
            return problem_response(400, "Bad request", "the request target cannot be forwarded", instance=path)
        upstream = Upstream(request.method, self.urls[service] + target, forward_request_headers(request), body)
        return await self._exchange(upstream, service, path)

    async def _read_body(self, request: Request) -> bytes | None:
        """The body, or None as soon as it exceeds the limit (it is buffered: never hold a huge one)."""
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _exchange(self, upstream: Upstream, service: str, path: str) -> Response:
        method = upstream.method
        attempts = 1 + (self.settings.retries if method in IDEMPOTENT_METHODS else 0)
        started = time.perf_counter()
        status_label = "error"  # only if something unforeseen escapes
        try:
            # asyncio.timeout caps the whole exchange (retries included); httpx's timeouts are per phase.
            async with asyncio.timeout(self.settings.request_timeout_s):
                answer = await self._send(upstream, attempts, service)
            status_label = str(answer.status)
            result = Response(content=answer.body, status_code=answer.status)
            result.raw_headers = response_headers(answer, method)
            return result
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            status_label = "unreachable"
            return self._unavailable(service, path, f"the {service} service is not reachable", exc)
        except (TimeoutError, httpx.TimeoutException) as exc:
            status_label = "timeout"
            detail = f"the {service} service did not answer within {self.settings.request_timeout_s:g} s"
            return self._unavailable(service, path, detail, exc)
        except httpx.TransportError as exc:
            status_label = "bad_response"
            log.warning("bad answer from %s: %r", service, exc, extra={"upstream_service": service})
            return problem_response(
                502, "Bad gateway", f"the {service} service sent no valid answer", instance=path
            )
        finally:
            self.metrics.requests.labels(service, status_label).inc()
            self.metrics.seconds.labels(service).observe(time.perf_counter() - started)

    async def _send(self, upstream: Upstream, attempts: int, service: str) -> Answer:
        transport = self._transport
        assert transport is not None
        # Straight to the pooled transport: the client's cookie, auth and redirect handling is not
        # wanted in a transparent proxy, and building httpx's request and response objects cost as
        # much CPU as the exchange itself.
        exchange = getattr(transport, "exchange", None)
        for attempt in range(attempts):
            try:
                if exchange is not None:
                    return await exchange(upstream, self._timeout)
                return await exchange_via_httpx(transport, upstream, self._timeout)
            except _RETRYABLE:
                if attempt + 1 >= attempts:
                    raise
                log.info("retrying %s %s (attempt %d)", upstream.method, service, attempt + 2)
                await asyncio.sleep(self.settings.retry_backoff_s * (2**attempt))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _unavailable(self, service: str, path: str, detail: str, exc: Exception) -> Response:
        log.warning("%s: %s", detail, exc.__class__.__name__, extra={"upstream_service": service})
        return problem_response(
            503,
            "Service unavailable",
            detail,
            instance=path,
            headers={"Retry-After": str(self.settings.retry_after_s)},
        )
