"""The routing table, rule by rule, including the nested-prefix cases where order matters."""

from __future__ import annotations

import pytest
from gateway.routing import ROUTES, SERVICES, resolve


@pytest.mark.parametrize(
    ("path", "service"),
    [
        # tenants themselves
        ("/tenants", "roster"),
        ("/tenants/", "roster"),
        ("/tenants/kota-batu", "roster"),
        ("/tenants/kota-batu/", "roster"),
        # an employee's placement / ratings live outside roster (must win over the employees rule)
        ("/tenants/kota-batu/employees/198001012005011001/placement", "placement"),
        ("/tenants/kota-batu/employees/198001012005011001/placement/history", "placement"),
        ("/tenants/kota-batu/employees/198001012005011001/performance-ratings", "assessment"),
        ("/tenants/kota-batu/employees/198001012005011001/performance-ratings/2024", "assessment"),
        # roster
        ("/tenants/kota-batu/employees", "roster"),
        ("/tenants/kota-batu/employees/", "roster"),
        ("/tenants/kota-batu/employees/198001012005011001", "roster"),
        ("/tenants/kota-batu/employees/198001012005011001/placements-history", "roster"),
        ("/tenants/kota-batu/employees/198001012005011001/placementx", "roster"),
        ("/tenants/kota-batu/units", "roster"),
        ("/tenants/kota-batu/units/u1/children", "roster"),
        ("/tenants/kota-batu/positions/p1", "roster"),
        ("/tenants/kota-batu/imports", "roster"),
        ("/tenants/kota-batu/exports/e1", "roster"),
        # assessment
        ("/tenants/kota-batu/assessments", "assessment"),
        ("/tenants/kota-batu/performance-ratings", "assessment"),
        ("/tenants/kota-batu/campaigns/c1/participants", "assessment"),
        ("/tenants/kota-batu/instruments", "assessment"),
        ("/tenants/kota-batu/development-rules", "assessment"),
        ("/tenants/kota-batu/reassessments", "assessment"),
        ("/tenants/kota-batu/employees/198001012005011001/assessments", "assessment"),
        # placement
        ("/tenants/kota-batu/placements", "placement"),
        ("/tenants/kota-batu/talent-pool", "placement"),
        ("/tenants/kota-batu/nine-box", "placement"),
        ("/tenants/kota-batu/rule-sets/r1/versions", "placement"),
        ("/tenants/kota-batu/calibrations", "placement"),
        ("/tenants/kota-batu/succession/pos-1", "placement"),
        ("/tenants/kota-batu/development-plans", "placement"),
        # scheduling
        ("/tenants/kota-batu/venues/v1/rooms", "scheduling"),
        ("/tenants/kota-batu/assessors", "scheduling"),
        ("/tenants/kota-batu/schedules/s1/solve", "scheduling"),
        # audit trails, where the data lives
        ("/tenants/kota-batu/audit/assessments", "assessment"),
        ("/tenants/kota-batu/audit/placements", "placement"),
        # OpenAPI templates route the same as concrete paths
        ("/tenants/{tenant_id}/employees/{nip}/placement", "placement"),
    ],
)
def test_resolve(path: str, service: str) -> None:
    assert resolve(path) == service


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "",
        "/healthz",
        "/tenant",
        "/tenantsx",
        "/tenants/kota-batu/unknown",
        "/tenants/kota-batu/unitsx",
        "/tenants//units",
        "/api/tenants/kota-batu/units",
        "/tenants/kota-batu/units\n",
    ],
)
def test_unknown_paths_resolve_to_none(path: str) -> None:
    assert resolve(path) is None


def test_table_is_static_and_names_known_services() -> None:
    assert {service for _, service in ROUTES} == set(SERVICES)
