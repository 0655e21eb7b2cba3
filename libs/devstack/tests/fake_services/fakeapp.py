"""A stand-in service for devstack tests: answers /readyz and shows the environment it was given."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def make_app(name: str) -> Callable[..., Awaitable[None]]:
    if os.environ.get("FAKE_FAIL_SERVICE") == name:
        raise RuntimeError(f"{name} refuses to start (FAKE_FAIL_SERVICE)")
    print(f"{name} fake app created", flush=True)

    async def app(scope: Scope, receive: Callable[[], Awaitable[dict[str, Any]]], send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["path"] == "/readyz":
            status, body = 200, {"status": "ready", "service": name}
        elif scope["path"] == "/env":
            status, body = 200, {k: v for k, v in os.environ.items() if k.startswith("BAKAT_")}
        else:
            status, body = 404, {"detail": "not found"}
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    return app
