"""Prometheus metrics. One registry per app (not the global one) so several apps can share a process in tests."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_asgi_app
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "bakat_http_requests_total", "HTTP requests served", ["method", "route", "status"], registry=r
        )
        self.http_duration = Histogram(
            "bakat_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.outbox_backlog = Gauge("bakat_outbox_backlog", "Outbox events not yet published", registry=r)
        self.outbox_oldest_age = Gauge(
            "bakat_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event", registry=r
        )
        self.outbox_published = Counter("bakat_outbox_published_total", "Outbox events published", registry=r)
        self.outbox_publish_failures = Counter(
            "bakat_outbox_publish_failures_total", "Outbox publish attempts that failed", registry=r
        )
        self.consumer_lag = Gauge(
            "bakat_consumer_lag", "Messages behind the partition end", ["group", "topic", "partition"], registry=r
        )
        self.consumer_handler_seconds = Histogram(
            "bakat_consumer_handler_seconds",
            "Time to handle one event",
            ["group", "event_type", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.consumer_dead_letters = Counter(
            "bakat_consumer_dead_letters_total", "Events sent to the dead-letter topic", ["group", "event_type"], registry=r
        )

        self.ready = Gauge(
            "bakat_ready", "1 when the last /readyz found this check ok, else 0", ["check"], registry=r
        )

    def asgi_app(self) -> ASGIApp:
        return make_asgi_app(registry=self.registry)


class HttpMetricsMiddleware:
    """Counts and times requests by route template (not raw path, to keep label cardinality bounded)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/metrics"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.http_requests.labels(method, template, str(status)).inc()
            self.metrics.http_duration.labels(method, template).observe(time.perf_counter() - started)
