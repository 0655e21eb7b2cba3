"""Per-client rate limits: the bucket arithmetic with a fake clock, then the live gateway (uvicorn)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bakat_common.auth import DevIssuer, Principal
from bakat_common.errors import ServiceUnavailable, Unauthorized
from cryptography.hazmat.primitives.asymmetric import rsa
from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.ratelimit import ADDRESS, SUBJECT, ClientIdentifier, RateLimit, TokenBuckets, client_address

from .conftest import gateway_settings, serve


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---- token buckets ---------------------------------------------------------------------------------


def test_burst_then_refusal_with_the_time_until_the_next_token() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(100, clock)
    limit = RateLimit(per_s=2.0, burst=3)
    assert [buckets.take("a", limit) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", limit) == pytest.approx(0.5)  # one token every 1/2 s
    clock.now += 0.2
    assert buckets.take("a", limit) == pytest.approx(0.3)  # refused requests do not cost a token


def test_the_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(100, clock)
    limit = RateLimit(per_s=2.0, burst=3)
    for _ in range(3):
        buckets.take("a", limit)
    clock.now += 1.0  # two tokens back
    assert [buckets.take("a", limit) for _ in range(3)] == [0.0, 0.0, pytest.approx(0.5)]
    clock.now += 3600  # a long pause refills to the burst, not beyond
    assert [buckets.take("a", limit) == 0.0 for _ in range(4)] == [True, True, True, False]


def test_clients_do_not_share_a_bucket() -> None:
    buckets = TokenBuckets(100, FakeClock())
    limit = RateLimit(per_s=1.0, burst=1)
    assert buckets.take((SUBJECT, "kota-batu", "ana"), limit) == 0.0
    assert buckets.take((SUBJECT, "kota-batu", "ana"), limit) > 0
    assert buckets.take((SUBJECT, "kota-batu", "budi"), limit) == 0.0
    assert buckets.take((SUBJECT, "kab-malang", "ana"), limit) == 0.0  # same subject, other tenant
    assert buckets.take((ADDRESS, "10.0.0.7"), limit) == 0.0


def test_idle_full_buckets_are_dropped_and_the_count_is_capped() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(1000, clock)
    limit = RateLimit(per_s=10.0, burst=20)  # full again 2 s after emptying
    for i in range(500):
        buckets.take(i, limit)
    assert len(buckets) == 500
    clock.now += 2.0
    buckets.take("new", limit)
    assert len(buckets) == 1  # every old bucket was full by now: dropping them loses nothing

    capped = TokenBuckets(100, clock)
    for i in range(10_000):
        capped.take(i, limit)
    assert len(capped) == 100
    # the most recent clients are the ones kept (their state still matters)
    assert capped.take(9_999, limit) == 0.0 and len(capped) == 100


def test_a_recent_but_not_full_bucket_survives_expiry() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(1000, clock)
    limit = RateLimit(per_s=1.0, burst=2)
    buckets.take("old", limit)
    clock.now += 1.0
    buckets.take("busy", limit)
    buckets.take("busy", limit)
    clock.now += 1.5  # "old" is full again, "busy" is not
    buckets.take("new", limit)
    assert len(buckets) == 2
    assert buckets.take("busy", limit) == 0.0  # 1.5 tokens back
    assert buckets.take("busy", limit) > 0  # the state was kept, not reset to a full bucket


def test_ipv6_clients_are_keyed_by_their_64() -> None:
    assert client_address({"client": ("2001:db8:1:2::a", 5)}) == "2001:db8:1:2::/64"
    assert client_address({"client": ("2001:db8:1:2:ffff::1", 5)}) == "2001:db8:1:2::/64"
    assert client_address({"client": ("10.1.2.3", 5)}) == "10.1.2.3"
    assert client_address({"client": None}) == "unknown"


# ---- who is a client -------------------------------------------------------------------------------


class CountingVerifier:
    def __init__(self, answers: dict[str, Principal | Exception]) -> None:
        self.answers = answers
        self.calls = 0

    async def verify(self, token: str) -> Principal:
        self.calls += 1
        answer = self.answers[token]
        if isinstance(answer, Exception):
            raise answer
        return answer


def scope_with(authorization: str | None, client: str = "10.0.0.9") -> dict:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    return {"type": "http", "path": "/tenants/t/employees", "headers": headers, "client": (client, 4000)}


async def test_a_verified_token_is_its_tenant_and_subject_and_is_verified_once_per_ttl() -> None:
    clock = FakeClock()
    verifier = CountingVerifier({"good": Principal("ana", "kota-batu", frozenset({"officer"}))})
    identify = ClientIdentifier(verifier, ttl_s=60, clock=clock)  # type: ignore[arg-type]
    for _ in range(5):
        assert await identify.key_for(scope_with("Bearer good")) == (SUBJECT, "kota-batu", "ana")
    assert verifier.calls == 1
    clock.now += 61
    assert await identify.key_for(scope_with("bearer good")) == (SUBJECT, "kota-batu", "ana")
    assert verifier.calls == 2


async def test_no_token_or_a_bad_one_is_the_address() -> None:
    verifier = CountingVerifier(
        {"forged": Unauthorized("invalid token: signature"), "down": ServiceUnavailable("x")}
    )
    identify = ClientIdentifier(verifier)  # type: ignore[arg-type]
    for authorization in (None, "Bearer forged", "Basic dXNlcjpwdw==", "Bearer ", "Bearer down"):
        assert await identify.key_for(scope_with(authorization)) == (ADDRESS, "10.0.0.9"), authorization
    assert verifier.calls == 2
    await identify.key_for(scope_with("Bearer forged"))  # remembered as bad
    assert verifier.calls == 2
    await identify.key_for(scope_with("Bearer down"))  # the issuer was down: asked again
    assert verifier.calls == 3


# ---- the live gateway ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def limited_gateway(
    upstreams: tuple[str, str], closed_port: int, key_file: Path, **limits: object
) -> AsyncIterator[tuple[str, DevIssuer, GatewaySettings]]:
    settings = gateway_settings(
        *upstreams,
        closed_port,
        dev_mode=True,
        dev_issuer_key_file=str(key_file),
        rate_limit_enabled=True,
        **limits,
    )
    app = create_app(settings)
    issuer = DevIssuer.from_key_file(key_file, issuer=settings.auth.issuer, audience=settings.auth.audience)
    async with serve(app) as url:
        yield url, issuer, settings


@pytest.fixture
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("limits") / "key.pem"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_burst_then_429_problem_with_retry_after(upstreams, closed_port, key_file) -> None:
    async with limited_gateway(
        upstreams, closed_port, key_file, rate_limit_per_s=0.4, rate_limit_burst=3
    ) as (
        url,
        issuer,
        _,
    ):
        ana = bearer(issuer.mint("ana", "kota-batu", ["officer"]))
        async with httpx.AsyncClient(base_url=url) as client:
            passed = [
                (await client.get("/tenants/kota-batu/units", headers=ana)).status_code for _ in range(3)
            ]
            limited = await client.get("/tenants/kota-batu/units", headers=ana)
    assert passed == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.headers["retry-after"] == "3"  # one token every 2.5 s, rounded up: never too early
    problem = limited.json()
    assert problem["status"] == 429 and problem["title"] == "Too many requests"
    assert "0.4 requests/s" in problem["detail"] and "bursts of 3" in problem["detail"]
    assert "retry in 3 s" in problem["detail"]
    assert limited.headers["x-request-id"]  # still a traceable answer


async def test_the_live_bucket_refills(upstreams, closed_port, key_file) -> None:
    async with limited_gateway(
        upstreams, closed_port, key_file, rate_limit_anonymous_per_s=20, rate_limit_anonymous_burst=2
    ) as (url, _, _):
        async with httpx.AsyncClient(base_url=url) as client:
            first = [(await client.get("/tenants/t/units")).status_code for _ in range(3)]
            await asyncio.sleep(0.15)  # 3 tokens' worth at 20/s, capped at the burst of 2
            again = [(await client.get("/tenants/t/units")).status_code for _ in range(3)]
    assert first == [200, 200, 429]
    assert again == [200, 200, 429]


async def test_users_and_addresses_have_their_own_buckets(upstreams, closed_port, key_file) -> None:
    async with limited_gateway(
        upstreams, closed_port, key_file, rate_limit_per_s=0.1, rate_limit_burst=2,
        rate_limit_anonymous_per_s=0.1, rate_limit_anonymous_burst=2,
    ) as (url, issuer, _):  # fmt: skip
        ana = bearer(issuer.mint("ana", "kota-batu", ["officer"]))
        budi = bearer(issuer.mint("budi", "kota-batu", ["officer"]))
        ana_elsewhere = bearer(issuer.mint("ana", "kab-malang", ["officer"]))
        async with httpx.AsyncClient(base_url=url) as client:

            async def statuses(headers: dict[str, str], n: int = 3) -> list[int]:
                return [(await client.get("/tenants/t/units", headers=headers)).status_code for _ in range(n)]

            assert await statuses(ana) == [200, 200, 429]
            assert await statuses(budi) == [200, 200, 429]
            assert await statuses(ana_elsewhere) == [200, 200, 429]
            assert await statuses({}) == [200, 200, 429]
            # behind a trusted proxy (uvicorn trusts 127.0.0.1) each forwarded address is its own client
            assert await statuses({"X-Forwarded-For": "203.0.113.5"}) == [200, 200, 429]
            assert await statuses({"X-Forwarded-For": "203.0.113.6"}) == [200, 200, 429]


async def test_a_forged_or_broken_token_draws_from_the_address_bucket(
    upstreams, closed_port, key_file
) -> None:
    async with limited_gateway(
        upstreams, closed_port, key_file, rate_limit_per_s=100, rate_limit_burst=100,
        rate_limit_anonymous_per_s=0.1, rate_limit_anonymous_burst=2,
    ) as (url, issuer, settings):  # fmt: skip
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forger = DevIssuer(other_key, issuer=settings.auth.issuer, audience=settings.auth.audience)
        good = issuer.mint("ana", "kota-batu", ["officer"])
        expired = issuer.mint("budi", "kota-batu", ["officer"], ttl_seconds=-120)
        header, payload, signature = good.split(".")
        tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
        async with httpx.AsyncClient(base_url=url) as client:
            path = "/tenants/t/units"
            assert (await client.get(path)).status_code == 200
            assert (
                await client.get(path, headers=bearer(forger.mint("mallory", "kota-batu", ["admin"])))
            ).status_code == 200
            # the address bucket is now empty: every unverifiable token is refused with it
            for token in (forger.mint("eve", "kota-batu", ["admin"]), expired, tampered, "not-a-jwt"):
                r = await client.get(path, headers=bearer(token))
                assert r.status_code == 429, token
                assert "unauthenticated" in r.json()["detail"]
            assert (await client.get(path, headers=bearer(good))).status_code == 200  # its own bucket


async def test_probes_and_metrics_are_never_limited_and_refusals_are_counted(
    upstreams, closed_port, key_file
) -> None:
    async with limited_gateway(
        upstreams, closed_port, key_file, rate_limit_per_s=0.1, rate_limit_burst=1,
        rate_limit_anonymous_per_s=0.1, rate_limit_anonymous_burst=1,
    ) as (url, issuer, _):  # fmt: skip
        ana = bearer(issuer.mint("ana", "kota-batu", ["officer"]))
        async with httpx.AsyncClient(base_url=url) as client:
            for headers in ({}, {}, {}, ana, ana):
                await client.get("/tenants/t/units", headers=headers)
            probes = [
                (await client.get(p)).status_code for p in ("/healthz", "/readyz", "/metrics", "/metrics/")
            ] * 5
            text = (await client.get("/metrics")).text
    assert set(probes) == {200}
    assert 'bakat_gateway_rate_limited_total{kind="address"} 2.0' in text
    assert 'bakat_gateway_rate_limited_total{kind="subject"} 1.0' in text
    assert "bakat_gateway_rate_limit_clients 2.0" in text


async def test_preflights_are_not_limited_and_a_429_is_readable_cross_origin(
    upstreams, closed_port, key_file
) -> None:
    async with limited_gateway(
        upstreams, closed_port, key_file, cors_origins=["http://app.example"],
        rate_limit_anonymous_per_s=0.1, rate_limit_anonymous_burst=1,
    ) as (url, _, _):  # fmt: skip
        origin = {"Origin": "http://app.example"}
        async with httpx.AsyncClient(base_url=url) as client:
            await client.get("/tenants/t/units", headers=origin)
            limited = await client.get("/tenants/t/units", headers=origin)
            preflight = await client.options(
                "/tenants/t/units", headers={**origin, "Access-Control-Request-Method": "GET"}
            )
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == "http://app.example"
    assert "Retry-After" in limited.headers["access-control-expose-headers"]
    assert preflight.status_code == 200


async def test_the_peer_address_is_the_key_not_an_untrusted_forwarded_header() -> None:
    # Without uvicorn's proxy-header handling (no trusted proxy), X-Forwarded-For is just a header:
    # rotating it must not buy a fresh bucket. The limit answers before the proxy is ever used.
    settings = GatewaySettings(
        rate_limit_enabled=True, rate_limit_anonymous_per_s=0.1, rate_limit_anonymous_burst=1, log_json=False
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
        statuses = [
            (await client.get("/healthz", headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
            for i in range(3)
        ]
        limited = [
            (await client.get("/auth/dev/token", headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
            for i in range(3)
        ]
    assert statuses == [200, 200, 200]
    assert limited == [404, 429, 429]  # 404: no service serves it (dev mode off); then limited


def test_limits_are_on_by_default_and_off_in_dev_mode_unless_asked() -> None:
    assert GatewaySettings(_env_file=None).rate_limiting  # type: ignore[call-arg]
    assert not GatewaySettings(dev_mode=True).rate_limiting
    assert GatewaySettings(dev_mode=True, rate_limit_enabled=True).rate_limiting
    assert not GatewaySettings(rate_limit_enabled=False).rate_limiting
    defaults = GatewaySettings()
    assert defaults.rate_limit_anonymous_per_s < defaults.rate_limit_per_s
    assert defaults.rate_limit_anonymous_burst < defaults.rate_limit_burst
    with pytest.raises(ValueError):
        GatewaySettings(rate_limit_per_s=0)
