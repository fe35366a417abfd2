from django import template

from reports.exports import cell_text
from surveys import answers

register = template.Library()


@register.filter
def plain_number(value) -> str:
    """A decimal without trailing zeros or exponent: 2.50 → 2.5, 10.00 → 10."""
    return cell_text(value)


@register.filter
def with_article(role: str) -> str:
    """A care role after "with": "a GP lead", "an Occupational therapist", "another role"."""
    if role.lower() == "other":
        return "another role"
    return answers.with_article(role)
