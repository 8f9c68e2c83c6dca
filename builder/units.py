"""Unit conversion with pint: a figure reported in any unit of its kind, in the canonical unit.

Where the XBRL unit of the reported unit is the canonical one (kg, kWh, ten thousand tonnes,
'000 kWh), the figure is shown as reported and tagged with a power-of-ten scale; where it is
not (GJ for energy), the figure is converted to the canonical unit with Decimal arithmetic and
the reported figure is kept in a note. Conversion factors come from pint, never typed here.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from .catalogue import Unit, load_catalogue


@cache
def registry():
    import pint  # imported when a figure needs converting: it takes 0.2 s, most reports never do

    ureg = pint.UnitRegistry(non_int_type=Decimal)
    # what pint does not know: GHG mass as CO2 equivalent, headcounts, currencies, rates
    for definition in (
        "tCO2e = [greenhouse_gas]", "kgCO2e = tCO2e / 1000", "person = [headcount]", "item = [count]",
        "HKD = [hkd]", "CNY = [cny]", "USD = [usd]", "per_100_employees = [rate_per_employee]",
        "per_200000_hours = [rate_per_hours]", "per_million_hours = per_200000_hours / 5",
    ):
        ureg.define(definition)
    return ureg


def canonical(unit: Unit) -> Unit:
    return load_catalogue().units_of(unit.kind)[0]


@cache
def factor(code: str) -> Decimal | None:
    """How many canonical units one unit is, or None where they cannot convert (currencies)."""
    import pint

    unit = load_catalogue().units[code]
    target = canonical(unit)
    ureg = registry()
    try:
        magnitude = (ureg.Quantity(Decimal(1)) * ureg(unit.pint)).to(ureg(target.pint).units).magnitude / ureg(target.pint).magnitude
    except pint.DimensionalityError:
        return None
    return Decimal(magnitude).normalize()


def needs_conversion(code: str) -> bool:
    """True where the figure cannot be tagged as reported in the canonical XBRL unit."""
    unit = load_catalogue().units[code]
    return unit.xbrl != canonical(unit).xbrl and factor(code) is not None


def to_canonical(value: Decimal, code: str) -> Decimal:
    """value in the canonical unit, keeping the reported figure's significant digits."""
    converted = value * factor(code)
    if value == 0:
        return Decimal(0)
    digits = len(value.as_tuple().digits)
    return converted.quantize(Decimal(1).scaleb(converted.adjusted() - digits + 1)).normalize() if digits else converted
