from __future__ import annotations

from bakat_common.app import create_service_app
from fastapi import FastAPI

from roster import resync_api, service
from roster.api import router
from roster.config import RosterSettings
from roster.metrics import RosterMetrics


def create_app(settings: RosterSettings) -> FastAPI:
    return create_service_app(
        settings,
        title="Bakat roster",
        description="Tenants (provinsi, kabupaten/kota), employees with validated NIP.",
        routers=[resync_api.router, router],  # resync first: its paths would match roster.api's {nip}
        domain_metrics=RosterMetrics,
        request_context=[service.request_context],
    )


def app_from_env() -> FastAPI:
    return create_app(RosterSettings())
