"""`on_commit` runs its action only once the transaction is durable (real PostgreSQL)."""

from __future__ import annotations

import pytest
from bakat_common.db import on_commit, session_factory, unit_of_work
from sqlalchemy import column, insert, table

pytestmark = pytest.mark.integration
EFFECTS = table("effects", column("event_id"), column("note"))  # created by conftest


async def test_runs_after_commit_only(common_engine) -> None:
    sessions = session_factory(common_engine)
    ran: list[str] = []
    async with unit_of_work(sessions) as session:
        await session.execute(insert(EFFECTS).values(event_id="a", note="x"))
        on_commit(session, lambda: ran.append("committed"))
        assert ran == []  # not before the commit
    assert ran == ["committed"]


async def test_never_runs_on_rollback_nor_in_the_next_transaction(common_engine) -> None:
    sessions = session_factory(common_engine)
    ran: list[str] = []
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            on_commit(session, lambda: ran.append("rolled back"))
            raise RuntimeError("the use case failed")
    assert ran == []
    async with sessions() as session:
        async with session.begin():
            on_commit(session, lambda: ran.append("first"))
            await session.rollback()
        async with session.begin():  # the same session again: the dropped action stays dropped
            on_commit(session, lambda: ran.append("second"))
    assert ran == ["second"]


async def test_a_failed_commit_runs_nothing(common_engine) -> None:
    sessions = session_factory(common_engine)
    ran: list[str] = []
    async with common_engine.begin() as conn:
        await conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS deferred_check (id int PRIMARY KEY, other int UNIQUE DEFERRABLE INITIALLY DEFERRED)"
        )
        await conn.exec_driver_sql("TRUNCATE deferred_check")
        await conn.exec_driver_sql("INSERT INTO deferred_check VALUES (1, 1)")
    with pytest.raises(Exception, match="duplicate key"):
        async with unit_of_work(sessions) as session:
            await session.execute(table("deferred_check", column("id"), column("other")).insert().values(id=2, other=1))
            on_commit(session, lambda: ran.append("lost"))  # the unique check fails at COMMIT
    assert ran == []


async def test_savepoints_count_only_what_the_outer_commit_keeps(common_engine) -> None:
    sessions = session_factory(common_engine)
    ran: list[str] = []
    async with unit_of_work(sessions) as session:
        on_commit(session, lambda: ran.append("outer"))
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                on_commit(session, lambda: ran.append("in a savepoint rolled back"))
                raise RuntimeError("this part failed")
        async with session.begin_nested():
            on_commit(session, lambda: ran.append("in a savepoint released"))
        assert ran == []  # a released savepoint is not durable
    assert ran == ["outer", "in a savepoint released"]

    ran.clear()
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            async with session.begin_nested():
                on_commit(session, lambda: ran.append("released, then the whole rolled back"))
            raise RuntimeError("the use case failed")
    assert ran == []


async def test_a_failing_action_does_not_undo_the_commit_nor_stop_the_others(common_engine) -> None:
    sessions = session_factory(common_engine)
    ran: list[str] = []
    async with unit_of_work(sessions) as session:
        on_commit(session, lambda: 1 / 0)
        on_commit(session, lambda: ran.append("second"))
    assert ran == ["second"]
