"""Numbers as people read and write them: one place for every page, form and file."""

from decimal import Decimal


def plain_decimal(value: Decimal) -> str:
    """6.40 → "6.4", 120.0 → "120": without trailing zeros or an exponent."""
    return format(value.normalize(), "f")


def money(value: Decimal) -> str:
    """An amount in pounds with thousands separators: 650000.00 → "650,000", 1250.5 →
    "1,250.50"."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def parse_money(text: str) -> str:
    """The number meant by "£650,000", "650,000" or "650000" ("650000"), for a form or an
    import to read; anything else is left as it is, to be refused as not a number."""
    return text.strip().removeprefix("£").replace(",", "").replace(" ", "")
