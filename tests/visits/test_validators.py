import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from visits.validators import id_check_digit, id_number_error, make_id_number, mask_id_number, validate_id_number

# A textbook-valid number (GB 11643 example) and one ending in X.
VALID = "11010519491231002X"


def test_check_digit_follows_mod_11_2():
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"


def test_valid_numbers_pass():
    validate_id_number(VALID)
    validate_id_number("440524198001010013")
    validate_id_number(" 11010519491231002x ")  # spaces and a lower-case x are normalised


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验位不正确"),
        ("110105194902300020", "出生日期无效"),  # 30 February
        ("11010519491231002", "18 位"),
        ("1101051949123100AX", "前 17 位应为数字"),
    ],
)
def test_invalid_numbers_are_refused_in_chinese(value, message):
    assert message in (id_number_error(value) or "")
    with pytest.raises(ValidationError):
        validate_id_number(value)


def test_future_birth_date_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert "出生日期" in (id_number_error(make_id_number(region="500224", birth=tomorrow, sequence=1)) or "")


def test_mask_shows_first_six_and_last_four():
    assert mask_id_number("50022419800101123X") == "500224********123X"
