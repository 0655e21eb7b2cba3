from __future__ import annotations

from bakat_common.app import create_service_app
from fastapi import FastAPI

from assessment import api, performance_api, resync_api
from assessment.audit import trail
from assessment.config import AssessmentSettings
from assessment.consumers import consumer_specs
from assessment.metrics import AssessmentMetrics


def create_app(settings: AssessmentSettings) -> FastAPI:
    return create_service_app(
        settings,
        title="Bakat assessment",
        description="SKP performance ratings and assessment results; publishes them for placement.",
        routers=[
            resync_api.router,  # first: its paths would match api's {assessment_id}
            api.router,
            performance_api.router,
            trail.router("/tenants/{tenant_id}/audit/assessments", tag="audit"),
        ],
        consumers=consumer_specs(),
        domain_metrics=AssessmentMetrics,
    )


def app_from_env() -> FastAPI:
    return create_app(AssessmentSettings())
