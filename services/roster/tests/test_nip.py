from datetime import date

import pytest
from roster.domain import NipError, check_nip_matches_record, parse_nip


def test_valid_nip_is_split_into_its_parts():
    nip = parse_nip("198503152010011003")
    assert nip.birth_date == date(1985, 3, 15)
    assert nip.tmt == date(2010, 1, 1)
    assert nip.gender == "male"
    assert nip.sequence == 3


def test_female_digit_and_real_day_without_nik_offset():
    # NIK adds 40 to a woman's birth day; NIP does not, so day 15 stays 15 and day 55 is invalid.
    assert parse_nip("199012152015032001").gender == "female"
    with pytest.raises(NipError) as err:
        parse_nip("199012552015032001")
    assert err.value.rule == "birth_date"


@pytest.mark.parametrize(
    ("nip", "rule"),
    [
        ("19850315201001100", "length"),  # 17 digits
        ("1985031520100110031", "length"),  # 19 digits
        ("", "digits"),
        ("19850315201001100A", "digits"),
        ("1985-03-15-2010011", "digits"),
        ("１９８５０３１５２０１００１１００３", "digits"),  # full-width digits are not ASCII digits
        ("198502302010011003", "birth_date"),  # 30 February
        ("198513152010011003", "birth_date"),  # month 13
        ("198503152010131003", "tmt"),  # TMT month 13
        ("198503152010001003", "tmt"),  # TMT month 00
        ("198503152003021003", "tmt"),  # TMT at 17 years 11 months
        ("198503152010013003", "gender"),
        ("198503152010010003", "gender"),
    ],
)
def test_invalid_nips_name_the_rule(nip, rule):
    with pytest.raises(NipError) as err:
        parse_nip(nip)
    assert err.value.rule == rule


def test_tmt_in_the_month_of_the_eighteenth_birthday_is_allowed():
    assert parse_nip("198503152003031003").tmt == date(2003, 3, 1)


def test_impossible_years_are_refused():
    with pytest.raises(NipError) as err:
        parse_nip("000101152010011003")
    assert err.value.rule == "birth_date"
    with pytest.raises(NipError) as err:
        parse_nip("209901152120011003", today=date(2026, 11, 24))
    assert err.value.rule == "tmt"  # appointed in 2120


def test_tmt_this_month_is_allowed_but_not_next_month():
    assert parse_nip("200001152026111003", today=date(2026, 11, 24)).tmt == date(2026, 11, 1)
    with pytest.raises(NipError):
        parse_nip("200001152026121003", today=date(2026, 11, 24))


def test_ni_pppk_has_the_pppk_code_where_a_nip_has_the_tmt_month():
    nip = parse_nip("198609262023211012", "PPPK", today=date(2026, 11, 24))
    assert nip.birth_date == date(1986, 9, 26) and nip.tmt == date(2023, 1, 1) and nip.gender == "male"
    with pytest.raises(NipError) as err:
        parse_nip("198609262023011012", "PPPK")
    assert err.value.rule == "tmt"
    with pytest.raises(NipError) as err:
        parse_nip("198609262023211012", "PNS")  # month 21
    assert err.value.rule == "tmt"


def test_record_must_match_the_nip():
    nip = parse_nip("198503152010011003")
    check_nip_matches_record(nip, date(1985, 3, 15), "male")
    with pytest.raises(NipError) as err:
        check_nip_matches_record(nip, date(1985, 3, 16), None)
    assert err.value.rule == "birth_date_mismatch"
    with pytest.raises(NipError) as err:
        check_nip_matches_record(nip, None, "female")
    assert err.value.rule == "gender_mismatch"
