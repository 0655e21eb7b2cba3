"""Calibration: officers move employees to another box with a reason, grouped in sessions approved together."""
