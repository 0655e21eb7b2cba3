from __future__ import annotations

from bakat_common.app import create_service_app
from fastapi import FastAPI

from placement.api import router
from placement.audit import trail
from placement.calibration.api import router as calibration_router
from placement.config import PlacementSettings
from placement.consumers import consumer_specs
from placement.metrics import PlacementMetrics, count_nine_boxes
from placement.plans.api import router as plans_router
from placement.succession.api import router as succession_router


def create_app(settings: PlacementSettings) -> FastAPI:
    return create_service_app(
        settings,
        title="Bakat placement",
        description="Nine-box placement (Permenpan RB 3/2020) computed from assessment and SKP events.",
        routers=[
            router,
            plans_router,
            calibration_router,
            succession_router,
            trail.router("/tenants/{tenant_id}/audit/placements", tag="audit"),
        ],
        consumers=consumer_specs(),
        domain_metrics=PlacementMetrics,
        worker_jobs=[count_nine_boxes],
    )


def app_from_env() -> FastAPI:
    return create_app(PlacementSettings())
