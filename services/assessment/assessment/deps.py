from __future__ import annotations

from typing import Annotated

from bakat_common.app import RuntimeDep
from fastapi import Depends

from assessment.config import AssessmentSettings
from assessment.metrics import AssessmentMetrics


async def assessment_settings(runtime: RuntimeDep) -> AssessmentSettings:
    settings = runtime.settings
    if not isinstance(settings, AssessmentSettings):  # create_app only accepts AssessmentSettings
        raise TypeError("the assessment app runs with AssessmentSettings")
    return settings


SettingsDep = Annotated[AssessmentSettings, Depends(assessment_settings)]


async def assessment_metrics(runtime: RuntimeDep) -> AssessmentMetrics:
    return runtime.domain_metrics


MetricsDep = Annotated[AssessmentMetrics, Depends(assessment_metrics)]
