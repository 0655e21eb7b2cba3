"""SKP performance use cases: the yearly predikat of each employee, one at a time or in bulk (a file or a
BKN batch), kept per year with the history of every submission, published for placement when it changes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bakat_common.auth import Principal, require_roles
from bakat_common.contracts.assessment import PerformanceRecordedV1
from bakat_common.errors import Problem
from bakat_common.events import bulk_envelope
from bakat_common.outbox import add_many_to_outbox
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import PerformanceHistory, PerformanceRating
from assessment.performance_schemas import PerformanceRatingIn
from assessment.repository import AssessmentRepository
from assessment.service import SERVICE, TOPIC, WRITERS, known_employees, require_employee
from assessment.skp_files import RowError, SkpRow, SkpValidation

Source = Literal["api", "import", "integration"]
MAX_LISTED_ERRORS = 1000  # a 422 lists the first thousand row errors (and counts them all)


@dataclass(frozen=True)
class WriteOutcome:
    recorded: int
    unchanged: int


# ---- one rating ------------------------------------------------------------------------------------------


async def record_performance(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    data: PerformanceRatingIn,
    replica_wait_s: float = 0.0,
) -> PerformanceRating:
    """Record (or correct) one year's rating; the same rating sent again changes nothing and publishes
    nothing. `data.predikat` is already derived from the two ratings when they were given."""
    require_roles(principal, *WRITERS)
    await require_employee(AssessmentRepository(session), tenant_id, data.nip, replica_wait_s)
    assert data.predikat is not None  # PerformanceRatingIn derives it or refuses the body
    row = SkpRow(0, data.nip, data.year, data.predikat, data.hasil_kerja, data.perilaku_kerja)
    await write_ratings(session, tenant_id, [row], "api", principal.subject)
    rating = await session.scalar(
        select(PerformanceRating)
        .where(
            PerformanceRating.tenant_id == tenant_id,
            PerformanceRating.nip == data.nip,
            PerformanceRating.year == data.year,
        )
        .execution_options(populate_existing=True)
    )
    assert rating is not None
    return rating


# ---- many ratings: all or nothing ------------------------------------------------------------------------


async def import_ratings(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    validation: SkpValidation,
    source: Source,
    replica_wait_s: float = 0.0,
) -> WriteOutcome:
    """Rows already checked on their own (skp_files); here the NIPs are checked against the tenant's
    employees, then every row is written in the caller's transaction, or none when any row is bad."""
    require_roles(principal, *WRITERS)
    errors = list(validation.errors)
    nips = {r.nip for r in validation.valid}
    known = set(await known_employees(AssessmentRepository(session), tenant_id, sorted(nips), replica_wait_s))
    column = validation.columns.get("nip", "nip")
    for r in validation.valid:
        if r.nip not in known:
            errors.append(
                {
                    "row": r.row,
                    "column": column,
                    "reason": f"NIP {r.nip} is not an employee of {tenant_id} (register it in the roster first)",
                    "rule": "unknown_nip",
                }
            )
    if errors:
        raise rows_problem(errors, validation.rows_total)
    return await write_ratings(session, tenant_id, validation.valid, source, principal.subject)


def rows_problem(errors: list[RowError], rows_total: int) -> Problem:
    errors = sorted(errors, key=lambda e: e["row"])
    bad_rows = len({e["row"] for e in errors})
    listed = errors[:MAX_LISTED_ERRORS]
    more = f" (the first {len(listed):,} are listed)" if len(listed) < len(errors) else ""
    return Problem(
        f"{len(errors):,} problems in {bad_rows:,} of {rows_total:,} rows{more}; nothing was recorded",
        status=422,
        title="Invalid input",
        errors=list(listed),
    )


