"""Helpers for tests of an event-driven system."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

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
