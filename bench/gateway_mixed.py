"""Mixed read/write traffic through the gateway against the same traffic sent straight to the services
(issue 7): requests/s, p50/p99 and errors for both, in the same run, and their ratios.

    .venv/bin/python bench/gateway_mixed.py [--seconds 60] [--rate 300] [--clients 64] [--employees 300]
                                            [--mode both|paced|closed]

The whole platform runs as `make run` starts it, with the gateway's rate limits switched on (dev mode
turns them off by default) so the measured gateway is the production one: every client is its own
user (a token per client, verified by the gateway for its rate-limit key). A tenant with five units and
`--employees` employees, each with an SKP rating and an assessment (so each has a nine-box placement),
is created through the API.

Traffic, chosen per request with a fixed seed (so both targets get the same sequence):
  80 % reads:  GET employees list (roster, 20 rows) 20 %, GET one employee (roster) 25 %,
               GET an employee's placement (placement) 20 %, GET the nine-box of a unit (placement) 15 %
  20 % writes: POST a performance rating (assessment; changes the placement by event) 10 %,
               PATCH an employee (roster) 10 %
"Direct" sends each request to the service the gateway's own routing table names, on its own port.

Two measurements, each `--seconds` per target, split in two halves run gateway-direct-direct-gateway
so drift on a noisy machine falls on both sides equally:
  paced:  `--rate` requests/s offered in total (each client on a fixed schedule): the latency the
          gateway adds at the issue's target load (goal: >= 300 req/s, no errors, < 30 % added).
  closed: every client sends its next request as soon as the last is answered: the most each path
          serves on this machine, and the throughput ratio.
The clients are bench/loadgen.py's raw keep-alive HTTP/1.1 connections (httpx would cost the measuring
side ~5 ms of CPU per request on these 2 cores). CPU seconds per request of each platform process,
and of the whole machine (PostgreSQL, the broker and this client included), come from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bakat_devstack.platform import Platform
from bakat_devstack.settings import DevstackSettings, with_free_ports
from gateway.routing import resolve

sys.path.insert(0, str(Path(__file__).parent))
from loadgen import Connection  # noqa: E402
from roster_import import pct  # noqa: E402

BENCH_ENV = {"BAKAT_LOG_LEVEL": "WARNING", "BAKAT_RATE_LIMIT_ENABLED": "true"}
UNITS = [
    ("SETDA", "Sekretariat Daerah", "sekretariat", None),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "badan", None),
    ("BKPSDM-MUTASI", "Bidang Mutasi dan Promosi", "bidang", "BKPSDM"),
    ("DINKES", "Dinas Kesehatan", "dinas", None),
    ("DINKES-YANKES", "Bidang Pelayanan Kesehatan", "bidang", "DINKES"),
]
PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
# (weight %, operation); the operations are built in `next_request`.
MIX = ((20, "list"), (25, "employee"), (20, "placement"), (15, "nine_box"), (10, "rating"), (10, "patch"))


def nip_of(i: int) -> str:
    """A valid NIP (PNS): born 1970-1989, TMT CPNS at 25, unique by its sequence digits (i < 1000)."""
    year, month, day = 1970 + i % 20, 1 + i % 12, 1 + i % 28
    return f"{year}{month:02d}{day:02d}{year + 25}{month:02d}{1 + i % 2}{i % 1000:03d}"


class MixedConnection(Connection):
    """bench/loadgen.py's keep-alive connection, for any method and a JSON body."""

    # uvicorn closes a keep-alive connection idle for 5 s; a request sent just then is lost. Like the
    # gateway's pool (keepalive_expiry_s 4), do not reuse one idle for longer than this.
    IDLE_S = 4.0
    used_at = 0.0

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is not None and time.monotonic() - self.used_at > self.IDLE_S:
            await self.close()
            self.reader = self.writer = None
        self.used_at = time.monotonic()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n{self.extra}"
        if body is not None:
            head += f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "transfer-encoding":
                raise RuntimeError("chunked answers are not expected from the services")
        return status, await self.reader.readexactly(length)


