from django import template
from django.core.exceptions import FieldDoesNotExist

from surveys import answers

register = template.Library()


@register.filter
def with_article(role: str) -> str:
    """A care role after "with": "a GP lead", "an Occupational therapist", "another role"."""
    if role.lower() == "other":
        return "another role"
    return answers.with_article(role)


@register.filter
def for_section(statements, section: str) -> list:
    """The published statements shown beside the figures of one part of the summary."""
    return [statement for statement in statements or () if statement.section == section]


@register.filter
def question_label(name: str) -> str:
    """A return's field name as its question reads ("shared_it" → "Shared IT system with
    general practice"); a name that is no field, as it is."""
    try:
        return answers.field_label(name)
    except FieldDoesNotExist:
        return name


@register.filter
def status_query(role, status: str) -> str:
    """The borough list's query for the boroughs with a care role at a post status."""
    return role.status_query(status)
