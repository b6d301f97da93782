"""National Provider Identifier check digit: Luhn over the 9 digits prefixed with 80840.

CMS, "Requirements for NPI check digit" (the 80840 prefix is the card issuer identifier of health
applications in ISO/IEC 7812, which makes an NPI valid as a 15-digit card number).
"""

from __future__ import annotations

_PREFIX = "80840"


def npi_is_valid(npi: str) -> bool:
    """True for ten digits whose last is the Luhn check digit of 80840 + the first nine."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    return _luhn_check_digit(_PREFIX + npi[:9]) == int(npi[9])


def check_npi(npi: str, whose: str) -> str:
    """``npi`` if valid; otherwise ValueError naming whose NPI is wrong and why."""
    npi = (npi or "").strip()
    if not npi:
        raise ValueError(f"{whose} has no NPI; enter the 10-digit NPI from NPPES")
    if not npi_is_valid(npi):
        raise ValueError(f"{whose}'s NPI {npi} is not valid (10 digits with a correct check digit)")
    return npi


def with_check_digit(first_nine: str) -> str:
    """The NPI made of ``first_nine`` digits and their check digit (for test and demo identifiers)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("an NPI starts with 9 digits")
    return first_nine + str(_luhn_check_digit(_PREFIX + first_nine))


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: the rightmost digit of the payload sits next to the check digit
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return (10 - total % 10) % 10
