"""Forwarding through real sockets: gateway (uvicorn) -> fake services (uvicorn)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from bakat_common.metrics import Metrics
from gateway.config import GatewaySettings
from gateway.proxy import Proxy, Upstream, UpstreamMetrics, _ascii, _forwarded_for
from starlette.requests import Request


def headers_of(echo: dict[str, Any]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for name, value in echo["headers"]:
        seen.setdefault(name, []).append(value)
    return seen


async def test_forwards_method_path_query_body_and_headers(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.post(
            "/tenants/kota-batu/units/u%201/members?a=1&a=2&q=a%20b",
            json={"name": "Bagian Umum"},
            headers={"Authorization": "Bearer abc.def.ghi", "X-Custom": "kept"},
        )
    assert r.status_code == 200
    echo = r.json()
    assert echo["service"] == "roster"
    assert echo["method"] == "POST"
    assert echo["raw_path"] == "/tenants/kota-batu/units/u%201/members"  # encoding kept as sent
    assert echo["query"] == "a=1&a=2&q=a%20b"
    assert json.loads(echo["body"]) == {"name": "Bagian Umum"}
    h = headers_of(echo)
    assert h["authorization"] == ["Bearer abc.def.ghi"]
    assert h["x-custom"] == ["kept"]
    assert h["content-type"] == ["application/json"]
    assert h["host"] == [stack.roster_url.removeprefix("http://")]  # the service's, not the gateway's
    assert h["x-forwarded-host"] == [stack.url.removeprefix("http://")]
    assert h["x-forwarded-proto"] == ["http"]
    assert r.headers["x-upstream"] == "roster"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_every_method_reaches_the_right_service(stack, method: str) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.request(method, "/tenants/t1/placements/p1", content=b"raw-bytes")
    echo = r.json()
    assert (echo["service"], echo["method"], echo["body"]) == ("placement", method, "raw-bytes")


async def test_nested_rule_routes_employee_placement_to_placement(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.get("/tenants/t1/employees/198001012005011001/placement")
    assert r.status_code == 200
    assert r.json() == {"nip": "198001012005011001", "box": 9}


async def test_request_id_is_propagated(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        given = await client.get("/tenants/t1/units", headers={"X-Request-ID": "req-123"})
        fresh = await client.get("/tenants/t1/units")
    assert headers_of(given.json())["x-request-id"] == ["req-123"]
    assert given.headers.get_list("x-request-id") == ["req-123"]  # once, not once per hop
    generated = fresh.headers["x-request-id"]
    assert generated and headers_of(fresh.json())["x-request-id"] == [generated]


async def test_forwarded_for_names_the_caller(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        direct = await client.get("/tenants/t1/units")
        # From 127.0.0.1 (a proxy uvicorn trusts by default): uvicorn already took the client from it.
        proxied = await client.get("/tenants/t1/units", headers={"X-Forwarded-For": "10.1.2.3"})
    assert headers_of(direct.json())["x-forwarded-for"] == ["127.0.0.1"]
    assert headers_of(proxied.json())["x-forwarded-for"] == ["10.1.2.3"]


@pytest.mark.parametrize(
    ("prior", "client", "expected"),
    [
        (None, "10.0.0.9", "10.0.0.9"),
        ("203.0.113.7", "10.0.0.9", "203.0.113.7, 10.0.0.9"),  # an untrusted peer: appended
        ("203.0.113.7, 10.0.0.1", "203.0.113.7", "203.0.113.7, 10.0.0.1"),  # uvicorn resolved it
    ],
)
def test_forwarded_for_rules(prior: str | None, client: str, expected: str) -> None:
    headers = [(b"x-forwarded-for", prior.encode())] if prior else []
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (client, 1)})
    assert _forwarded_for(request) == expected


async def test_hop_by_hop_headers_are_dropped(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.get(
            "/tenants/t1/units",
            headers={"Connection": "keep-alive, X-Hop", "X-Hop": "secret", "TE": "trailers", "Keep-Alive": "5"},
        )
    h = headers_of(r.json())
    for name in ("x-hop", "te", "keep-alive", "proxy-authorization"):
        assert name not in h
    assert h.get("connection", ["keep-alive"]) == ["keep-alive"]  # the gateway's own hop only
    # nothing duplicated on the way back (uvicorn adds date/server once)
    assert len(r.headers.get_list("date")) == 1
    assert len(r.headers.get_list("server")) <= 1
    assert r.headers.get("transfer-encoding") is None


async def test_upstream_status_and_headers_are_returned(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.post("/tenants/t1/units?status=201", json={})
        missing = await client.get("/tenants/t1/units/zzz?status=404")
    assert r.status_code == 201
    assert r.headers["location"] == "/tenants/t1/units/new-id"
    assert r.headers["x-upstream"] == "roster"
    assert int(r.headers["content-length"]) == len(r.content)
    assert missing.status_code == 404 and missing.json()["service"] == "roster"


async def test_compressed_bodies_pass_through_untouched(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.get("/tenants/t1/units?gzip=1")
    assert r.headers["content-encoding"] == "gzip"
    assert r.json()["service"] == "roster"  # httpx decoded it: header and bytes agree


async def test_head_keeps_the_announced_length(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        head = await client.head("/tenants/t1/units/u1")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0


async def test_cookies_do_not_leak_between_callers(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as alice:
        set_ = await alice.get("/tenants/t1/units?cookie=alice")
    assert "secret-of-alice" in set_.headers["set-cookie"]
    async with httpx.AsyncClient(base_url=stack.url) as bob:
        r = await bob.get("/tenants/t1/units")
    assert "cookie" not in headers_of(r.json())


async def test_unknown_path_is_404_problem(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        for path in ("/", "/nope", "/tenants/t1/unknown"):
            r = await client.get(path)
            assert r.status_code == 404, path
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["status"] == 404 and path in r.json()["detail"]


async def test_dot_segments_are_refused(stack) -> None:
    """'/tenants/t/employees/../../x' must not route as roster and then be served as '/x'."""
    host, port = stack.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /tenants/t1/employees/../../internal/debug HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 404")


def test_path_bytes_are_kept_byte_for_byte() -> None:
    # uvicorn (httptools) already answers 400 to raw non-ASCII request targets; this guards other servers.
    assert _ascii(b"/a%20b/c?x=1") == "/a%20b/c?x=1"
    assert _ascii("/caf\u00e9".encode()) == "/caf%C3%A9"
    assert _ascii(b"/x\xe9") == "/x%E9"  # not re-encoded as UTF-8 of a latin-1 character


async def test_closed_port_answers_503_quickly(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        for method in ("GET", "POST"):
            started = time.perf_counter()
            r = await client.request(method, "/tenants/t1/assessments")
            elapsed = time.perf_counter() - started
            assert elapsed < 3, elapsed
            assert r.status_code == 503
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["retry-after"] == str(stack.settings.retry_after_s)
            assert r.json()["detail"] == "the assessment service is not reachable"


async def test_slow_service_answers_503_after_the_timeout(stack) -> None:
    assert stack.settings.request_timeout_s == 1.0
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        started = time.perf_counter()
        r = await client.get("/tenants/t1/units?sleep=3")
        elapsed = time.perf_counter() - started
    assert r.status_code == 503 and elapsed < 2.5, elapsed
    assert "did not answer within 1 s" in r.json()["detail"]
    assert "retry-after" in r.headers


async def test_upstream_metrics(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url, follow_redirects=True) as client:
        await client.get("/tenants/t1/units")
        await client.get("/tenants/t1/schedules")
        text = (await client.get("/metrics")).text
    assert 'bakat_gateway_upstream_requests_total{service="roster",status="200"}' in text
    assert 'bakat_gateway_upstream_requests_total{service="scheduling",status="unreachable"}' in text
    assert 'bakat_gateway_upstream_request_duration_seconds_bucket{le="0.1",service="roster"}' in text
    assert "bakat_http_requests_total" in text


async def test_proxy_latency_is_low(stack) -> None:
    """Overhead smoke check on loopback (~2 ms here; catches e.g. a 40 ms Nagle stall per exchange)."""
    async with httpx.AsyncClient(base_url=stack.url) as client:
        await client.get("/tenants/t1/units")  # warm the pools
        samples = []
        for _ in range(200):
            started = time.perf_counter()
            r = await client.get("/tenants/t1/units")
            samples.append(time.perf_counter() - started)
            assert r.status_code == 200
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]
    assert p99 < 0.03, f"p50={samples[len(samples) // 2] * 1000:.1f} ms p99={p99 * 1000:.1f} ms"


# ---- retry policy, with a scripted transport (the failure sequence is what matters here) ---------


class OneChunk(httpx.AsyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self):  # type: ignore[override]
        yield self.data


def scripted_proxy(failures: int) -> tuple[Proxy, list[str]]:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) <= failures:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, stream=OneChunk(b'{"ok": true}'))  # unread, like a real transport's

    settings = GatewaySettings(retries=2, retry_backoff_s=0, _env_file=None)  # type: ignore[call-arg]
    proxy = Proxy(
        settings, UpstreamMetrics.register(Metrics("gateway-test").registry), transport=httpx.MockTransport(handler)
    )
    return proxy, calls


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_idempotent_methods_are_retried_on_connect_errors(method: str) -> None:
    proxy, calls = scripted_proxy(failures=2)
    response = await proxy._exchange(Upstream(method, "http://roster/x", [], b""), "roster", "/x")
    assert response.status_code == 200 and len(calls) == 3


async def test_retries_are_bounded() -> None:
    proxy, calls = scripted_proxy(failures=10)
    response = await proxy._exchange(Upstream("GET", "http://roster/x", [], b""), "roster", "/x")
    assert response.status_code == 503 and len(calls) == 3  # 1 + retries


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_non_idempotent_methods_are_not_retried(method: str) -> None:
    proxy, calls = scripted_proxy(failures=1)
    response = await proxy._exchange(Upstream(method, "http://roster/x", [], b""), "roster", "/x")
    assert response.status_code == 503 and calls == [method]


async def test_an_oversized_body_is_refused_with_413_before_it_is_buffered() -> None:
    from starlette.requests import Request

    settings = GatewaySettings(max_body_bytes=1024, _env_file=None)  # type: ignore[call-arg]
    proxy = Proxy(settings, UpstreamMetrics.register(Metrics("gateway-test").registry))
    chunks = [b"x" * 600, b"x" * 600, b"never read"]
    read = []

    async def receive():
        chunk = chunks.pop(0)
        read.append(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    scope = {"type": "http", "method": "POST", "path": "/tenants/k/imports", "headers": [], "query_string": b""}
    assert await proxy._read_body(Request(scope, receive)) is None
    assert len(read) == 2  # stopped as soon as the limit was passed
    declared = {**scope, "headers": [(b"content-length", b"5000")]}
    assert await proxy._read_body(Request(declared, receive)) is None


# ---- the aiohttp transport against services that misbehave at the socket level -------------------


class RawService:
    """A TCP server that answers each request with the bytes `reply(n)` gives (n: requests so far on
    all connections), then keeps or closes the connection as told."""

    def __init__(self, reply, close_after: bool) -> None:
        self.reply, self.close_after, self.requests = reply, close_after, 0
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        await reader.readexactly(int(line.split(b":")[1]))
                self.requests += 1
                writer.write(self.reply(self.requests))
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()


OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


async def real_proxy(url: str) -> Proxy:
    settings = GatewaySettings(roster_url=url, retries=1, retry_backoff_s=0, request_timeout_s=2, _env_file=None)  # type: ignore[call-arg]
    proxy = Proxy(settings, UpstreamMetrics.register(Metrics("gateway-test").registry))
    await proxy.start()
    return proxy


async def test_a_service_that_sends_no_http_is_a_502_and_is_not_resent() -> None:
    service = RawService(lambda n: b"NOT HTTP AT ALL\r\n\r\n", close_after=True)
    async with service as url:
        proxy = await real_proxy(url)
        try:
            r = await proxy._exchange(Upstream("POST", f"{url}/tenants/t/employees", [], b"{}"), "roster", "/x")
        finally:
            await proxy.close()
    assert r.status_code == 502 and json.loads(r.body)["detail"] == "the roster service sent no valid answer"
    assert service.requests == 1


async def test_a_pooled_connection_the_service_closed_is_not_an_error_for_a_get() -> None:
    # The service answers without saying so and closes: the next request finds the pooled connection
    # dead (the keep-alive race). A GET is re-sent on a fresh connection; a POST is never re-sent.
    service = RawService(lambda n: OK, close_after=True)
    async with service as url:
        proxy = await real_proxy(url)
        try:
            for _ in range(3):
                r = await proxy._exchange(Upstream("GET", f"{url}/tenants/t/units", [], b""), "roster", "/x")
                assert r.status_code == 200 and r.body == b"{}"
            post = await proxy._exchange(Upstream("POST", f"{url}/tenants/t/units", [], b"{}"), "roster", "/x")
        finally:
            await proxy.close()
    # 200 when the dead connection was noticed before reuse; else 502 and the POST never arrived
    assert (post.status_code, service.requests) in ((200, 4), (502, 3))


async def test_a_request_target_with_a_control_character_is_refused() -> None:
    # uvicorn refuses raw control characters itself; this guards the proxy behind any other server.
    proxy = await real_proxy("http://127.0.0.1:1")
    scope = {"type": "http", "method": "GET", "path": "/tenants/t/units", "raw_path": b"/tenants/t/units",
             "query_string": b"q=a\x01b", "headers": [], "client": ("127.0.0.1", 1), "scheme": "http"}  # fmt: skip

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    try:
        r = await proxy.handle(Request(scope, receive))
    finally:
        await proxy.close()
    assert r.status_code == 400 and json.loads(r.body)["detail"] == "the request target cannot be forwarded"
