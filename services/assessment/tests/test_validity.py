from datetime import date

from assessment.domain import valid_until


def test_results_stay_valid_the_configured_years():
    assert valid_until(date(2024, 5, 2), 3) == date(2027, 5, 2)
    assert valid_until(date(2024, 5, 2), 2) == date(2026, 5, 2)


def test_leap_day_falls_back_to_28_february():
    assert valid_until(date(2024, 2, 29), 3) == date(2027, 2, 28)
