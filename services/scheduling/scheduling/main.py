from __future__ import annotations

from bakat_common.app import create_service_app
from fastapi import FastAPI

from scheduling.api import router
from scheduling.config import SchedulingSettings
from scheduling.consumers import consumer_specs


def create_app(settings: SchedulingSettings) -> FastAPI:
    return create_service_app(
        settings,
        title="Bakat scheduling",
        description="Venues and rooms for assessment days (the solver comes with the scheduling issue).",
        routers=[router],
        consumers=consumer_specs(),
    )


def app_from_env() -> FastAPI:
    return create_app(SchedulingSettings())
