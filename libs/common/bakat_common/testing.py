"""Helpers for tests of an event-driven system."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from prometheus_client.parser import text_string_to_metric_families

T = TypeVar("T")


async def eventually(
    fetch: Callable[[], Awaitable[T]], accept: Callable[[T], bool], timeout: float = 15.0, interval: float = 0.05
) -> T:
    """Call `fetch` until `accept(result)` and return that result; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await fetch()
        if accept(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s; last: {getattr(result, 'text', result)!s:.500}")
        await asyncio.sleep(interval)


async def metric_value(base_url: str, name: str, **labels: str) -> float:
    """The value of one sample on a process's /metrics (0 when it has none yet): `name` as exposed,
    e.g. `bakat_assessments_completed_total`, and the labels it must carry."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{base_url}/metrics/")
    response.raise_for_status()
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0
