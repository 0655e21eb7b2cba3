from __future__ import annotations

from bakat_common.settings import ServiceSettings


class RosterSettings(ServiceSettings):
    service_name: str = "roster"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5433/bakat_roster"
