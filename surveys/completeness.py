"""What a return still needs: per section (for the task list) and for submission."""

from dataclasses import dataclass

from surveys.sections import SELF_ASSESSMENT, Section, sections_for

NOT_STARTED, IN_PROGRESS, COMPLETED = "Not started", "In progress", "Completed"
TO_CHECK = "Check and update"  # carried over from an earlier round, neither saved nor confirmed
CARRIED_ANCHOR = "carried-over"  # the section page's notice, with its "No change" button


def _child_count(scoping_return, relation: str) -> int:
    counts = getattr(scoping_return, "_child_counts", None)
    if counts is not None and relation in counts:
        return counts[relation]
    return getattr(scoping_return, relation).count()


def field_anchor(name: str) -> str:
    """The id to link to for a field on its section's page: the element around its label (or
    its radios' legend) and its input, so that the question is in view when the link lands."""
    return f"div_id_{name}"


def child_anchor(relation: str) -> str:
    """The id of a child formset's heading on its section's page (its prefix is the relation)."""
    return f"{relation}-title"


def to_check(scoping_return, section: Section) -> bool:
    """Whether `section` was carried over from an earlier round and the lead has neither saved
    it nor confirmed it unchanged since."""
    return bool(scoping_return.carried_from_id) and section.slug not in (
        scoping_return.saved_sections | scoping_return.unchanged_sections
    )


def _missing(scoping_return, section: Section):
    """(field name or child relation, id to link to, message to the lead, what it is called)
    for each thing `section` still needs before the return is submitted."""
    if to_check(scoping_return, section):
        earlier = scoping_return.carried_from
        yield (
            "carried_over",
            CARRIED_ANCHOR,
            f"Check the answers carried over from {earlier}: save the section, or confirm "
            f"there is no change since {earlier}",
            f"Checked since {earlier}",
        )
    for question in section.questions_in(scoping_return.survey_round.framework_version):
        if question.required and getattr(scoping_return, question.name) in ("", None):
            yield question.name, field_anchor(question.name), question.required, question.label
    relation = section.requires_child
    if relation and not _child_count(scoping_return, relation):
        yield relation, child_anchor(relation), "Add at least one contact", "A contact"
    if section.toolkit:
        for area in unrated_areas(scoping_return):
            yield (
                SELF_ASSESSMENT,
                area_anchor(area.slug),
                f"Select a level for {area.name}",
                f"A level for {area.name}",
            )


def area_anchor(slug: str) -> str:
    """The id of a guidance area's rows on the self-assessment page."""
    return f"area-{slug}"


def unrated_areas(scoping_return) -> list:
    """The toolkit's guidance areas the return has no level for, in the toolkit's order (two
    queries)."""
    from toolkit.versions import areas

    rated = set(
        scoping_return.self_assessments.filter(level__isnull=False).values_list(
            "area_id", flat=True
        )
    )
    return [area for area in areas() if area.slug not in rated]


def section_missing(scoping_return, section: Section) -> list[tuple[str, str]]:
    """(field id, message) for each thing `section` still needs before the return is submitted.

    The id is that of the element to link to on the section's page.
    """
    return [(item.anchor, item.message) for item in _section_items(scoping_return, section)]


def section_needs(scoping_return, section: Section) -> dict[str, str]:
    """{field name or child relation: message}: what to say beside each question of the section
    that submitting still needs."""
    return {name: message for name, _, message, _ in _missing(scoping_return, section)}


@dataclass(frozen=True)
class MissingItem:
    """One thing a return needs before it is submitted, and where on which page to fix it."""

    section: Section
    anchor: str
    message: str  # to the lead: "Select whether recurrent funding has been secured (Funding)"
    what: str  # what is missing, as a report lists it: "Recurrent funding secured"


def _section_items(scoping_return, section: Section) -> list[MissingItem]:
    return [
        MissingItem(section, anchor, f"{message} ({section.title})", what)
        for _, anchor, message, what in _missing(scoping_return, section)
    ]


def missing_items(scoping_return) -> list[MissingItem]:
    """What the return still needs before submission, section by section, in the form's order."""
    return [
        item
        for section in sections_for(scoping_return.survey_round)
        for item in _section_items(scoping_return, section)
    ]


def missing_for_submission(scoping_return) -> list[tuple[str, str]]:
    """(field id, message) for everything the return still needs before it is submitted."""
    return [(item.anchor, item.message) for item in missing_items(scoping_return)]


def section_state(scoping_return, section: Section) -> str:
    if to_check(scoping_return, section):
        return TO_CHECK
    if section.slug in scoping_return.unchanged_sections and not section_missing(
        scoping_return, section
    ):
        return COMPLETED
    started = (
        section.slug in scoping_return.saved_sections
        or any(getattr(scoping_return, name) not in ("", None) for name in section.fields)
        or (section.toolkit and _child_count(scoping_return, SELF_ASSESSMENT) > 0)
    )
    if not started:
        return NOT_STARTED
    if section.slug in scoping_return.saved_sections and not section_missing(
        scoping_return, section
    ):
        return COMPLETED
    return IN_PROGRESS
