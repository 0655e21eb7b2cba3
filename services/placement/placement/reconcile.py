"""Reconciliation (issue 9, docs/RESILIENCE.md): compare placement's copy of the roster and of the
assessment results and SKP ratings with what their owners hold, report every difference, and with
`--repair` ask the owners to publish the current state of what differs again (new events, which
placement's consumer takes like any other).

    python -m placement.reconcile --tenant kota-batu [--repair]

Settings (environment): BAKAT_DATABASE_URL (placement's database), BAKAT_RECONCILE_GATEWAY_URL, and
a token with the admin or integration role for the tenant: BAKAT_RECONCILE_TOKEN, or client
credentials (BAKAT_RECONCILE_TOKEN_URL, BAKAT_RECONCILE_CLIENT_ID, BAKAT_RECONCILE_CLIENT_SECRET).
The owners are asked through the gateway, as any BKN client would (services never read each
other's databases). Exit status: 0 when the copy matches (or was repaired), 1 when it differs.
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
    """One kind of copied data: NIPs whose copy is missing, differs, or exists only in the copy."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.missing or self.stale or self.extra)

    def report(self, shown: int = 50) -> dict[str, Any]:
        return {name: {"count": len(nips), "nips": nips[:shown]}
                for name, nips in (("missing", self.missing), ("stale", self.stale), ("extra", self.extra))}  # fmt: skip


def _compare(owner: dict[str, Any], copy: dict[str, Any]) -> Kind:
    return Kind(
        missing=sorted(set(owner) - set(copy)),
        stale=sorted(n for n in set(owner) & set(copy) if owner[n] != copy[n]),
        extra=sorted(set(copy) - set(owner)),
    )


def newest_results(results: Iterable[ResultVersion]) -> dict[str, tuple[str, int]]:
    """What placement keeps per employee: the newest completion, then the highest version (its rule)."""
    kept: dict[str, ResultVersion] = {}
    for r in results:
        if r.nip not in kept or (r.completed_at, r.version) >= (kept[r.nip].completed_at, kept[r.nip].version):
            kept[r.nip] = r
    return {nip: (r.assessment_id, r.version) for nip, r in kept.items()}


@dataclass
class Differences:
    employees: Kind
    results: Kind
    ratings: Kind

    @property
    def differs(self) -> bool:
        return self.employees.differs or self.results.differs or self.ratings.differs

    def roster_resync(self) -> list[str]:
        return sorted({*self.employees.missing, *self.employees.stale})

    def assessment_resync(self) -> list[str]:
        return sorted({*self.results.missing, *self.results.stale, *self.ratings.missing, *self.ratings.stale})


def compare(
    roster: list[EmployeeVersion],
    assessment: AssessmentVersions,
    copy_employees: dict[str, tuple[int, str]],
    copy_results: dict[str, tuple[str, int]],
    copy_ratings: dict[str, tuple[int, str]],
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


async def _copy(settings: ReconcileSettings, tenant: str) -> tuple[dict, dict, dict]:
    use_tenant_scope([tenant])  # row-level security: this tenant's rows only
    engine = create_engine(settings)
    try:
        async with read_session_factory(engine)() as session:
            employees = await session.execute(
                select(EmployeeRecord.nip, EmployeeRecord.version, EmployeeRecord.status).where(
                    EmployeeRecord.tenant_id == tenant
                )
            )
            results = await session.execute(
                select(PotentialInput.nip, PotentialInput.assessment_id, PotentialInput.version).where(
                    PotentialInput.tenant_id == tenant
                )
            )
            ratings = await session.execute(
                select(PerformanceInput.nip, PerformanceInput.year, PerformanceInput.predikat).where(
                    PerformanceInput.tenant_id == tenant
                )
            )
            return ({n: (v, s) for n, v, s in employees}, {n: (a, v) for n, a, v in results},
                    {n: (y, p) for n, y, p in ratings})  # fmt: skip
    finally:
        await engine.dispose()


async def _resync(client: httpx.AsyncClient, path: str, nips: list[str]) -> int:
    published = 0
    for start in range(0, len(nips), MAX_RESYNC):
        r = await client.post(path, json={"nips": nips[start : start + MAX_RESYNC]})
        r.raise_for_status()
        published += r.json()["published"]
    return published


async def reconcile(settings: ReconcileSettings, tenant: str, *, repair: bool) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=settings.reconcile_gateway_url, timeout=120) as client:
        client.headers["authorization"] = f"Bearer {await _token(settings, client)}"
        r = await client.get(f"/tenants/{tenant}/employees/versions")
        r.raise_for_status()
        roster = [EmployeeVersion.model_validate(e) for e in r.json()]
        r = await client.get(f"/tenants/{tenant}/assessments/versions")
        r.raise_for_status()
        assessment = AssessmentVersions.model_validate(r.json())
        differences = compare(roster, assessment, *await _copy(settings, tenant))
        report: dict[str, Any] = {
            "tenant": tenant,
            "differs": differences.differs,
            "employees": differences.employees.report(),
            "results": differences.results.report(),
            "ratings": differences.ratings.report(),
        }
        if repair and differences.differs:
            report["repair"] = {
                "roster_events": await _resync(client, f"/tenants/{tenant}/employees/resync", differences.roster_resync()),
                "assessment_events": await _resync(
                    client, f"/tenants/{tenant}/assessments/resync", differences.assessment_resync()
                ),
                # Rows only placement has cannot be fixed by an owner's event: an operator decides.
                "left_for_an_operator": {k: getattr(differences, k).extra for k in ("employees", "results", "ratings")
                                         if getattr(differences, k).extra},  # fmt: skip
            }
        return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m placement.reconcile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--repair", action="store_true", help="ask the owners to publish what differs again")
    args = parser.parse_args(argv)
    report = asyncio.run(reconcile(ReconcileSettings(), args.tenant, repair=args.repair))
    print(json.dumps(report, indent=2))
    return 0 if not report["differs"] or args.repair else 1


if __name__ == "__main__":
    sys.exit(main())