# One statement: upsert every row whose rating differs from the stored one (new or changed) and return
# those for the events; append EVERY row to the history (who sent what, when, from where). A row that
# repeats the stored rating leaves the rating as it is (not returned): it changes nothing and publishes
# nothing; its history row shows it was sent again.
_UPSERT = text(
    """
    WITH incoming AS (
        SELECT * FROM unnest(
            CAST(:ids AS uuid[]), CAST(:nips AS varchar[]), CAST(:years AS integer[]),
            CAST(:predikats AS varchar[]), CAST(:hasil AS varchar[]), CAST(:perilaku AS varchar[])
        ) AS t(id, nip, year, predikat, hasil_kerja, perilaku_kerja)
    ),
    changed AS (
        INSERT INTO performance_ratings AS r
            (id, tenant_id, nip, year, predikat, hasil_kerja, perilaku_kerja, source, recorded_by, recorded_at)
        SELECT id, :tenant, nip, year, predikat, hasil_kerja, perilaku_kerja, :source, :actor, now()
        FROM incoming
        ON CONFLICT (tenant_id, nip, year) DO UPDATE SET
            predikat = excluded.predikat,
            hasil_kerja = excluded.hasil_kerja,
            perilaku_kerja = excluded.perilaku_kerja,
            source = excluded.source,
            recorded_by = excluded.recorded_by,
            recorded_at = excluded.recorded_at
        WHERE (r.predikat, r.hasil_kerja, r.perilaku_kerja)
            IS DISTINCT FROM (excluded.predikat, excluded.hasil_kerja, excluded.perilaku_kerja)
        RETURNING r.nip, r.year, r.predikat, r.hasil_kerja, r.perilaku_kerja, r.recorded_at
    ),
    history AS (
        INSERT INTO performance_history
            (tenant_id, nip, year, predikat, hasil_kerja, perilaku_kerja, source, recorded_by, recorded_at)
        SELECT :tenant, nip, year, predikat, hasil_kerja, perilaku_kerja, :source, :actor, now()
        FROM incoming
        -- Evaluated once before the first history row: the upsert (and its wait for row locks held by a
        -- concurrent import) runs first, so history ids follow the order the submissions took effect in.
        WHERE (SELECT count(*) FROM changed) >= 0
        ORDER BY nip, year
    )
    SELECT nip, year, predikat, recorded_at FROM changed
    """
)


async def write_ratings(
    session: AsyncSession, tenant_id: str, rows: Sequence[SkpRow], source: Source, actor: str
) -> WriteOutcome:
    """Upsert valid rows (one per NIP+year) in the caller's transaction: every row gets a history row;
    new or changed ratings a PerformanceRecordedV1 event each; identical ones are counted as unchanged."""
    if not rows:
        return WriteOutcome(0, 0)
    rows = sorted(rows, key=lambda r: (r.nip, r.year))  # one lock order: concurrent imports cannot deadlock
    result = await session.execute(
        _UPSERT,
        {
            "ids": [uuid.uuid4() for _ in rows],
            "nips": [r.nip for r in rows],
            "years": [r.year for r in rows],
            "predikats": [r.predikat for r in rows],
            "hasil": [r.hasil_kerja for r in rows],
            "perilaku": [r.perilaku_kerja for r in rows],
            "tenant": tenant_id,
            "source": source,
            "actor": actor,
        },
    )
    changed = result.all()
    envelopes = [
        bulk_envelope(
            PerformanceRecordedV1,
            {"nip": c.nip, "year": c.year, "predikat": c.predikat, "recorded_at": c.recorded_at},
            service=SERVICE,
            tenant=tenant_id,
            subject=c.nip,
        )
        for c in changed
    ]
    await add_many_to_outbox(session, envelopes, topic=TOPIC)
    return WriteOutcome(recorded=len(changed), unchanged=len(rows) - len(changed))


# ---- reads -----------------------------------------------------------------------------------------------


async def ratings_of(session: AsyncSession, tenant_id: str, nip: str) -> list[PerformanceRating]:
    """An employee's SKP, one rating per year, newest year first."""
    rows = await session.scalars(
        select(PerformanceRating)
        .where(PerformanceRating.tenant_id == tenant_id, PerformanceRating.nip == nip)
        .order_by(PerformanceRating.year.desc())
    )
    return list(rows.all())


async def history_of(
    session: AsyncSession, tenant_id: str, nip: str, year: int | None = None
) -> list[tuple[PerformanceHistory, bool]]:
    """Every accepted submission, newest year first, newest submission first, each with whether it set or
    changed the year's rating (False: it repeated the rating already stored)."""
    query = select(PerformanceHistory).where(
        PerformanceHistory.tenant_id == tenant_id, PerformanceHistory.nip == nip
    )
    if year is not None:
        query = query.where(PerformanceHistory.year == year)
    rows = list((await session.scalars(query.order_by(PerformanceHistory.year, PerformanceHistory.id))).all())
    entries: list[tuple[PerformanceHistory, bool]] = []
    previous: dict[int, tuple[str, str | None, str | None]] = {}  # year -> the rating it then stood at
    for h in rows:
        rating = (h.predikat, h.hasil_kerja, h.perilaku_kerja)
        entries.append((h, previous.get(h.year) != rating))
        previous[h.year] = rating
    entries.sort(key=lambda e: (e[0].year, e[0].id), reverse=True)
    return entries
