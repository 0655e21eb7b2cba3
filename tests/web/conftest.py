"""Headless Chromium (Debian's `chromium`, driven by Playwright for Python; no browser download)
against the platform as `make run` starts it, loaded with `make demo`'s province."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bakat_devstack import demo
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = os.environ.get("BAKAT_CHROMIUM", "/usr/bin/chromium")
# Screenshots of every page, for a person to look at (kept by CI as test output).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "web"
EMPLOYEES = 400  # per kota/kabupaten: the demo's shape, smaller


@pytest.fixture(scope="session")
async def demo_province(platform) -> str:
    """The demo province loaded through the gateway; the tests look at Kota Batu."""
    assert await demo.load(platform.gateway_url, EMPLOYEES, 2026, io.StringIO()) == 0
    return "kota-batu"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make tools` installs Debian's chromium (or set BAKAT_CHROMIUM)"
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def new_page(browser):
    """`await new_page()`: a fresh browser context (its own session storage: its own sign-in)."""
    contexts = []

    async def make() -> Page:
        context = await browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
        contexts.append(context)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.script_errors = errors  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        await context.close()


async def sign_in(page: Page, gateway_url: str, user: str, tenant: str, role: str = "officer") -> None:
    """Through the pages' real sign-in: /app/ sends the browser to the dev issuer's form (as it would
    to Keycloak's), the code comes back and is exchanged with PKCE."""
    await page.goto(f"{gateway_url}/app/")
    await page.wait_for_selector("#sign-in")
    await page.fill("#sub", user)
    await page.fill("#tenant", tenant)
    await page.select_option("#role", role)
    await page.click("#sign-in")
    await page.wait_for_selector("[data-testid=user]")


async def screenshot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
