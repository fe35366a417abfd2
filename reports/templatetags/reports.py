from django import template

from surveys import answers

register = template.Library()


@register.filter
def with_article(role: str) -> str:
    """A care role after "with": "a GP lead", "an Occupational therapist", "another role"."""
    if role.lower() == "other":
        return "another role"
    return answers.with_article(role)
