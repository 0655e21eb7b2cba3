"""Read a consumer group's dead letters, and send them back to their topic once the cause is fixed.

    python -m bakat_common.redrive placement --list            # what is there, with each error
    python -m bakat_common.redrive placement                   # re-drive every dead letter not yet re-driven
    python -m bakat_common.redrive placement --event-id ID ... # only these

BAKAT_KAFKA_BOOTSTRAP_SERVERS names the broker. A dead letter (`bakat.dlq.<group>`, written by the
consumer with the error and the original topic in its headers) goes back to its original topic
unchanged, same key and id. The group it failed in handles it afresh (a dead-lettered event is
not in its inbox); every other group of that topic has it already and skips it. What this command
has re-driven is remembered in its own consumer group (`bakat-redrive.<group>`): running it again
re-drives only what arrived since (a run with `--event-id` moves nothing on: the others still wait);
`--again` starts over from the oldest dead letter.
docs/RUNBOOK.md, BakatDeadLetters.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from bakat_common.events import CloudEvent
from bakat_common.settings import KafkaSettings
from bakat_common.topics import dead_letter_topic


def describe(record: Any) -> dict[str, Any]:
    headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
    try:
        event = CloudEvent.from_bytes(record.value)
        identity = {"event_id": event.id, "type": event.type, "tenant": event.tenant, "subject": event.subject}
    except Exception:
        identity = {"event_id": None, "type": "unparseable"}
    return {**identity, "error": headers.get("error"), "original_topic": headers.get("original-topic"),
            "dead_letter_offset": f"{record.partition}:{record.offset}"}  # fmt: skip


async def redrive(
    kafka: KafkaSettings, group: str, *, only: set[str] | None = None, listing: bool = False, again: bool = False
) -> list[dict[str, Any]]:
    """Every dead letter of `group` up to now (from the last re-drive on, unless `again`): listed, or
    re-driven (those in `only`, when given). Returns one entry per dead letter looked at."""
    topic = dead_letter_topic(group)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=f"bakat-redrive.{group}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    await consumer.start()
    await producer.start()
    seen: list[dict[str, Any]] = []
    try:
        if topic not in await consumer.topics():  # also fetches the metadata partitions_for_topic reads
            return seen  # no dead letter ever
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return seen
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)  # what is there now; later dead letters wait for next time
        for tp in partitions:
            committed = None if (again or listing) else await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        pending = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    entry = describe(record)
                    wanted = only is None or entry["event_id"] in only
                    if listing or not wanted or not entry["original_topic"]:
                        entry["redriven"] = False
                    else:
                        await producer.send_and_wait(entry["original_topic"], value=record.value, key=record.key)
                        entry["redriven"] = True
                    seen.append(entry)
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
        # Only after every send was acknowledged (a crash re-drives, never loses), and only when every
        # dead letter was sent: after `--event-id`, the others still wait for the next plain run.
        if not listing and only is None and all(e["redriven"] for e in seen):
            await consumer.commit({tp: OffsetAndMetadata(ends[tp], "") for tp in partitions})
    finally:
        await producer.stop()
        await consumer.stop()
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bakat_common.redrive", description=__doc__.split("\n\n")[0])
    parser.add_argument("group", help="the consumer group whose dead letters to read (the service name)")
    parser.add_argument("--list", action="store_true", help="show the dead letters and their errors; send nothing")
    parser.add_argument("--event-id", action="append", help="re-drive only this event (repeatable)")
    parser.add_argument("--again", action="store_true", help="start over from the oldest dead letter")
    args = parser.parse_args(argv)
    entries = asyncio.run(
        redrive(KafkaSettings(), args.group, only=set(args.event_id) if args.event_id else None,
                listing=args.list, again=args.again)  # fmt: skip
    )
    for entry in entries:
        print(json.dumps(entry))
    print(json.dumps({"dead_letters": len(entries), "redriven": sum(e["redriven"] for e in entries)}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
