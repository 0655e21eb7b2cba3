from __future__ import annotations

from bakat_common.app import create_service_app
from fastapi import FastAPI

from roster.api import router
from roster.config import RosterSettings
from roster.metrics import RosterMetrics


def create_app(settings: RosterSettings) -> FastAPI:
    return create_service_app(
        settings,
        title="Bakat roster",
        description="Tenants (provinsi, kabupaten/kota), employees with validated NIP.",
        routers=[router],
        domain_metrics=RosterMetrics,
    )


def app_from_env() -> FastAPI:
    return create_app(RosterSettings())
