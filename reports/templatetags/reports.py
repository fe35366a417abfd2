from django import template

from reports.exports import cell_text

register = template.Library()


@register.filter
def plain_number(value) -> str:
    """A decimal without trailing zeros or exponent: 2.50 → 2.5, 10.00 → 10."""
    return cell_text(value)
