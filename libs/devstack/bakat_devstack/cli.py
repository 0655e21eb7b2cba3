"""`python -m bakat_devstack run|infra`: start the stack, print where it is, supervise, stop on Ctrl-C.
`python -m bakat_devstack replay --since T|--all`: publish every service's sent outbox events again
(after the embedded broker, which keeps nothing on disk, restarted).
`python -m bakat_devstack demo`: load a realistic province through the running platform's API."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shlex
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from bakat_common import replay as replay_command
from bakat_common.settings import ServiceSettings

from bakat_devstack import demo
from bakat_devstack.platform import Endpoints, Platform
from bakat_devstack.postgres import async_database_url
from bakat_devstack.services import SERVICES_BY_NAME
from bakat_devstack.settings import DevstackSettings

log = logging.getLogger("bakat_devstack")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bakat_devstack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="infrastructure, migrations, topics and all services")
    run.add_argument(
        "--services", default=",".join(SERVICES_BY_NAME),
        help="comma-separated subset to start (default: all)",
    )
    run.add_argument("--no-migrate", action="store_true", help="skip the services' migrations")
    infra = sub.add_parser("infra", help="PostgreSQL + broker + databases + topics only; prints env exports")
    infra.add_argument("--migrate", action="store_true", help="also run the services' migrations")
    replay = sub.add_parser(
        "replay", help="publish every service's sent outbox events again (the running stack's relays send them)"
    )
    when = replay.add_mutually_exclusive_group(required=True)
    when.add_argument("--since", type=replay_command.moment, help="events recorded at or after (ISO 8601 with offset)")
    when.add_argument("--all", action="store_true", help="every retained event")
    replay.add_argument("--tenant", help="only this tenant's events")
    replay.add_argument("--dry-run", action="store_true", help="count what would be published; change nothing")
    demo.add_arguments(sub.add_parser("demo", help="load a demo province through the running platform's API"))
    return parser


def service_database_urls(settings: DevstackSettings) -> dict[str, str]:
    """Each service's database as the stack uses it: its override, or bakat_<service> on the stack's server."""
    server = settings.postgres_url or f"postgresql://postgres@{settings.host}:{settings.embedded_pg_port}/postgres"
    return {
        spec.name: settings.database_override(spec.name) or async_database_url(server, spec.database)
        for spec in SERVICES_BY_NAME.values()
        if spec.database is not None
    }


async def replay_services(settings: DevstackSettings, args: argparse.Namespace, out: TextIO) -> int:
    for name, url in service_database_urls(settings).items():
        try:
            outcome = await replay_command.run(ServiceSettings(database_url=url), args.since, args.tenant, args.dry_run)
        except OSError as exc:
            print(f"cannot reach {name}'s database ({exc}): is the stack (`make run`) up?", file=sys.stderr)
            return 1
        print(json.dumps({"service": name, **outcome}), file=out)
    return 0


def describe_run(endpoints: Endpoints) -> str:
    gw = endpoints.gateway_url
    lines = ["", "Bakat is running:"]
    if "gateway" in endpoints.service_urls:
        lines += [f"  gateway      {gw}", f"  API docs     {gw}/docs"]
    lines += [f"  {name:<12} {url}" for name, url in endpoints.service_urls.items() if name != "gateway"]
    lines += [
        f"  PostgreSQL   {endpoints.postgres_url}",
        f"  Kafka        {endpoints.kafka_bootstrap_servers}",
        "",
        "Get a dev token:",
        f"  curl -X POST {gw}/auth/dev/token -H 'content-type: application/json' "
        """-d '{"sub":"me","tenant":"*","roles":["admin"]}'""",
        "",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def describe_infra(endpoints: Endpoints) -> str:
    exports = [f"export {k}={shlex.quote(v)}" for k, v in endpoints.env_exports().items()]
    return "\n".join(["", "# Infrastructure is up. Point tests/bench at it with:", *exports,
                      "# Ctrl-C stops it.", ""])


async def _serve(platform: Platform, out: TextIO, describe: bool, infra: bool) -> int:
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop_requested.set)

    stopper = asyncio.create_task(stop_requested.wait())
    starter = asyncio.create_task(platform.start())
    try:
        await asyncio.wait({starter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not starter.done():  # Ctrl-C while starting: abandon the start (it cleans up after itself)
            log.info("interrupted while starting; shutting down")
            starter.cancel()
            await asyncio.gather(starter, return_exceptions=True)
            return 130
        try:
            endpoints = starter.result()
        except Exception as exc:
            log.error("startup failed: %s", exc)
            return 1
        if describe:
            out.write(describe_infra(endpoints) if infra else describe_run(endpoints))
            out.flush()

        watcher = asyncio.create_task(platform.wait_for_failure())
        await asyncio.wait({watcher, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if watcher.done():
            log.error("%s", watcher.result())
            log.error("shutting everything down")
            return 1
        watcher.cancel()
        log.info("stopping")
        return 0
    finally:
        stopper.cancel()
        platform.stop()
        log.info("stopped")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s devstack %(levelname)s %(message)s",
                        stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per readiness probe otherwise
    settings = DevstackSettings()
    if args.command == "replay":
        return asyncio.run(replay_services(settings, args, sys.stdout))
    if args.command == "demo":
        return demo.run(args, f"http://{settings.host}:{settings.gateway_port}")
    if args.command == "run":
        names = [n.strip() for n in args.services.split(",") if n.strip()]
        platform = Platform(settings, services=names, run_migrations=not args.no_migrate, echo=sys.stdout)
        return asyncio.run(_serve(platform, sys.stdout, describe=True, infra=False))
    platform = Platform(settings, spawn_services=False, run_migrations=args.migrate)
    return asyncio.run(_serve(platform, sys.stdout, describe=True, infra=True))
