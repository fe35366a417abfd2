"""The framework's ten sections as the lead's forms show them: fields, child rows, requirements."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    slug: str
    number: int
    title: str
    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    children: tuple[str, ...] = field(default=())  # related names of child rows
    requires_child: str = ""  # a child relation that needs at least one row to submit
    hint: str = ""


SECTIONS = (
    Section(
        "service",
        1,
        "Service",
        ("status", "service_name", "status_note", "current_situation", "co_production"),
        required=("status",),
        hint="What your PCMH service is called, its status and where it stands today.",
    ),
    Section(
        "model",
        2,
        "Model",
        (
            "model_types",
            "model_other",
            "service_form",
            "model_description",
            "aims",
            "working_style",
        ),
        required=("service_form",),
        hint="The service model, in a line and in detail.",
    ),
    Section(
        "scope",
        3,
        "Scope",
        ("scope", "min_age", "max_age", "inclusion_notes", "exclusion_criteria"),
        required=("scope",),
        hint="Who the service is for.",
    ),
    Section(
        "care-roles",
        4,
        "Care roles",
        (),
        children=("care_roles",),
        hint="The roles in the team, with whole-time equivalents and bands.",
    ),
    Section(
        "training",
        5,
        "Mental health training",
        ("training", "training_description"),
        required=("training",),
    ),
    Section(
        "records",
        6,
        "Electronic record keeping",
        ("shared_it", "it_systems", "it_systems_other", "it_description"),
        required=("shared_it",),
    ),
    Section(
        "prescribing",
        7,
        "Psychotropic medication prescribing",
        (
            "medicines_management",
            "depot_antipsychotics",
            "clozapine_clinic",
            "lithium_clinic",
            "advice_line",
            "primary_care_pharmacist",
            "prescribing_description",
        ),
        required=(
            "medicines_management",
            "depot_antipsychotics",
            "clozapine_clinic",
            "lithium_clinic",
            "advice_line",
            "primary_care_pharmacist",
        ),
    ),
    Section(
        "outcomes",
        8,
        "Outcome measures",
        ("outcome_measures", "key_outcomes"),
        required=("outcome_measures",),
        children=("measures",),
    ),
    Section(
        "funding",
        9,
        "Funding",
        ("recurrent_funding", "funding_notes"),
        required=("recurrent_funding",),
        children=("funding_lines",),
    ),
    Section(
        "contacts",
        10,
        "Contacts",
        (),
        children=("contacts",),
        requires_child="contacts",
        hint="Who the steering group and other boroughs can contact about the service.",
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
# Every answer of a return, in the framework's order: what forms, the admin, imports and the
# data dictionary list.
FIELD_NAMES = tuple(name for section in SECTIONS for name in section.fields)