@dataclass
class Result:
    seconds: float = 0.0
    samples: list[float] = field(default_factory=list)
    by_op: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)  # CPU seconds per platform process, and "machine"

    def add(self, other: Result) -> None:
        self.seconds += other.seconds
        self.samples += other.samples
        for op, values in other.by_op.items():
            self.by_op.setdefault(op, []).extend(values)
        for key, n in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + n
        for name, seconds in other.cpu_s.items():
            self.cpu_s[name] = self.cpu_s.get(name, 0.0) + seconds

    @property
    def rate(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        if not self.samples:
            return f"no answers; errors {self.errors}"
        errors = sum(self.errors.values())
        detail = f" {self.errors}" if errors else ""
        return (
            f"{self.rate:6.1f} req/s  p50 {pct(self.samples, 50) * 1000:6.1f} ms  "
            f"p99 {pct(self.samples, 99) * 1000:6.1f} ms  errors {errors}{detail}"
        )


class Workload:
    def __init__(self, tenant: str, nips: list[str], only: str | None = None) -> None:
        self.tenant = tenant
        self.nips = nips
        self.ops = [op for weight, op in MIX for _ in range(weight) if only in (None, op)]

    def next_request(self, rng: random.Random) -> tuple[str, str, str, bytes | None]:
        op = rng.choice(self.ops)
        return (op, *self._request(op, rng))

    def _request(self, op: str, rng: random.Random) -> tuple[str, str, bytes | None]:
        t, nip = self.tenant, rng.choice(self.nips)
        if op == "list":
            unit = rng.choice(UNITS)[0]
            return "GET", f"/tenants/{t}/employees?unit={unit}&limit=20", None
        if op == "employee":
            return "GET", f"/tenants/{t}/employees/{nip}", None
        if op == "placement":
            return "GET", f"/tenants/{t}/employees/{nip}/placement", None
        if op == "nine_box":
            return "GET", f"/tenants/{t}/nine-box?unit={rng.choice(('DINKES', 'BKPSDM', 'SETDA'))}", None
        if op == "rating":
            body = {"nip": nip, "year": 2024, "predikat": rng.choice(PREDIKAT)}
            return "POST", f"/tenants/{t}/performance-ratings", json.dumps(body).encode()
        body = {"career_preference": f"bench {rng.randrange(1_000_000)}"}
        return "PATCH", f"/tenants/{t}/employees/{nip}", json.dumps(body).encode()


def cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine (all cores): PostgreSQL, the broker and this client too."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpu_seconds_of_command(command: str) -> float:
    """CPU seconds of every live process named `command` (PostgreSQL's backends, the broker)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        if text[text.index("(") + 1 : text.rindex(")")] == command:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_snapshot(pids: dict[str, int | None]) -> dict[str, float]:
    return {
        **{name: cpu_seconds(pid) for name, pid in pids.items()},
        "postgres": cpu_seconds_of_command("postgres"),
        "broker": cpu_seconds_of_command("tansu"),
        "load client": cpu_seconds(os.getpid()),
        "machine": machine_cpu_seconds(),
    }


async def drive(
    workload: Workload,
    route: dict[str, str] | None,
    gateway_url: str,
    tokens: list[dict[str, str]],
    seconds: float,
    rate: float,
    seed: int,
    pids: dict[str, int | None],
) -> Result:
    """One client per token; `route` None: everything to the gateway, else service -> base URL.
    rate 0: closed loop; else each client asks every len(tokens)/rate seconds."""
    result = Result()
    interval = len(tokens) / rate if rate else 0.0
    deadline = time.monotonic() + seconds

    async def client(index: int, headers: dict[str, str]) -> None:
        rng = random.Random(seed * 1000 + index)
        connections: dict[str, MixedConnection] = {}
        try:
            await asyncio.sleep(interval * index / len(tokens))
            next_at = time.monotonic()
            while time.monotonic() < deadline:
                op, method, path, body = workload.next_request(rng)
                base = gateway_url if route is None else route[resolve(path.split("?", 1)[0]) or "roster"]
                connection = connections.get(base) or connections.setdefault(
                    base, MixedConnection(base, headers)
                )
                started = time.perf_counter()
                try:
                    status, answer = await connection.request(method, path, body)
                except (OSError, asyncio.IncompleteReadError, RuntimeError) as exc:
                    result.errors[type(exc).__name__] = result.errors.get(type(exc).__name__, 0) + 1
                    await connection.close()
                    connections.pop(base)
                    continue
                if status >= 400:
                    key = str(status)
                    result.errors[key] = result.errors.get(key, 0) + 1
                    if result.errors[key] <= 3:
                        print(f"  {method} {path} -> {status} {answer[:200]!r}")
                else:
                    elapsed = time.perf_counter() - started
                    result.samples.append(elapsed)
                    result.by_op.setdefault(op, []).append(elapsed)
                if interval:
                    next_at += interval
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        finally:
            for connection in connections.values():
                await connection.close()

    cpu_before, started = cpu_snapshot(pids), time.monotonic()
    await asyncio.gather(*(client(i, headers) for i, headers in enumerate(tokens)))
    result.seconds = time.monotonic() - started
    result.cpu_s = {name: after - cpu_before[name] for name, after in cpu_snapshot(pids).items()}
    return result


async def seed(gateway: httpx.AsyncClient, employees: int) -> tuple[str, list[str]]:
    ops = await mint(gateway, "bench-ops", "*", "admin")
    suffix = uuid.uuid4().hex[:6]
    province, kota = f"prov-{suffix}", f"kota-{suffix}"
    for body in (
        {"id": province, "name": "Pemprov Bench", "kind": "provinsi"},
        {"id": kota, "name": "Pemkot Bench", "kind": "kota", "parent_id": province},
    ):
        (await call(gateway, "POST", "/tenants", ops, body)).raise_for_status()
    officer = await mint(gateway, "bench-seed", kota, "officer")
    for code, name, kind, parent in UNITS:
        r = await call(
            gateway,
            "POST",
            f"/tenants/{kota}/units",
            officer,
            {"code": code, "name": name, "kind": kind, "parent_code": parent},
        )
        r.raise_for_status()
    nips = [nip_of(i) for i in range(employees)]
    gate = asyncio.Semaphore(8)

    async def one(i: int, nip: str) -> None:
        async with gate:
            unit = UNITS[i % len(UNITS)][0]
            r = await call(
                gateway,
                "POST",
                f"/tenants/{kota}/employees",
                officer,
                {"nip": nip, "name": f"Pegawai {i:04d}", "unit_code": unit},
            )
            assert r.status_code == 201, r.text
            # assessment learns of the employee by event; it waits a moment for it (replica_wait_s)
            for path, body in (
                ("performance-ratings", {"nip": nip, "year": 2024, "predikat": PREDIKAT[i % 4]}),
                ("assessments", {"nip": nip, "potential_score": 40 + (i * 7) % 61}),
            ):
                for _ in range(20):
                    r = await call(gateway, "POST", f"/tenants/{kota}/{path}", officer, body)
                    if r.status_code != 404:
                        break
                    await asyncio.sleep(0.5)
                assert r.status_code == 201, r.text

    await asyncio.gather(*(one(i, nip) for i, nip in enumerate(nips)))
    deadline = time.monotonic() + 120
    # a unit's nine-box includes its sub-units: the top-level units together hold everyone
    tops = [code for code, _, _, parent in UNITS if parent is None]
    while True:  # every employee placed (placement learns of rating and assessment by event)
        views = [await call(gateway, "GET", f"/tenants/{kota}/nine-box?unit={u}", officer) for u in tops]
        placed = sum(v.json()["total"] for v in views if v.status_code == 200)
        if placed >= employees:
            break
        assert time.monotonic() < deadline, f"only {placed} of {employees} placed"
        await asyncio.sleep(1.0)
    return kota, nips


async def call(
    gateway: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], body: object = None
) -> httpx.Response:
    """A request that waits out the gateway's rate limit as a well-behaved client does (seeding is a burst)."""
    while (r := await gateway.request(method, path, headers=headers, json=body)).status_code == 429:
        await asyncio.sleep(float(r.headers["retry-after"]))
    return r


async def mint(gateway: httpx.AsyncClient, sub: str, tenant: str, role: str) -> dict[str, str]:
    # the token endpoint is unauthenticated: the stricter per-address limit applies
    r = await call(gateway, "POST", "/auth/dev/token", {}, {"sub": sub, "tenant": tenant, "roles": [role]})
    r.raise_for_status()
    return {"authorization": f"Bearer {r.json()['access_token']}"}


def per_operation(via: Result, direct: Result) -> None:
    for _, op in MIX:
        g, d = via.by_op.get(op, []), direct.by_op.get(op, [])
        if g and d:
            print(f"    {op:10s} p50 {pct(g, 50) * 1000:6.1f} / {pct(d, 50) * 1000:6.1f} ms   "
                  f"p99 {pct(g, 99) * 1000:6.1f} / {pct(d, 99) * 1000:6.1f} ms  (gateway / direct)")  # fmt: skip


def ratios(name: str, via: Result, direct: Result) -> None:
    p50 = pct(via.samples, 50) / pct(direct.samples, 50)
    p99 = pct(via.samples, 99) / pct(direct.samples, 99)
    print(
        f"{name} ratios gateway/direct: p50 {p50:.2f}x  p99 {p99:.2f}x  throughput {via.rate / direct.rate:.2f}x"
    )
    for label, result in (("gateway", via), ("direct", direct)):
        if result.samples:
            per_request = {k: v / len(result.samples) * 1000 for k, v in result.cpu_s.items()}
            shown = "  ".join(f"{k} {v:.2f}" for k, v in per_request.items() if v >= 0.005)
            print(f"{name} CPU ms per request, {label}: {shown}")


def machine_reference_ms() -> float:
    """CPU milliseconds of a fixed pure-Python workload (dicts, JSON, sorting: what request handling is
    made of), best of five: the machines here differ by up to 2x from one session to the next and
    from minute to minute, so the req/s of two runs compare only alongside this figure."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        rows = [{"nip": f"{i:018d}", "name": f"Pegawai {i}", "box": i % 9 + 1} for i in range(20_000)]
        json.loads(json.dumps(rows))
        sorted(rows, key=lambda r: (r["box"], r["name"]))
        best = min(best, time.process_time() - started)
    return best * 1000


async def main(args: argparse.Namespace) -> None:
    before = machine_reference_ms()
    print(f"machine reference before the run: {before:.1f} ms CPU (lower is faster)")
    try:
        await measure(args)
    finally:
        print(f"machine reference after the run: {machine_reference_ms():.1f} ms CPU")


async def measure(args: argparse.Namespace) -> None:
    state = Path(tempfile.mkdtemp(prefix="bakat-bench-"))
    stack = Platform(with_free_ports(DevstackSettings(state_dir=state)), base_env={**os.environ, **BENCH_ENV})
    try:
        endpoints = await stack.start()
        pids = {name: child.pid for name, child in stack.children.items()}
        async with httpx.AsyncClient(base_url=endpoints.gateway_url, timeout=60) as gateway:
            started = time.perf_counter()
            kota, nips = await seed(gateway, args.employees)
            print(f"seeded {kota}: {len(UNITS)} units, {len(nips)} employees rated, assessed and placed "
                  f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
            tokens = [await mint(gateway, f"bench-{i}", kota, "officer") for i in range(args.clients)]
        workload = Workload(kota, nips, args.only)
        route = dict(endpoints.service_urls)
        modes = {"paced": args.rate, "closed": 0.0}
        wanted = list(modes) if args.mode == "both" else [args.mode]
        results: dict[str, tuple[Result, Result]] = {}
        for mode in wanted:
            rate = modes[mode]
            label = f"paced at {rate:g} req/s" if rate else "closed loop"
            print(f"\n{mode}: {args.clients} clients, {label}, {args.seconds:g} s per target")
            for target in (None, route):  # warm both paths (connections, token cache, plans)
                await drive(workload, target, endpoints.gateway_url, tokens, 3, rate, 0, pids)
            via, direct = Result(), Result()
            half = args.seconds / 2
            for run, target in enumerate((None, route, route, None)):  # ABBA
                result = await drive(
                    workload, target, endpoints.gateway_url, tokens, half, rate, 1 + run // 2, pids
                )
                (via if target is None else direct).add(result)
            print(f"  through the gateway: {via.describe()}")
            print(f"  straight to services: {direct.describe()}")
            per_operation(via, direct)
            ratios(f"  {mode}", via, direct)
            results[mode] = (via, direct)
        if "paced" in results:
            via, direct = results["paced"]
            added = pct(via.samples, 50) / pct(direct.samples, 50) - 1
            added99 = pct(via.samples, 99) / pct(direct.samples, 99) - 1
            ok = via.rate >= 300 * 0.97 and not via.errors and added < 0.3
            print(f"\ngoal (>= 300 req/s through the gateway, no errors, < 30 % added latency): "
                  f"{via.rate:.0f} req/s, {sum(via.errors.values())} errors, +{added:.0%} p50 / +{added99:.0%} p99: "
                  f"{'met' if ok else 'NOT met'}")  # fmt: skip
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60, help="per target and mode (default 60)")
    parser.add_argument("--rate", type=float, default=300, help="offered requests/s in the paced mode")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (one user each)")
    parser.add_argument("--employees", type=int, default=300)
    parser.add_argument("--mode", choices=("both", "paced", "closed"), default="both")
    parser.add_argument(
        "--only", choices=[op for _, op in MIX], help="one kind of request instead of the mix (where the CPU goes)"
    )
    asyncio.run(main(parser.parse_args()))
