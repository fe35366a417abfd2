"""A borough's profile in the layout of the 2017 report's Section 2."""

from dataclasses import dataclass

from reports.queries.report import APPENDIX_ANSWER_FIELDS
from surveys.answers import display_value, field_label
from surveys.models import ScopingReturn
from surveys.sections import QUESTIONS, SECTIONS_BY_SLUG, not_asked


@dataclass(frozen=True)
class ProfilePart:
    slug: str
    title: str
    fields: tuple[str, ...]
    children: str = ""  # care_roles, measures, funding_lines or contacts


PROFILE_LAYOUT = (
    ProfilePart(
        "current-situation",
        "Current situation",
        ("status", "service_name", "status_note", "current_situation", "co_production"),
    ),
    ProfilePart(
        "model",
        "Model",
        ("service_form", "model_types", "model_other", "model_description"),
    ),
    ProfilePart("aims", "Aims", ("aims",)),
    ProfilePart(
        "scope",
        "Scope",
        ("scope", "min_age", "max_age", "inclusion_notes", "exclusion_criteria"),
    ),
    ProfilePart("working-style", "Working style", ("working_style",)),
    ProfilePart("care-roles", "Care roles", (), children="care_roles"),
    ProfilePart("training", "Training", ("training", "training_description")),
    ProfilePart(
        "records",
        "Electronic record keeping",
        ("shared_it", "it_systems", "it_systems_other", "it_description"),
    ),
    ProfilePart(
        "prescribing",
        "Prescribing",
        SECTIONS_BY_SLUG["prescribing"].fields,
    ),
    ProfilePart(
        "outcomes",
        "Outcome measures",
        ("outcome_measures", "key_outcomes"),
        children="measures",
    ),
    ProfilePart(
        "funding", "Funding", ("recurrent_funding", "funding_notes"), children="funding_lines"
    ),
    ProfilePart("contacts", "Contacts", (), children="contacts"),
)


def profile_parts(scoping_return: ScopingReturn) -> list[dict]:
    """The profile's parts with their (label, value) rows; empty optional values are left out,
    classifications are always shown. Child rows come from the return's prefetched relations."""
    always = {"status", "service_form", "scope", *APPENDIX_ANSWER_FIELDS}  # the appendix's columns
    survey_round = scoping_return.survey_round
    parts = []
    for part in PROFILE_LAYOUT:
        rows = []
        for name in part.fields:
            if QUESTIONS[name].retired_by(survey_round.framework_version):
                continue
            value = not_asked(name, survey_round) or display_value(scoping_return, name)
            if value or name in always:
                rows.append((field_label(name), value or "Not answered"))
        children = list(getattr(scoping_return, part.children).all()) if part.children else []
        text = ""
        if len(part.fields) == 1 and field_label(part.fields[0]).lower() == part.title.lower():
            # A part that is one narrative ("Aims") reads as a paragraph, not a labelled row.
            text = display_value(scoping_return, part.fields[0]) or "Not given."
            rows = []
        parts.append({"part": part, "rows": rows, "text": text, "children": children})
    return parts
