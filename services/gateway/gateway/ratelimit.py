"""Per-client rate limits: a token bucket per client, in this process's memory.

Who is a client: a bearer token the gateway can verify stands for its tenant and subject (every
replica and every connection of one user share that user's bucket); anything else (no token, a token
that does not verify) stands for the client address as uvicorn resolved it (its trusted-proxy handling
of X-Forwarded-For, the same address the proxy appends to X-Forwarded-For), with a stricter limit. A
forged token therefore never earns a bucket of its own: it draws from its sender's address bucket.

Memory is bounded twice: a bucket left alone long enough to refill completely is the same as no
bucket, so idle buckets are dropped (losslessly); and past `max_clients` the least recently used
bucket is dropped even if not full (a flood of new keys can then reset an old client's bucket, never
exhaust memory).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bakat_common.auth import TokenVerifier
from bakat_common.errors import Problem, problem_response
from prometheus_client import CollectorRegistry, Counter, Gauge
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("bakat.gateway.ratelimit")

Clock = Callable[[], float]
SUBJECT = "subject"  # key kind: a verified token's tenant + subject
ADDRESS = "address"  # key kind: the client address (no token, or one that does not verify)


@dataclass(frozen=True)
class RateLimit:
    per_s: float  # sustained requests per second (the refill rate)
    burst: int  # bucket size: requests allowed at once after a quiet spell

    @property
    def refill_s(self) -> float:
        """Time for an empty bucket to fill up again."""
        return self.burst / self.per_s


class _Bucket:
    __slots__ = ("tokens", "updated", "limit")

    def __init__(self, tokens: float, updated: float, limit: RateLimit) -> None:
        self.tokens = tokens
        self.updated = updated
        self.limit = limit


class TokenBuckets:
    """Token buckets by key, least recently used first, bounded in number."""

    def __init__(self, max_clients: int, clock: Clock = time.monotonic) -> None:
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: Hashable, limit: RateLimit) -> float:
        """Take one token: 0.0 if there was one, else the seconds until there will be."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(limit.burst), now, limit)
            self._evict(now)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(float(limit.burst), bucket.tokens + (now - bucket.updated) * limit.per_s)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / limit.per_s

    def _evict(self, now: float) -> None:
        # Oldest first: while the least recently used bucket would be full by now, it carries no state.
        buckets = self._buckets
        while buckets:
            oldest = next(iter(buckets.values()))
            if now - oldest.updated < oldest.limit.refill_s:
                break
            buckets.popitem(last=False)
        while len(buckets) > self.max_clients:
            buckets.popitem(last=False)


class ClientIdentifier:
    """The rate-limit key of a request: (SUBJECT, tenant, subject) or (ADDRESS, address).

    Verifying an RS256 signature on every request would cost more than forwarding it, so outcomes are
    remembered per token (by digest) for `ttl_s`, in a bounded LRU. That only decides which bucket a
    request draws from: access is still decided by the service, which verifies the token itself.
    """

    def __init__(
        self,
        verifier: TokenVerifier | None,
        *,
        cache_size: int = 10_000,
        ttl_s: float = 60.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.verifier = verifier
        self.cache_size = cache_size
        self.ttl_s = ttl_s
        self._clock = clock
        # token digest -> (key or None when the token does not verify, time the entry expires)
        self._tokens: OrderedDict[bytes, tuple[tuple[str, ...] | None, float]] = OrderedDict()

    async def key_for(self, scope: Scope) -> tuple[str, ...]:
        token = _bearer_token(scope) if self.verifier is not None else None
        if token:
            subject_key = await self._subject_key(token)
            if subject_key is not None:
                return subject_key
        return (ADDRESS, client_address(scope))

    async def _subject_key(self, token: str) -> tuple[str, ...] | None:
        assert self.verifier is not None
        digest = hashlib.sha256(token.encode("latin-1", "replace")).digest()
        now = self._clock()
        cached = self._tokens.get(digest)
        if cached is not None and cached[1] > now:
            self._tokens.move_to_end(digest)
            return cached[0]
        key: tuple[str, ...] | None
        try:
            principal = await self.verifier.verify(token)
            key = (SUBJECT, principal.tenant, principal.subject)
        except Problem as exc:
            if exc.status >= 500:
                # The issuer's keys cannot be fetched: the token may well be good; do not remember it
                # as bad (that would move its user to the stricter address limit for a whole ttl).
                return None
            key = None
        except Exception:  # noqa: BLE001  # advisory check: a verifier bug must not fail the request
            log.exception("verifying a bearer token for rate limiting failed unexpectedly")
            return None
        self._tokens[digest] = (key, now + self.ttl_s)
        self._tokens.move_to_end(digest)
        while len(self._tokens) > self.cache_size:
            self._tokens.popitem(last=False)
        return key


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def client_address(scope: Scope) -> str:
    """The caller's address; an IPv6 caller by its /64 (one host usually holds a whole /64)."""
    client = scope.get("client")
    host = client[0] if client else None
    if not host:
        return "unknown"
    if ":" in host:
        try:
            return str(ipaddress.IPv6Network(f"{host}/64", strict=False))
        except ValueError:
            return host
    return host


@dataclass(frozen=True)
class RateLimitMetrics:
    limited: Counter

    @classmethod
    def register(cls, registry: CollectorRegistry, buckets: TokenBuckets) -> RateLimitMetrics:
        tracked = Gauge(
            "bakat_gateway_rate_limit_clients", "Clients with a bucket in this process", registry=registry
        )
        tracked.set_function(lambda: len(buckets))
        return cls(
            limited=Counter(
                "bakat_gateway_rate_limited_total",
                "Requests refused with 429, by client key kind (subject = verified token, address = none)",
                ["kind"],
                registry=registry,
            )
        )


def _is_exempt(path: str) -> bool:
    # Probes and scrapes must never be refused: a limited probe would restart or unlist a healthy pod.
    return path in ("/healthz", "/readyz", "/metrics") or path.startswith("/metrics/")


class RateLimitMiddleware:
    """Answers 429 problem+json with Retry-After once a client's bucket is empty."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        identify: ClientIdentifier,
        buckets: TokenBuckets,
        subject_limit: RateLimit,
        address_limit: RateLimit,
        metrics: RateLimitMetrics,
    ) -> None:
        self.app = app
        self.identify = identify
        self.buckets = buckets
        self.limits = {SUBJECT: subject_limit, ADDRESS: address_limit}
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = await self.identify.key_for(scope)
        kind = key[0]
        limit = self.limits[kind]
        wait = self.buckets.take(key, limit)
        if wait == 0.0:
            await self.app(scope, receive, send)
            return
        self.metrics.limited.labels(kind).inc()
        retry_after = max(1, math.ceil(wait))
        who = "this token's user" if kind == SUBJECT else "unauthenticated requests from this address"
        response = problem_response(
            429,
            "Too many requests",
            f"{who} may send {limit.per_s:g} requests/s (bursts of {limit.burst}); retry in {retry_after} s",
            instance=scope["path"],
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
