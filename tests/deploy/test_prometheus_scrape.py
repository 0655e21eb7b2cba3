"""A real Prometheus (Debian package `prometheus`) scrapes the running platform, as `make run` starts
it, while the end-to-end slice runs through the gateway; then every dashboard query is asked of it,
the main ones must return data, and the nine-box and assessment figures must be the platform's own.

The scrape config gives each target the labels the chart's ServiceMonitor gives in Kubernetes
(`service`, `pod`, `app_kubernetes_io_part_of`), so the dashboards' and rules' selectors are the ones
production uses; the alert rules are loaded too and must evaluate without error."""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from bakat_common.testing import eventually
from bakat_devstack.ports import free_port

from tests.e2e import test_roster_import as roster_import_slice
from tests.e2e import test_scheduling as scheduling_slice
from tests.e2e import test_slice as placement_slice
from tests.e2e.test_slice import new_kota, record_skp, register

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana"
RULES = ROOT / "deploy" / "prometheus" / "bakat-rules.yaml"
TEMPLATE_VALUES = {"$service": ".*", "$tenant": ".*", "${datasource}": ""}

# The panels an SRE opens first: after the slice each must show something. (The others, such as
# 5xx share, publish failures, dead letters or 429s, are rightly empty on a healthy platform; they are
# still asked, and must be valid queries.)
MAIN_PANELS = {
    "bakat-platform.json": [
        "Requests per second, by service",
        "Latency p50 / p99, by service",
        "Client errors (4xx) per second, by service and status",
        "Slowest routes (p99)",
        "Gateway -> services: answers by status",
        "Gateway -> services: p99 exchange time",
        "Readiness checks failing",
    ],
    "bakat-events.json": [
        "Outbox backlog (unpublished events)",
        "Age of the oldest unpublished event",
        "Events published per second",
        "Consumer lag, by group and topic",
        "Handler time p99, by event type",
        "Events handled per second, by outcome",
    ],
    "bakat-domain.json": [
        "Nine-box: active employees per box",
        "Succession group share (boxes 7-9)",
        "Assessments completed per hour, by tenant",
        "Assessments completed (last day), by source",
        "Import jobs finished (last day), by source and status",
        "Import job time p50 / p99, by source",
        "Import rows (last day), by outcome",
        "Schedule solve time p50 / p99, by answer",
        "Schedule requests solved (last day), by answer",
        "Nine-box and rapor reads per minute",
    ],
}


def dashboard_queries() -> Iterator[tuple[str, str, str]]:
    """(dashboard file, panel title, query with the template variables at 'all')."""
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for variable, value in TEMPLATE_VALUES.items():
                    expr = expr.replace(variable, value)
                yield path.name, panel["title"], expr


def scrape_config(targets: dict[str, str], rules: Path) -> dict:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules)],
        "scrape_configs": [
            {
                "job_name": name,
                "metrics_path": "/metrics/",
                "static_configs": [
                    {
                        "targets": [urlsplit(url).netloc],
                        # What the ServiceMonitor's relabelling and targetLabels give in Kubernetes.
                        "labels": {"service": f"bakat-{name}", "pod": f"bakat-{name}-0",
                                   "app_kubernetes_io_part_of": "bakat"},  # fmt: skip
                    }
                ],
            }
            for name, url in targets.items()
        ],
    }


