"""Answers as people read them, on check answers, the review and the profiles."""

from decimal import Decimal

from django.utils.text import capfirst

from surveys.fields import CodeListField
from surveys.models import ScopingReturn
from surveys.numbers import plain_decimal
from surveys.sections import Section, not_asked


def with_article(words: str) -> str:
    """ "a submitted", "an accepted", "an Occupational therapist"."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def field_label(name: str) -> str:
    """A return's field as a heading reads it: "Service status"."""
    return capfirst(ScopingReturn._meta.get_field(name).verbose_name)


def display_value(scoping_return, name: str) -> str:
    """A field's value as people read it: choice labels, list labels, ages and amounts."""
    return shown_as(name, getattr(scoping_return, name))


def shown_as(name: str, value) -> str:
    """A value of the return's field `name` as people read it, wherever it was read from (a
    return, or a row of `values()`): choice labels, list labels, ages and amounts."""
    model_field = ScopingReturn._meta.get_field(name)
    if isinstance(model_field, CodeListField):
        return ", ".join(model_field.labels(value or ""))
    if value is None:
        return ""
    if model_field.choices and value:
        return str(dict(model_field.flatchoices).get(value, value))
    return plain_decimal(value) if isinstance(value, Decimal) else str(value)


def section_rows(scoping_return, section: Section) -> list[tuple[str, str, str]]:
    """(field name, label, value) of a section's fields, for check-your-answers and profiles:
    a question added after the round's framework version reads "Not asked in <round>", one
    retired by then is left out."""
    survey_round = scoping_return.survey_round
    return [
        (
            q.name,
            field_label(q.name),
            not_asked(q.name, survey_round) or display_value(scoping_return, q.name),
        )
        for q in section.shown_in(survey_round.framework_version)
    ]
