from __future__ import annotations

from bakat_common.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    service_name: str = "assessment"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5433/bakat_assessment"
    # Perban BKN 26/2019: results stay valid 3 years unless the tenant shortens it.
    default_validity_years: int = 3
