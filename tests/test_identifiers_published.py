"""Identifier checks against codes published by others, not codes our own factories made.

The USCCs and identity numbers below are published test data of python-stdnum
(tests/test_cn_uscc.doctest "found online"; tests/test_cn_ric.doctest) and the example of
GB 11643-1999; each check character is also computed by hand in a comment, so a change to the
weights or the alphabet in credit.domain.identifiers fails here.
"""

from __future__ import annotations

import pytest

from credit.domain.identifiers import (
    IdentifierError,
    organization_code_check,
    validate_identity_number,
    validate_uscc,
)

PUBLISHED_USCCS = [
    "91110000600037341L",
    "91110000710926094P",
    "121200004013590816",
    "91310000631696382C",
    "9144030071526726XG",
    "91440300568520498A",
    "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD",
    "92340602MA2PBMEM24",
    "91620105L015101280",
]


@pytest.mark.parametrize("code", PUBLISHED_USCCS)
def test_published_real_usccs_are_accepted(code: str) -> None:
    assert validate_uscc(code) == code


def test_the_uscc_check_character_computed_by_hand() -> None:
    # GB 32100-2015 on 91110000600037341L. Values: 0-9 as themselves, A=10 ... L=20 ...
    # (I, O, S, V, Z unused). Weights 3^(i-1) mod 31 for positions 1-17:
    #   1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
    # characters 9 1 1 1 0 0 0 0 6 0 0 0 3 7 3 4 1:
    #   9*1 + 1*3 + 1*9 + 1*27 + 6*20 + 3*8 + 7*24 + 3*10 + 4*30 + 1*28
    #   = 9 + 3 + 9 + 27 + 120 + 24 + 168 + 30 + 120 + 28 = 538
    # 538 mod 31 = 11; 31 - 11 = 20 = "L"
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    for wrong in "0123456789ABCDEFGHJKMNPQRTUWXY":
        with pytest.raises(IdentifierError) as caught:
            validate_uscc("91110000600037341" + wrong)
        assert caught.value.rule == "uscc.check_character"


def test_the_organisation_code_check_computed_by_hand() -> None:
    # GB 11714 on the body 60003734 of 91110000600037341L; weights 3 7 9 10 5 8 4 2:
    #   6*3 + 0*7 + 0*9 + 0*10 + 3*5 + 7*8 + 3*4 + 4*2 = 18 + 15 + 56 + 12 + 8 = 109
    # 109 mod 11 = 10; 11 - 10 = 1
    assert organization_code_check("60003734") == "1"
    # 9144030071526726XG: body 71526726
    #   7*3 + 1*7 + 5*9 + 2*10 + 6*5 + 7*8 + 2*4 + 6*2 = 21+7+45+20+30+56+8+12 = 199
    # 199 mod 11 = 1; 11 - 1 = 10 = "X"
    assert organization_code_check("71526726") == "X"


def test_a_published_invalid_uscc_is_refused() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91110000600037341N")  # python-stdnum's InvalidChecksum example
    assert caught.value.rule == "uscc.check_character"


@pytest.mark.parametrize(
    "number", ["360426199101010071", "44011320141005001X", "11010519491231002X"]
)
def test_published_identity_numbers_are_accepted(number: str) -> None:
    assert validate_identity_number(number) == number


def test_the_identity_number_check_digit_computed_by_hand() -> None:
    # GB 11643-1999 example 11010519491231002X. Weights 2^(17-i) mod 11:
    #   7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    # digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2:
    #   7 + 9 + 0 + 5 + 0 + 20 + 2 + 9 + 24 + 27 + 7 + 18 + 30 + 5 + 0 + 0 + 4 = 167
    # 167 mod 11 = 2; the check table 1 0 X 9 8 7 6 5 4 3 2 gives "X" at index 2
    assert validate_identity_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(IdentifierError):
        validate_identity_number("110105194912310021")
    with pytest.raises(IdentifierError):
        validate_identity_number("36042619910102009X")  # python-stdnum's bad checksum
