"""Tables of the calibration feature (placement's database; migration 0006)."""

from __future__ import annotations

from placement.models import Base  # noqa: F401  (the feature's models subclass it)
