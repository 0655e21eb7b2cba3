"""Roster's own metrics (the domain dashboard's import panels), on the app's registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

IMPORT_SECONDS_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
SOURCES = ("file", "api", "siasn")  # an upload, a BKN push, SIASN records
STATUSES = ("done", "rejected", "failed")


class RosterMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.import_jobs = Counter(
            "bakat_import_jobs_total",
            "Import jobs finished, by source (file, api, siasn) and status (done, rejected, failed)",
            ["tenant", "source", "status"],
            registry=registry,
        )
        self.import_job_seconds = Histogram(
            "bakat_import_job_seconds",
            "Time from an import job's start to its outcome",
            ["source", "status"],
            buckets=IMPORT_SECONDS_BUCKETS,
            registry=registry,
        )
        self.import_rows = Counter(
            "bakat_import_rows_total",
            "Rows of finished import jobs, by what became of them (imported, unchanged, error)",
            ["tenant", "source", "outcome"],
            registry=registry,
        )
        for source in SOURCES:  # at 0 from the start: the first job of each kind is an increase
            for status in STATUSES:
                self.import_job_seconds.labels(source, status)

    def import_finished(self, tenant: str, source: str, outcome: Mapping[str, Any], seconds: float) -> None:
        status = outcome["status"]
        self.import_jobs.labels(tenant, source, status).inc()
        self.import_job_seconds.labels(source, status).observe(seconds)
        for name in ("imported", "unchanged"):
            if outcome.get(name):
                self.import_rows.labels(tenant, source, name).inc(outcome[name])
        if outcome.get("error_count"):
            self.import_rows.labels(tenant, source, "error").inc(outcome["error_count"])

    def interrupted(self, tenant: str, source: str) -> None:
        """A job whose process died, found out when it is read (it never reached an outcome)."""
        self.import_jobs.labels(tenant, source, "failed").inc()
