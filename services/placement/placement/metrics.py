"""Placement's own metrics: the nine-box distribution of every tenant, counted by the worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bakat_common.app import ServiceRuntime
from bakat_common.db import EVERY_TENANT, use_tenant_scope
from prometheus_client import CollectorRegistry, Gauge

from placement.config import PlacementSettings
from placement.repository import PlacementRepository

log = logging.getLogger("bakat.placement.metrics")


class PlacementMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.nine_box_employees = Gauge(
            "bakat_nine_box_employees",
            "Active employees in each nine-box box (calibrated box where approved), per tenant; "
            "counted from the placements table by every worker replica (aggregate with max)",
            ["tenant", "box"],
            registry=registry,
        )

    def set_distribution(self, counts: list[tuple[str, int, int]]) -> None:
        # Replaced whole, with no await in between, so a scrape never sees half of it; a box that
        # emptied disappears instead of keeping its last count.
        self.nine_box_employees.clear()
        for tenant, box, count in counts:
            self.nine_box_employees.labels(tenant, str(box)).set(count)


async def count_nine_boxes(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Worker job: refresh the distribution every `nine_box_metrics_interval_s`."""
    metrics: PlacementMetrics = runtime.domain_metrics
    settings = runtime.settings
    assert isinstance(settings, PlacementSettings)  # create_app only accepts PlacementSettings
    interval = settings.nine_box_metrics_interval_s
    use_tenant_scope([EVERY_TENANT])  # a platform-wide count; it reads nothing else
    while not stop.is_set():
        try:
            async with runtime.read_sessions() as session:
                metrics.set_distribution(await PlacementRepository(session).box_counts_by_tenant())
        except Exception:  # the database is away: keep the last counts, try again next time
            log.warning("counting the nine-box for the metrics failed", exc_info=True)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
