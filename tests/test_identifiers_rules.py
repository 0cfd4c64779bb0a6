"""The identifier rules one by one, each rejection with its rule and message (pure: no
database). tests/test_identifiers_published.py checks the same rules against published codes."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from stdnum.cn import ric

from credit.domain.identifiers import (
    IdentifierError,
    hash_identity_number,
    mask_identity_number,
    organization_code_check,
    validate_identity_number,
    validate_uscc,
)
from tests.factories import broken_org_code_uscc, make_uscc


def rejected(check: object, value: str) -> tuple[str, str]:
    assert callable(check)
    with pytest.raises(IdentifierError) as caught:
        check(value)
    return caught.value.rule, str(caught.value)


def with_check_digit(partial: str) -> str:
    return partial + ric.calc_check_digit(partial + "0")


def test_a_uscc_is_returned_compact_and_upper_case() -> None:
    assert validate_uscc("9111 0000 6000 3734 1l") == "91110000600037341L"
    assert validate_uscc(make_uscc(7)) == make_uscc(7)


@pytest.mark.parametrize(
    ("value", "rule", "message"),
    [
        ("9111000060003734", "uscc.length", "a USCC has exactly 18 characters"),
        (
            "91110000600037341M",
            "uscc.check_character",
            "the 18th character does not match GB 32100-2015",
        ),
        (
            "A1110000600037341L",
            "uscc.alphabet",
            "a USCC has 8 leading digits and then only 0-9 and A-Z without I, O, S, V, Z",
        ),
        (
            broken_org_code_uscc(1),
            "uscc.organization_code",
            "characters 9-17 are not a valid GB 11714 organisation code",
        ),
    ],
)
def test_each_broken_uscc_rule_is_named_with_its_message(
    value: str, rule: str, message: str
) -> None:
    assert rejected(validate_uscc, value) == (rule, message)


def test_the_organisation_code_check_maps_ten_to_x_and_eleven_to_zero() -> None:
    assert organization_code_check("00000000") == "0"  # 11 - 0 = 11
    assert organization_code_check("00000002") == "7"  # 2*2 = 4; 11 - 4 = 7
    assert organization_code_check("00000005") == "1"  # 5*2 = 10; 11 - 10 = 1
    assert organization_code_check("00000006") == "X"  # 6*2 = 12 = 1 mod 11; 11 - 1 = 10
    assert organization_code_check("0000000A") == "2"  # A = 10: 10*2 = 20 = 9 mod 11
    assert organization_code_check("10000000") == "8"  # 1*3 = 3; 11 - 3 = 8


def test_an_identity_number_is_returned_compact() -> None:
    number = with_check_digit("11010119800101001")
    assert validate_identity_number(number) == number


@pytest.mark.parametrize(
    ("value", "rule", "message"),
    [
        ("1101011980010100", "id_number.length", "an identity number has 18 characters"),
        ("11010119800101001X", "id_number.check_digit", "the check digit does not match GB 11643"),
        (
            with_check_digit("11010119800230001"),
            "id_number.birth_date",
            "the birth date in the number is not a real date",
        ),
        (
            with_check_digit("99010119800101001"),
            "id_number.region",
            "the first six digits are not a known region code",
        ),
        (
            "A10101198001010019",
            "id_number.format",
            "17 digits followed by a digit or X are required",
        ),
    ],
)
def test_each_broken_identity_number_rule_is_named_with_its_message(
    value: str, rule: str, message: str
) -> None:
    assert rejected(validate_identity_number, value) == (rule, message)


def test_the_hash_is_the_keyed_sha256_cut_to_32_characters() -> None:
    number = with_check_digit("11010119800101001")
    expected = hmac.new(b"secret", number.encode(), hashlib.sha256).hexdigest()[:32]
    assert hash_identity_number(number, "secret") == expected
    assert len(expected) == 32
    assert hash_identity_number(number, "other") != expected


def test_the_mask_keeps_the_first_and_last_four_characters() -> None:
    assert mask_identity_number("110101198001010010") == "1101**********0010"
    assert mask_identity_number("12345678") == "12345678"
