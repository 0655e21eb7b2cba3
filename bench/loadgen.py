"""A minimal HTTP/1.1 keep-alive GET client for load tests.

httpx costs ~5 ms of CPU per request on these machines: at 50 clients the measuring side would take
a third of a core from the platform it measures and add its own parsing to every sample. This client
writes the request bytes and reads the answer by Content-Length (the services never send chunked
bodies to GETs); anything unexpected fails loudly.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit


class Connection:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n{self.extra}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "transfer-encoding":
                raise RuntimeError("chunked answers are not expected from this load client's targets")
        if length is None:
            raise RuntimeError(f"answer without Content-Length: {lines[0]}")
        body = await self.reader.readexactly(length)
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(
    base_url: str, path: str, headers: dict[str, str], clients: int, seconds: float, interval: float = 0.0
) -> list[float]:
    """`clients` concurrent keep-alive clients for `seconds`; latency of each answer in seconds.
    interval 0: closed loop (the next request as soon as the last is answered); interval > 0: each
    client asks once per interval, starts spread over the first interval."""
    samples: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(index: int) -> None:
        connection = Connection(base_url, headers)
        try:
            await asyncio.sleep(interval * index / clients)
            next_at = time.monotonic()
            while time.monotonic() < deadline:
                started = time.perf_counter()
                status, body = await connection.get(path)
                if status != 200:
                    raise RuntimeError(f"{path}: {status} {body[:200]!r}")
                samples.append(time.perf_counter() - started)
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        finally:
            await connection.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    return samples
