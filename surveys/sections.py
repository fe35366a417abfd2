"""The framework's field catalogue: its ten sections (and Section 11, the self-assessment, in a
round that uses the toolkit), each question of a section in order (how
the lead's form asks it, what submitting needs), and each section's child rows.

Everything that lists a return's answers reads them from here: the lead's forms and check
answers, the admin, the import and export, the data dictionary, the reports and the tests. A
field's short label (the admin's, the tables' and the data dictionary's) and its kind are those
of the model field (`Question.label`, `Question.kind`), so that each is said once.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.text import capfirst

from surveys.choices import Answer
from surveys.fields import CodeListField

# The kinds of answer
ANSWER = "answer"  # Yes / No / Planned / Not stated / Not applicable
CHOICE = "choice"  # one of a field's own options (service status, scope)
CODE_LIST = "code list"  # several of a fixed list (model types, IT systems)
NUMBER = "number"
TEXT = "text"
CHOSEN_KINDS = (ANSWER, CHOICE, CODE_LIST)


def kind_of(model_field) -> str:
    """The kind of answer a model field holds."""
    if isinstance(model_field, CodeListField):
        return CODE_LIST
    if model_field.choices:
        return ANSWER if list(model_field.choices) == Answer.choices else CHOICE
    if isinstance(model_field, models.DecimalField | models.IntegerField):
        return NUMBER
    return TEXT


# The framework's versions, oldest first. A round asks one (`SurveyRound.framework_version`);
# each question keeps its key in every round, and is asked from the version that added it
# (`Question.added_in`) until the one that retired it (`Question.retired_in`).
FRAMEWORK_VERSIONS = ("2017",)


def latest_framework_version() -> str:
    """The version a new round asks."""
    return FRAMEWORK_VERSIONS[-1]


def _position(version: str) -> int:
    """Where a framework version comes in the list (an unknown one: after the last)."""
    versions = FRAMEWORK_VERSIONS
    return versions.index(version) if version in versions else len(versions)


@dataclass(frozen=True)
class Question:
    """One answer of a return: `question` and `hint` as the lead's form asks it; `required`, the
    message that says what submitting still needs (empty for an optional question); the
    framework versions that added and retired it."""

    name: str
    question: str
    hint: str = ""
    required: str = ""
    added_in: str = "2017"
    retired_in: str = ""  # the first version that no longer asks it

    def asked_in(self, version: str) -> bool:
        """Whether a round of framework `version` asks it."""
        return _position(self.added_in) <= _position(version) and not self.retired_by(version)

    def added_after(self, version: str) -> bool:
        """Whether it was added after `version`: a round of that version did not ask it yet."""
        return _position(self.added_in) > _position(version)

    def retired_by(self, version: str) -> bool:
        return bool(self.retired_in) and _position(self.retired_in) <= _position(version)

    @property
    def model_field(self):
        return apps.get_model("surveys", "ScopingReturn")._meta.get_field(self.name)

    @property
    def label(self) -> str:
        """The short label: "Service status"."""
        return capfirst(self.model_field.verbose_name)

    @property
    def kind(self) -> str:
        return kind_of(self.model_field)


@dataclass(frozen=True)
class Rows:
    """A section's child rows: the related name, the list's heading, what one row is called,
    and the fields that say which row is which from one round to the next (`same_row`)."""

    relation: str
    title: str  # "Outcome measures used"
    one: str  # "Outcome measure": "Outcome measure 2", "Add another outcome measure"
    same_row: tuple[str, ...] = ()  # a care role is the same role again: (role, role_other)


@dataclass(frozen=True)
class Section:
    slug: str
    number: int
    title: str
    questions: tuple[Question, ...] = ()
    rows: tuple[Rows, ...] = ()
    requires_child: str = ""  # a child relation that needs at least one row to submit
    hint: str = ""
    toolkit: bool = False  # only in a round that uses the self-assessment toolkit

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(question.name for question in self.questions)

    @property
    def children(self) -> tuple[str, ...]:
        """The related names of its child rows."""
        return tuple(rows.relation for rows in self.rows)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(question.name for question in self.questions if question.required)

    def questions_in(self, version: str) -> tuple[Question, ...]:
        """The questions a round of framework `version` asks in this section."""
        return tuple(q for q in self.questions if q.asked_in(version))

    def shown_in(self, version: str) -> tuple[Question, ...]:
        """The questions a round of framework `version` shows: those it asks, and those added
        since (shown as "Not asked in <round>"); not those retired by then."""
        return tuple(q for q in self.questions if not q.retired_by(version))


# The note beside a classified answer: the words the report's tables print beside it.
NOTE_HINT = (
    "Words the tables print under the answer, for example “{example}”. The answer itself is "
    "what the figures count."
)

SECTIONS = (
    Section(
        "service",
        1,
        "Service",
        (
            Question(
                "status",
                "What is the status of your PCMH service?",
                required="Select the status of the service",
            ),
            Question("service_name", "What is the service called?"),
            Question(
                "status_note",
                "Is there anything to add about its status?",
                hint="For example, when a pilot ends or a planned service starts.",
            ),
            Question("current_situation", "Where does the service stand today?"),
            Question(
                "co_production",
                "How have people with lived experience shaped the service?",
            ),
        ),
        hint="What your PCMH service is called, its status and where it stands today.",
    ),
    Section(
        "model",
        2,
        "Model",
        (
            Question("model_types", "Which models does the service follow?"),
            Question(
                "model_other",
                "If another model, which one?",
                hint="Only if you ticked Other.",
            ),
            Question(
                "service_form",
                "What is the service model, in one line?",
                hint="As the STP tables print it, for example “Collaborative care model, "
                "step up/down”.",
                required="Enter the service model in one line",
            ),
            Question("model_description", "How does the model work?"),
            Question("aims", "What does the service aim to achieve?"),
            Question("working_style", "How does the team work with general practice?"),
        ),
        hint="The service model, in a line and in detail.",
    ),
    Section(
        "scope",
        3,
        "Scope",
        (
            Question(
                "scope",
                "Who is the service for?",
                hint="SMI+ is serious mental illness and common mental health difficulties.",
                required="Select who the service is for",
            ),
            Question(
                "scope_note",
                "Is there anything to add to who the service is for, in a few words?",
                hint=NOTE_HINT.format(example="SMI+ 16yrs+"),
            ),
            Question(
                "min_age",
                "What is the youngest age the service takes?",
                hint="In years, for example 18 or 17.5. Leave it empty if there is no minimum.",
            ),
            Question(
                "max_age",
                "What is the oldest age the service takes?",
                hint="In years, for example 65. Leave it empty if there is no upper limit.",
            ),
            Question("inclusion_notes", "Is there anything to add about who the service takes?"),
            Question("exclusion_criteria", "Who does the service not take?"),
        ),
        hint="Who the service is for.",
    ),
    Section(
        "care-roles",
        4,
        "Care roles",
        rows=(Rows("care_roles", "Care roles", "Care role", ("role", "role_other")),),
        hint="The roles in the team, with whole-time equivalents and bands.",
    ),
    Section(
        "training",
        5,
        "Mental health training",
        (
            Question(
                "training",
                "Is there regular mental health training for primary care staff?",
                required="Select whether there is regular mental health training",
            ),
            Question(
                "training_note",
                "Is there anything to add to the answer about training, in a few words?",
                hint=NOTE_HINT.format(example="No (planning mental health diploma for staff)"),
            ),
            Question("training_description", "What training is there?"),
        ),
    ),
    Section(
        "records",
        6,
        "Electronic record keeping",
        (
            Question(
                "shared_it",
                "Does the service share an IT system with general practice?",
                required="Select whether the service shares an IT system with general practice",
            ),
            Question(
                "shared_it_note",
                "Is there anything to add to the answer about a shared IT system, in a few words?",
                hint=NOTE_HINT.format(example="Yes (team will share GP system)"),
            ),
            Question("it_systems", "Which record systems does the service use?"),
            Question(
                "it_systems_other",
                "If another system, which one?",
                hint="Only if you ticked Other.",
            ),
            Question("it_description", "How are records kept and shared?"),
        ),
    ),
    Section(
        "prescribing",
        7,
        "Psychotropic medication prescribing",
        (
            Question(
                "medicines_management",
                "Is medicines management done in primary care?",
                required="Select whether medicines management is done in primary care",
            ),
            Question(
                "medicines_management_note",
                "Is there anything to add to the answer about medicines management, in a few "
                "words?",
                hint=NOTE_HINT.format(example="No - but planned primary care-based pharmacist"),
            ),
            Question(
                "depot_antipsychotics",
                "Are depot antipsychotics given in primary care?",
                required="Select whether depot antipsychotics are given in primary care",
            ),
            Question(
                "clozapine_clinic",
                "Is there a clozapine clinic in primary care?",
                required="Select whether there is a clozapine clinic",
            ),
            Question(
                "lithium_clinic",
                "Is there a lithium monitoring clinic in primary care?",
                required="Select whether there is a lithium monitoring clinic",
            ),
            Question(
                "advice_line",
                "Can general practice call a specialist advice line?",
                required="Select whether there is a specialist advice line",
            ),
            Question(
                "primary_care_pharmacist",
                "Does the service have a primary care pharmacist?",
                required="Select whether the service has a primary care pharmacist",
            ),
            Question("prescribing_description", "How is psychotropic prescribing shared?"),
        ),
    ),
    Section(
        "outcomes",
        8,
        "Outcome measures",
        (
            Question(
                "outcome_measures",
                "Has the service described the outcome measures it uses?",
                required="Select whether the service has described its outcome measures",
            ),
            Question(
                "outcome_measures_note",
                "Is there anything to add to the answer about outcome measures, in a few words?",
                hint=NOTE_HINT.format(example="Planned - Currently under development"),
            ),
            Question("key_outcomes", "What are the key outcomes to date?"),
        ),
        rows=(Rows("measures", "Outcome measures used", "Outcome measure", ("name",)),),
    ),
    Section(
        "funding",
        9,
        "Funding",
        (
            Question(
                "recurrent_funding",
                "Has recurrent funding been secured?",
                required="Select whether recurrent funding has been secured",
            ),
            Question(
                "recurrent_funding_note",
                "Is there anything to add to the answer about recurrent funding, in a few words?",
                hint=NOTE_HINT.format(example="Yes - funding secured 2017/2018"),
            ),
            Question("funding_notes", "Is there anything to add about funding?"),
        ),
        rows=(
            Rows("funding_lines", "Funding lines", "Funding line", ("financial_year", "source")),
        ),
    ),
    Section(
        "contacts",
        10,
        "Contacts",
        rows=(Rows("contacts", "Contacts", "Contact", ("name",)),),
        requires_child="contacts",
        hint="Who the steering group and other boroughs can contact about the service.",
    ),
    Section(
        "self-assessment",
        11,
        "Self-assessment",
        rows=(
            Rows("self_assessments", "Guidance areas", "Guidance area", ("area",)),
            Rows("benefits", "Benefits seen", "Benefit", ("text",)),
            Rows("barriers", "Barriers met", "Barrier", ("text",)),
        ),
        hint="Where the service stands in each of the toolkit's guidance areas, with the "
        "evidence and your next step; the benefits you have seen and the barriers you have met.",
        toolkit=True,
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
# Every answer of a return, in the framework's order: what forms, the admin, imports and the
# data dictionary list.
QUESTIONS = {question.name: question for section in SECTIONS for question in section.questions}
FIELD_NAMES = tuple(QUESTIONS)
# Each kind of child row, by its related name, and the section it belongs to.
ROWS = {rows.relation: rows for section in SECTIONS for rows in section.rows}
ROWS_SECTION = {rows.relation: section for section in SECTIONS for rows in section.rows}
# The section of each answer and each kind of child row: where a query on it is answered.
SECTION_OF = {
    **{name: section for section in SECTIONS for name in section.fields},
    **ROWS_SECTION,
}


# The child rows Section 11 needs for every guidance area of the toolkit (its level).
SELF_ASSESSMENT = "self_assessments"


def sections_for(survey_round) -> tuple[Section, ...]:
    """The sections a round's returns have: Section 11 only in a round using the toolkit."""
    uses_toolkit = bool(getattr(survey_round, "uses_toolkit", False))
    return tuple(section for section in SECTIONS if uses_toolkit or not section.toolkit)


def rows_heading(relation: str) -> str:
    """The heading of a list of child rows with its section's number: "8. Outcome measures used"."""
    return f"{ROWS_SECTION[relation].number}. {ROWS[relation].title}"


def not_asked(name: str, survey_round) -> str:
    """ "Not asked in <round>" for a question added after the round's framework version (its
    returns hold no answer to it, which is not the same as "Not answered"), else ""."""
    question = QUESTIONS[name]
    if question.added_after(survey_round.framework_version):
        return f"Not asked in {survey_round}"
    return ""
