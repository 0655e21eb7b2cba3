"""Reconciliation (issue 9, docs/RESILIENCE.md): compare placement's copy of the roster and of the
assessment results and SKP ratings with what their owners hold, report every difference, and with
`--repair` ask the owners to publish the current state of what differs again (new events, which
placement's consumer takes like any other).

    python -m placement.reconcile --tenant kota-batu [--repair]

Settings (environment): BAKAT_DATABASE_URL (placement's database), BAKAT_RECONCILE_GATEWAY_URL, and
a token with the admin or integration role for the tenant: BAKAT_RECONCILE_TOKEN, or client
credentials (BAKAT_RECONCILE_TOKEN_URL, BAKAT_RECONCILE_CLIENT_ID, BAKAT_RECONCILE_CLIENT_SECRET).
The owners are asked through the gateway, as any BKN client would (services never read each
other's databases). Exit status: 0 when the copy matches (after the repair, with `--repair`: the
command waits until placement has taken the owners' events), 1 when anything still differs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from bakat_common.contracts.reconcile import (
    MAX_RESYNC,
    AssessmentVersions,
    EmployeeVersion,
    ResultVersion,
)
from bakat_common.db import create_engine, read_session_factory, use_tenant_scope
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from placement.config import PlacementSettings
from placement.models import EmployeeRecord, PerformanceInput, PotentialInput


class ReconcileSettings(PlacementSettings):
    reconcile_gateway_url: str = "http://127.0.0.1:8000"
    reconcile_token: str | None = None
    reconcile_token_url: str | None = None
    reconcile_client_id: str | None = None
    reconcile_client_secret: str | None = None


# ---- the comparison (pure) ----------------------------------------------------------------------


@dataclass
class Kind:
    """One kind of copied data, by NIP: missing from the copy; stale (the owner has newer); ahead (the
    copy has newer than the owner, e.g. the owner restored from a backup); only in the copy (extra).
    Missing and stale are repaired by the owner's events; ahead and extra are for an operator
    (placement keeps the newest it has seen, so no event of an older state replaces it)."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    ahead: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.missing or self.stale or self.ahead or self.extra)

    @property
    def repairable(self) -> list[str]:
        return sorted({*self.missing, *self.stale})

    def report(self, shown: int = 50) -> dict[str, Any]:
        kinds = (("missing", self.missing), ("stale", self.stale), ("ahead", self.ahead), ("extra", self.extra))
        return {name: {"count": len(nips), "nips": nips[:shown]} for name, nips in kinds}


def _compare(owner: dict[str, tuple], copy: dict[str, tuple]) -> Kind:
    """Values are tuples that order like placement's rule of what is newer, then identify the state."""
    both = set(owner) & set(copy)
    return Kind(
        missing=sorted(set(owner) - set(copy)),
        stale=sorted(n for n in both if copy[n] != owner[n] and copy[n] < owner[n]),
        ahead=sorted(n for n in both if copy[n] != owner[n] and copy[n] > owner[n]),
        extra=sorted(set(copy) - set(owner)),
    )


def newest_results(results: Iterable[ResultVersion]) -> dict[str, tuple]:
    """What placement keeps per employee: the newest completion, then the highest version (its rule;
    the id breaks a tie, so the answer does not depend on the order the owner lists them in)."""
    kept: dict[str, tuple] = {}
    for r in results:
        key = (r.completed_at, r.version, r.assessment_id)
        if r.nip not in kept or key > kept[r.nip]:
            kept[r.nip] = key
    return kept


@dataclass
class Differences:
    employees: Kind
    results: Kind
    ratings: Kind

    @property
    def differs(self) -> bool:
        return self.employees.differs or self.results.differs or self.ratings.differs

    @property
    def repairable(self) -> bool:
        return bool(self.roster_resync() or self.assessment_resync())

    def roster_resync(self) -> list[str]:
        return self.employees.repairable

    def assessment_resync(self) -> list[str]:
        return sorted({*self.results.repairable, *self.ratings.repairable})


def compare(
    roster: list[EmployeeVersion],
    assessment: AssessmentVersions,
    copy_employees: dict[str, tuple],
    copy_results: dict[str, tuple],
    copy_ratings: dict[str, tuple],
) -> Differences:
    newest_rating: dict[str, tuple[int, str]] = {}
    for r in assessment.ratings:
        if r.nip not in newest_rating or r.year >= newest_rating[r.nip][0]:
            newest_rating[r.nip] = (r.year, r.predikat)
    return Differences(
        employees=_compare({e.nip: (e.version, e.status) for e in roster}, copy_employees),
        results=_compare(newest_results(assessment.results), copy_results),
        ratings=_compare(newest_rating, copy_ratings),
    )


# ---- the command --------------------------------------------------------------------------------


