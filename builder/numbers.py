"""How numbers are shown: as reported, with the precision the YAML gave them.

A figure written 93600.00 in the YAML is shown 93,600.00; one written 26 is shown 26. The
number itself is never rounded on its way to the page (or, later, to the XBRL fact).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

LOCALE = "en_GB"


def decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_number(value: Decimal) -> str:
    places = decimal_places(value)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=LOCALE, decimal_quantization=True)