@pytest.fixture
async def prometheus(platform, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: apt-get install -y prometheus (make test does it when run as root)"
    targets = {"gateway": platform.gateway_url, **platform.service_urls}
    shutil.copy(RULES, tmp_path / "bakat-rules.yaml")
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(targets, tmp_path / "bakat-rules.yaml")))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"],  # fmt: skip
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, (tmp_path / "prometheus.log").read_text()[-3000:]
                try:
                    if (await client.get("/-/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "prometheus did not become ready"
                await asyncio.sleep(0.2)
            yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def finite(sample: dict) -> bool:
    return math.isfinite(float(sample["value"][1]))


async def query(client: httpx.AsyncClient, expr: str) -> list[dict]:
    r = await client.get("/api/v1/query", params={"query": expr})
    body = r.json()
    assert r.status_code == 200 and body["status"] == "success", f"{expr}: {body}"
    return body["data"]["result"]


async def test_prometheus_scrapes_the_platform_and_the_dashboards_show_the_slice(
    platform, gateway, token_for, prometheus
) -> None:
    # Every process is a target and up, with the labels the rules select on.
    processes = {"bakat-gateway", *(f"bakat-{name}" for name in platform.service_urls)}
    assert len(processes) == 5
    up = await eventually(
        lambda: query(prometheus, 'up{app_kubernetes_io_part_of="bakat"}'),
        lambda result: len(result) == len(processes) and all(s["value"][1] == "1" for s in result),
        timeout=30,
    )
    assert {s["metric"]["service"] for s in up} == processes

    # The end-to-end slice through the gateway: roster, SKP and assessment to a placement; BKN
    # integration's bulk import jobs; Kota Batu's schedule solved and published.
    await placement_slice.test_employee_lands_in_the_nine_box_through_the_gateway(gateway, token_for)
    await roster_import_slice.test_bkn_integration_pushes_and_pulls_in_bulk(gateway, token_for, platform)
    await scheduling_slice.test_kota_batu_is_scheduled_with_the_province_pool_and_published(gateway, token_for)

    # And a kota of our own, whose figures are known: three employees in boxes 9, 5 and 1.
    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    people = {"198503152010011003": ("Sangat Baik", 85), "198601012010012004": ("Baik", 70),
              "198702022010011005": ("Kurang", 40)}  # fmt: skip
    for nip, (predikat, potential) in people.items():
        await register(gateway, officer, kota, nip)
        assert (await record_skp(gateway, officer, kota, nip, predikat)).status_code == 201
        r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": nip, "potential_score": potential})
        assert r.status_code == 201, r.text
    nine_box = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/nine-box", headers=officer),
        lambda r: r.status_code == 200 and r.json()["total"] == 3,
    )
    counts = {str(b["box"]): b["count"] for b in nine_box.json()["boxes"] if b["count"]}
    assert counts == {"9": 1, "5": 1, "1": 1}

    # Prometheus holds the platform's own figures (the worker counts the nine-box every second here).
    distribution = await eventually(
        lambda: query(prometheus, f'max by (box) (bakat_nine_box_employees{{tenant="{kota}"}})'),
        lambda result: {s["metric"]["box"]: int(float(s["value"][1])) for s in result} == counts,
        timeout=20,
    )
    assert len(distribution) == 3
    await eventually(
        lambda: query(prometheus, f'sum(bakat_assessments_completed_total{{tenant="{kota}",source="recorded"}})'),
        lambda result: bool(result) and float(result[0]["value"][1]) == 3,
        timeout=10,
    )
    # Officers keep reading. A labelled series is born at its first request's count, which rate()
    # cannot see as an increase: what the panels show is the traffic after a series' first scrape.
    for _ in range(2):
        await asyncio.sleep(2.5)
        for path in (f"/tenants/{kota}/nine-box", f"/tenants/{kota}/employees", f"/tenants/{kota}/assessments",
                     f"/tenants/{kota}/venues", f"/tenants/{kota}/employees/198503152010011003/placement"):  # fmt: skip
            assert (await gateway.get(path, headers=officer)).status_code == 200, path
    await asyncio.sleep(3)  # a few more scrapes, so every rate() has two samples after the traffic

    # Every query is valid PromQL for Prometheus itself, and each main panel shows a number (NaN is
    # what a quantile of buckets that never moved gives: a blank panel). A loaded machine may miss a
    # scrape (1 s timeout), so the panels get a few more seconds before they count as empty.
    deadline = time.monotonic() + 20
    while True:
        empty: list[str] = []
        for dashboard, title, expr in dashboard_queries():
            result = await query(prometheus, expr)
            if title in MAIN_PANELS.get(dashboard, ()) and not any(finite(s) for s in result):
                empty.append(f"{dashboard}: {title}: {expr} -> {result}")
        if not empty or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    assert not empty, "main dashboard panels with no data after the slice:\n" + "\n".join(empty)
    titles = {(d, t) for d, t, _ in dashboard_queries()}
    assert {(d, t) for d, ts in MAIN_PANELS.items() for t in ts} <= titles, "MAIN_PANELS names a panel no dashboard has"

    # Values, not just series: traffic went through every service and events flowed.
    requests = await query(prometheus, "sum by (service) (rate(bakat_http_requests_total[5m]))")
    busy = {s["metric"]["service"]: float(s["value"][1]) for s in requests}
    assert {name for name, rate in busy.items() if rate > 0} == processes, busy
    published = await query(prometheus, "sum(increase(bakat_outbox_published_total[5m]))")
    assert published and float(published[0]["value"][1]) > 0, published
    solved = await query(prometheus, 'sum by (status) (bakat_schedule_solve_seconds_count)')
    assert {s["metric"]["status"] for s in solved} >= {"optimal", "infeasible"}
    jobs = await query(prometheus, 'sum by (source, status) (bakat_import_jobs_total)')
    assert {(s["metric"]["source"], s["metric"]["status"]) for s in jobs} >= {("api", "done"), ("siasn", "done")}

    # The alert rules loaded and evaluate against these series without error.
    groups = (await prometheus.get("/api/v1/rules")).json()["data"]["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    expected = [r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    assert sorted(rule["name"] for rule in rules) == sorted(expected)
    assert all(rule["health"] == "ok" for rule in rules), [r for r in rules if r["health"] != "ok"]
