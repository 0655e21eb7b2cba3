"""The nine-box gauge is replaced whole at each count: a box that emptied does not keep its last count."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from placement.metrics import PlacementMetrics


def test_a_count_replaces_the_whole_distribution() -> None:
    registry = CollectorRegistry()
    metrics = PlacementMetrics(registry)
    metrics.set_distribution([("kota-batu", 9, 3), ("kota-batu", 5, 10), ("kota-serang", 1, 2)])
    assert registry.get_sample_value("bakat_nine_box_employees", {"tenant": "kota-batu", "box": "9"}) == 3
    metrics.set_distribution([("kota-batu", 5, 13)])  # the three in box 9 were calibrated down
    assert registry.get_sample_value("bakat_nine_box_employees", {"tenant": "kota-batu", "box": "9"}) is None
    assert registry.get_sample_value("bakat_nine_box_employees", {"tenant": "kota-serang", "box": "1"}) is None
    assert registry.get_sample_value("bakat_nine_box_employees", {"tenant": "kota-batu", "box": "5"}) == 13
