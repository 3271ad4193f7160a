import pytest

from gi_registry.credit_code import (
    CreditCodeError,
    check_character,
    is_valid_credit_code,
    normalize_credit_code,
    verify_credit_code,
)

# Codes printed on public business licences, used in GB 32100 explainers.
REAL_CODES = ["91350100M000100Y43", "91110000100010433L"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_codes_pass(code):
    assert verify_credit_code(code) == code


def test_every_wrong_check_character_is_caught():
    base = REAL_CODES[0][:17]
    right = check_character(base)
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        assert is_valid_credit_code(base + wrong) == (wrong == right)


def test_a_single_mistyped_character_is_caught():
    code = REAL_CODES[1]
    for position in range(17):
        for replacement in "0123456789":
            if replacement == code[position]:
                continue
            typo = code[:position] + replacement + code[position + 1 :]
            if typo[2:8].isdigit():
                assert not is_valid_credit_code(typo), typo


def test_normalisation_accepts_what_people_paste():
    assert normalize_credit_code(" ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"
    assert verify_credit_code("91350100-m000100y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("9135010", "18位"),
        ("91350100M000100Y4", "18位"),
        ("91350100M0001O0Y43", "O"),
        ("913501S0M000100Y43", "S"),
        ("91AB0100M000100Y43", "行政区划"),
        ("91350100M000100Y44", "校验位"),
    ],
)
def test_errors_say_what_is_wrong(code, fragment):
    with pytest.raises(CreditCodeError) as error:
        verify_credit_code(code)
    assert fragment in str(error.value)
