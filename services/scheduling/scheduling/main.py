from __future__ import annotations

from bakat_common.app import create_service_app
from fastapi import FastAPI

from scheduling.api import assessors, router, schedule_routes
from scheduling.config import SchedulingSettings
from scheduling.consumers import consumer_specs
from scheduling.schedules import SolveMetrics


def create_app(settings: SchedulingSettings) -> FastAPI:
    return create_service_app(
        settings,
        title="Bakat scheduling",
        description=(
            "Venues, rooms and assessors for assessment days, and schedules made by an optimising solver"
            " (OR-Tools CP-SAT)."
        ),
        routers=[router, assessors, schedule_routes],
        consumers=consumer_specs(),
        domain_metrics=SolveMetrics,
    )


def app_from_env() -> FastAPI:
    return create_app(SchedulingSettings())
