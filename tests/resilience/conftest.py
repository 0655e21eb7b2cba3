"""A platform of its own for each resilience test (they kill its parts), started as `make run` does."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from bakat_common.testing import eventually
from bakat_devstack.platform import Endpoints, Platform
from bakat_devstack.settings import DevstackSettings, with_free_ports

from tests.conftest import FAST_ENV


@dataclass
class Stack:
    settings: DevstackSettings
    platform: Platform
    endpoints: Endpoints
    gateway: httpx.AsyncClient

    async def post_when_known(self, path: str, headers: dict[str, str], body, timeout: float = 120) -> httpx.Response:
        """POST a bulk request naming employees registered a moment ago, again until the service has
        heard of all of them (roster's events): a 404 or a 422 whose only complaint is unknown NIPs."""

        def caught_up(r: httpx.Response) -> bool:
            if r.status_code == 404:
                return False
            return not (r.status_code == 422 and {e.get("rule") for e in r.json()["errors"]} == {"unknown_nip"})

        return await eventually(lambda: self.gateway.post(path, headers=headers, json=body), caught_up, timeout=timeout)

    async def token_for(self, tenant: str, *roles: str) -> dict[str, str]:
        r = await self.gateway.post("/auth/dev/token", json={"sub": "tester", "tenant": tenant, "roles": list(roles)})
        r.raise_for_status()
        return {"authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    settings = with_free_ports(DevstackSettings(state_dir=Path(tempfile.mkdtemp(prefix="bakat-resilience-")),
                                                embedded_pg_unsafe_fast=True))  # fmt: skip
    platform = Platform(settings, base_env={**os.environ, **FAST_ENV})
    try:
        endpoints = await platform.start()
        async with httpx.AsyncClient(base_url=endpoints.gateway_url, timeout=30) as gateway:
            yield Stack(settings, platform, endpoints, gateway)
    finally:
        platform.stop()
        shutil.rmtree(settings.state_dir, ignore_errors=True)
