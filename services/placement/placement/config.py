from __future__ import annotations

from bakat_common.settings import ServiceSettings


class PlacementSettings(ServiceSettings):
    service_name: str = "placement"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5433/bakat_placement"
    # How often the worker counts every tenant's nine-box for the metrics (one GROUP BY over placements).
    nine_box_metrics_interval_s: float = 15.0
