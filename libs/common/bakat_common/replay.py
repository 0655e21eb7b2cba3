"""Publish a service's retained outbox events again, from a point in time (after the broker lost its
data: the embedded broker keeps everything in memory, and a real cluster can lose a topic too).

    python -m bakat_common.replay --since 2026-12-07T08:00:00+07:00 [--tenant kota-batu] [--dry-run]
    python -m bakat_common.replay --all

BAKAT_DATABASE_URL names the service's database, as for `bakat_common.migrate`. The command only
marks the rows unsent and wakes the relay (NOTIFY); the service's running relay publishes them in
the order they were recorded, with their original ids and keys, so consumers that already have an
event's effect skip it (their inbox) and consumers that lost their state rebuild it. Events recorded
while the broker was away may reach it before the replayed older ones: consumers keep the newest
version of everything, whatever order it comes in. `--since` takes the events recorded or sent at or
after that time. docs/RUNBOOK.md, "Replay".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bakat_common.db import create_engine
from bakat_common.infrastructure import outbox
from bakat_common.outbox import replay
from bakat_common.settings import ServiceSettings


def moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time (e.g. 2026-12-07T08:00:00+07:00)"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset: add one (e.g. +07:00 for WIB)")
    return moment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bakat_common.replay",
        description="Publish a Bakat service's sent outbox events again (BAKAT_DATABASE_URL names its database).",
    )
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--since", type=moment, help="events recorded or sent at or after this time (ISO 8601 with offset)")
    when.add_argument("--all", action="store_true", help="every retained event")
    parser.add_argument("--tenant", help="only this tenant's events")
    parser.add_argument("--dry-run", action="store_true", help="count what would be published; change nothing")
    return parser


async def run(
    settings: ServiceSettings, since: datetime | None, tenant: str | None, dry_run: bool
) -> dict[str, Any]:
    engine = create_engine(settings)
    try:
        async with AsyncSession(engine) as session, session.begin():
            if dry_run:
                query = select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_not(None))
                if since is not None:  # as replay() chooses them
                    query = query.where(or_(outbox.c.created_at >= since, outbox.c.sent_at >= since))
                if tenant is not None:
                    query = query.where(outbox.c.tenant == tenant)
                count = (await session.execute(query)).scalar_one()
            else:
                count = await replay(session, since=since, tenant=tenant)
            waiting = (
                await session.execute(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
            ).scalar_one()
    finally:
        await engine.dispose()
    return {
        "events": count,
        "dry_run": dry_run,
        "since": since.isoformat() if since else None,
        "tenant": tenant,
        "unsent_now": waiting,  # what the relay has to publish (replayed and not yet published)
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not os.environ.get("BAKAT_DATABASE_URL"):  # never the settings' default database by mistake
        print("BAKAT_DATABASE_URL is not set: it names the service's database", file=sys.stderr)
        return 2
    outcome = asyncio.run(run(ServiceSettings(), args.since, args.tenant, args.dry_run))
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
