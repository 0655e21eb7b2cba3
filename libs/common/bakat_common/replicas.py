"""Reading rows that other services' events create here (event-carried state).

Right after a client creates something in one service (a tenant, an employee), the event that tells
another service about it may still be in flight for a few milliseconds. Rather than answer 404 to a
client that did everything right, a lookup that misses waits a little for the replica to catch up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def await_replica(
    lookup: Callable[[], Awaitable[T | None]], wait_s: float, interval_s: float = 0.02
) -> T | None:
    """`lookup()`, retried every `interval_s` for up to `wait_s` while it finds nothing.

    Call it inside a READ COMMITTED transaction (the default), so each retry sees newly committed rows.
    """
    deadline = time.monotonic() + wait_s
    while True:
        found = await lookup()
        if found is not None or time.monotonic() >= deadline:
            return found
        await asyncio.sleep(interval_s)
