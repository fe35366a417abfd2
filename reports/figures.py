"""The figures of a round's summary, each named by a stable key: what a published statement of
the round qualifies (`PublishedStatement.figure`), and where on the summary it is shown.

A key is a figure set ("outcome_measures", "it_systems", "model_types", "ages", "aims"), or one
figure of it after a dot ("outcome_measures.planned", "ages.youngest"). The keys come from the
framework's answer sets, so a new answer or IT system has its key without a migration.
"""

from django.core.exceptions import ValidationError

from surveys.answers import field_label
from surveys.choices import CareRoleType, ItSystem, ModelType, Scope, ServiceStatus
from surveys.models import ANSWER_FIELD_NAMES, ScopingReturn
from surveys.sections import SECTIONS_BY_SLUG

PRESCRIBING = tuple(
    name for name in ANSWER_FIELD_NAMES if name in SECTIONS_BY_SLUG["prescribing"].fields
)


def _answer_sets() -> dict[str, list[tuple[str, str]]]:
    """Each question counted by answer: its key → its answers (code, label)."""
    sets = {"status": ServiceStatus.choices, "scope": Scope.choices}
    for name in ANSWER_FIELD_NAMES:
        sets[name] = ScopingReturn._meta.get_field(name).choices
    return sets


def _figures() -> dict[str, str]:
    """Every figure key → its label, in the summary's order."""
    figures = {"boroughs": "Boroughs of the report"}
    for name, answers in _answer_sets().items():
        title = field_label(name)
        figures[name] = title
        figures.update({f"{name}.{code}": f"{title}: {label}" for code, label in answers})
    for name, title, codes in (
        ("model_types", "Model types", ModelType.choices),
        ("it_systems", "IT systems shared with general practice", ItSystem.choices),
        ("care_roles", "Care roles", CareRoleType.choices),
    ):
        figures[name] = title
        figures.update({f"{name}.{code}": f"{title}: {label}" for code, label in codes})
    figures.update(
        {
            "ages": "Ages",
            "ages.youngest": "Ages: the youngest minimum age",
            "ages.upper": "Ages: upper age limits",
            "aims": "Service aims",
        }
    )
    return figures


FIGURES = _figures()


def figure_choices() -> list[tuple[str, str]]:
    return list(FIGURES.items())


def validate_figure(value: str) -> None:
    if value not in FIGURES:
        raise ValidationError(
            "Choose a figure of the summary, for example outcome_measures.planned",
            code="invalid_choice",
        )


def section_of(key: str) -> str:
    """The part of the summary that shows figure `key`: its figure set, or for the
    prescribing questions their table ("prescribing")."""
    head = key.partition(".")[0]
    return "prescribing" if head in PRESCRIBING else head
