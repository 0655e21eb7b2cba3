"""`python -m bakat_common.replay`: the operator's command after the broker lost its data (real
PostgreSQL and broker): sent events from a point in time, or of one tenant, published again with
their ids and in their order; a dry run changes nothing; bad arguments are refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from bakat_common import replay as replay_command
from bakat_common.events import CloudEvent
from bakat_common.infrastructure import outbox
from bakat_common.metrics import Metrics
from bakat_common.outbox import OutboxRelay, add_to_outbox
from bakat_common.settings import ServiceSettings
from sqlalchemy import select, update

from .test_outbox_and_consumer import make_event, read_topic

pytestmark = pytest.mark.integration
NOW = datetime.now(timezone.utc)


async def published_once(sessions, producer, common_engine, topic, events: list[tuple]) -> None:
    """(event, recorded at, sent at): published, then dated as if recorded and sent at those times."""
    async with sessions() as s, s.begin():
        for event, *_ in events:
            await add_to_outbox(s, event, topic=topic)
    assert await OutboxRelay(common_engine, producer, Metrics("test")).publish_pending() == len(events)
    async with sessions() as s, s.begin():
        for event, created, sent in events:
            await s.execute(update(outbox).where(outbox.c.event_id == event.id).values(created_at=created, sent_at=sent))


def settings_of(common_engine) -> ServiceSettings:
    return ServiceSettings(database_url=common_engine.url.render_as_string(hide_password=False))


async def test_events_since_a_time_are_published_again_in_order(sessions, producer, kafka_settings, topic, common_engine):
    old, late, batu, serang = make_event(1), make_event(4), make_event(2), make_event(3, tenant="kab-serang")
    day_ago, hour_ago = NOW - timedelta(days=2), NOW - timedelta(hours=1)
    await published_once(sessions, producer, common_engine, topic, [
        (old, day_ago, day_ago),
        (late, day_ago, hour_ago),  # recorded before, sent after: the broker may have lost it too
        (batu, hour_ago, hour_ago),
        (serang, NOW, NOW),
    ])  # fmt: skip
    settings = settings_of(common_engine)

    dry = await replay_command.run(settings, NOW - timedelta(hours=2), None, dry_run=True)
    assert (dry["events"], dry["unsent_now"]) == (3, 0)  # counted, nothing changed

    outcome = await replay_command.run(settings, NOW - timedelta(hours=2), None, dry_run=False)
    assert (outcome["events"], outcome["unsent_now"]) == (3, 3)
    assert await OutboxRelay(common_engine, producer, Metrics("test")).publish_pending() == 3
    records = await read_topic(kafka_settings.bootstrap_servers, topic, expect=7)
    ids = [CloudEvent.from_bytes(r.value).id for r in records]
    # The same ids (inboxes drop what they have), under the same keys: each subject's partition gets
    # its events again in their order (the partitions' order among themselves is the broker's).
    assert sorted(ids) == sorted([old.id, late.id, batu.id, serang.id, late.id, batu.id, serang.id])
    assert {r.key for r in records if CloudEvent.from_bytes(r.value).id == batu.id} == {b"kota-batu:s2"}

    outcome = await replay_command.run(settings, None, "kab-serang", dry_run=False)  # --all --tenant
    assert outcome["events"] == 1
    async with sessions() as s:
        unsent = (await s.execute(select(outbox.c.event_id).where(outbox.c.sent_at.is_(None)))).scalars().all()
    assert unsent == [serang.id]


def test_the_command_line(monkeypatch, capsys, common_engine, sessions) -> None:
    monkeypatch.delenv("BAKAT_DATABASE_URL", raising=False)
    assert replay_command.main(["--all"]) == 2
    assert "BAKAT_DATABASE_URL is not set" in capsys.readouterr().err
    for bad, message in ((["--since", "kemarin"], "not an ISO 8601 time"),
                         (["--since", "2026-12-07T08:00:00"], "no UTC offset"),
                         ([], "one of the arguments --since --all is required"),
                         (["--all", "--since", "2026-12-07T08:00:00Z"], "not allowed with")):  # fmt: skip
        with pytest.raises(SystemExit) as exit_:
            replay_command.main(bad)
        assert exit_.value.code == 2 and message in capsys.readouterr().err, bad
    monkeypatch.setenv("BAKAT_DATABASE_URL", common_engine.url.render_as_string(hide_password=False))
    assert replay_command.main(["--since", "2026-12-07T08:00:00+07:00", "--dry-run"]) == 0
    assert '"dry_run": true' in capsys.readouterr().out