async def _token(settings: ReconcileSettings, client: httpx.AsyncClient) -> str:
    if settings.reconcile_token:
        return settings.reconcile_token
    if not (settings.reconcile_token_url and settings.reconcile_client_id and settings.reconcile_client_secret):
        raise SystemExit("set BAKAT_RECONCILE_TOKEN, or BAKAT_RECONCILE_TOKEN_URL with a client id and secret")
    r = await client.post(
        settings.reconcile_token_url,
        data={"grant_type": "client_credentials"},
        auth=(settings.reconcile_client_id, settings.reconcile_client_secret),
    )
    r.raise_for_status()
    return r.json()["access_token"]


async def _copy(sessions: async_sessionmaker[AsyncSession], tenant: str) -> tuple[dict, dict, dict]:
    async with sessions() as session:
        employees = await session.execute(
            select(EmployeeRecord.nip, EmployeeRecord.version, EmployeeRecord.status).where(
                EmployeeRecord.tenant_id == tenant
            )
        )
        results = await session.execute(
            select(
                PotentialInput.nip, PotentialInput.completed_at, PotentialInput.version, PotentialInput.assessment_id
            ).where(PotentialInput.tenant_id == tenant)
        )
        ratings = await session.execute(
            select(PerformanceInput.nip, PerformanceInput.year, PerformanceInput.predikat).where(
                PerformanceInput.tenant_id == tenant
            )
        )
        return ({n: (v, s) for n, v, s in employees}, {n: (c, v, a) for n, c, v, a in results},
                {n: (y, p) for n, y, p in ratings})  # fmt: skip


async def _resync(client: httpx.AsyncClient, path: str, nips: list[str]) -> int:
    published = 0
    for start in range(0, len(nips), MAX_RESYNC):
        r = await client.post(path, json={"nips": nips[start : start + MAX_RESYNC]})
        r.raise_for_status()
        published += r.json()["published"]
    return published


async def _differences(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], tenant: str
) -> Differences:
    r = await client.get(f"/tenants/{tenant}/employees/versions")
    r.raise_for_status()
    roster = [EmployeeVersion.model_validate(e) for e in r.json()]
    r = await client.get(f"/tenants/{tenant}/assessments/versions")
    r.raise_for_status()
    assessment = AssessmentVersions.model_validate(r.json())
    return compare(roster, assessment, *await _copy(sessions, tenant))


def _report(differences: Differences) -> dict[str, Any]:
    return {"differs": differences.differs, "employees": differences.employees.report(),
            "results": differences.results.report(), "ratings": differences.ratings.report()}  # fmt: skip


async def reconcile(
    settings: ReconcileSettings, tenant: str, *, repair: bool, settle_s: float = 120.0
) -> dict[str, Any]:
    """The differences; with `repair`, the owners' resync and then the differences once placement
    has taken their events (or `settle_s` passed): `differs` tells the final state."""
    use_tenant_scope([tenant])  # row-level security: placement's copy of this tenant's rows only
    engine = create_engine(settings)  # one pool for the first comparison and every re-check
    try:
        return await _reconcile(settings, read_session_factory(engine), tenant, repair=repair, settle_s=settle_s)
    finally:
        await engine.dispose()


async def _reconcile(
    settings: ReconcileSettings, sessions: async_sessionmaker[AsyncSession], tenant: str, *, repair: bool,
    settle_s: float,
) -> dict[str, Any]:  # fmt: skip
    async with httpx.AsyncClient(base_url=settings.reconcile_gateway_url, timeout=120) as client:
        client.headers["authorization"] = f"Bearer {await _token(settings, client)}"
        differences = await _differences(client, sessions, tenant)
        report: dict[str, Any] = {"tenant": tenant, **_report(differences)}
        if not (repair and differences.repairable):
            return report
        report["repair"] = {
            "roster_events": await _resync(client, f"/tenants/{tenant}/employees/resync", differences.roster_resync()),
            "assessment_events": await _resync(
                client, f"/tenants/{tenant}/assessments/resync", differences.assessment_resync()
            ),
        }
        deadline = asyncio.get_running_loop().time() + settle_s
        while differences.repairable and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(1.0)
            differences = await _differences(client, sessions, tenant)
        report["after_repair"] = _report(differences)
        report["differs"] = differences.differs
        # What no owner's event can fix (ahead, extra) is for an operator: the exit status says so.
        return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m placement.reconcile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--repair", action="store_true", help="ask the owners to publish what differs again")
    args = parser.parse_args(argv)
    report = asyncio.run(reconcile(ReconcileSettings(), args.tenant, repair=args.repair))
    print(json.dumps(report, indent=2))
    return 1 if report["differs"] else 0


if __name__ == "__main__":
    sys.exit(main())
