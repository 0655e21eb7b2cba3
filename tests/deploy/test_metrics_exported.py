"""Every metric a dashboard panel or an alert queries is exported by a running service: the platform
as `make run` starts it, after some traffic through the gateway, scraped process by process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import yaml

from tests.e2e.test_slice import new_kota

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {"counter": ("", "_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
            "gauge": ("",), "summary": ("", "_count", "_sum", "_created"), "info": ("_info",)}  # fmt: skip


def queried_metrics() -> dict[str, set[str]]:
    """Metric name -> where it is used (dashboard panel or alert)."""
    used: dict[str, set[str]] = {}
    for path in sorted((ROOT / "deploy" / "grafana").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                for name in re.findall(r"\bbakat_[a-z_]+\b", target["expr"]):
                    used.setdefault(name, set()).add(f"{path.name}: {panel['title']}")
    for group in yaml.safe_load((ROOT / "deploy" / "prometheus" / "bakat-rules.yaml").read_text())["groups"]:
        for rule in group["rules"]:
            for name in re.findall(r"\bbakat_[a-z_]+\b", rule["expr"]):
                used.setdefault(name, set()).add(f"alert {rule['alert']}")
    return used


def exported(text: str) -> set[str]:
    """Sample names a scrape can hold, from the TYPE lines (a counter's family is named with or without
    _total, depending on the exposition format; a labelled metric not yet used has no
    samples, but it is exported: the first event gives it one)."""
    names = set()
    for family, kind in re.findall(r"(?m)^# TYPE (\S+) (\S+)$", text):
        names.update(family + suffix for suffix in SUFFIXES.get(kind, ("",)))
    return names


async def test_every_queried_metric_is_exported(platform, gateway, token_for) -> None:
    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    nip = "198503152010011003"
    assert (await gateway.post(f"/tenants/{kota}/employees", headers=officer, json={"nip": nip, "name": "Budi"})).status_code == 201
    for path, body in (("performance-ratings", {"nip": nip, "year": 2024, "predikat": "Baik"}),
                       ("assessments", {"nip": nip, "potential_score": 84})):  # fmt: skip
        assert (await gateway.post(f"/tenants/{kota}/{path}", headers=officer, json=body)).status_code == 201
    scraped: set[str] = set()
    async with httpx.AsyncClient(timeout=10) as client:
        for url in [platform.gateway_url, *platform.service_urls.values()]:
            r = await client.get(f"{url}/metrics/")
            assert r.status_code == 200, url
            scraped |= exported(r.text)
    used = queried_metrics()
    assert len(used) >= 12
    missing = {name: sorted(where) for name, where in used.items() if name not in scraped}
    assert not missing, f"queried but exported by no service: {missing}"


def test_a_misspelt_metric_would_be_caught() -> None:
    # The comparison above is by exact name: one letter off is not exported.
    text = "# HELP bakat_outbox_backlog x\n# TYPE bakat_outbox_backlog gauge\nbakat_outbox_backlog 0.0\n"
    assert "bakat_outbox_backlog" in exported(text) and "bakat_outbox_backlog_total" not in exported(text)
    assert "bakat_outbox_backlogs" not in exported(text)
