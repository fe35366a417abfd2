"""What a return still needs: per section (for the task list) and for submission."""

from surveys.models import ScopingReturn
from surveys.sections import SECTIONS, Section

NOT_STARTED, IN_PROGRESS, COMPLETED = "Not started", "In progress", "Completed"


def _label(name: str) -> str:
    return str(ScopingReturn._meta.get_field(name).verbose_name)


def _child_count(scoping_return, relation: str) -> int:
    counts = getattr(scoping_return, "_child_counts", None)
    if counts is not None and relation in counts:
        return counts[relation]
    return getattr(scoping_return, relation).count()


def section_missing(scoping_return, section: Section) -> list[tuple[str, str]]:
    """(field id, message) for each thing `section` still needs before the return is submitted."""
    missing = []
    for name in section.required:
        if getattr(scoping_return, name) in ("", None):
            verb = "Select" if name not in {"service_form"} else "Enter"
            missing.append((f"id_{name}", f"{verb} the {_label(name)} ({section.title})"))
    if section.requires_child and not _child_count(scoping_return, section.requires_child):
        missing.append(("", f"Add at least one contact ({section.title})"))
    return missing


def missing_for_submission(scoping_return) -> list[tuple[str, str]]:
    return [item for section in SECTIONS for item in section_missing(scoping_return, section)]


def section_state(scoping_return, section: Section) -> str:
    started = section.slug in scoping_return.saved_sections or any(
        getattr(scoping_return, name) not in ("", None) for name in section.fields
    )
    if not started:
        return NOT_STARTED
    if section.slug in scoping_return.saved_sections and not section_missing(
        scoping_return, section
    ):
        return COMPLETED
    return IN_PROGRESS


def display_value(scoping_return, name: str) -> str:
    """A field's value as people read it: choice labels, list labels, ages and amounts."""
    if name == "model_types":
        return ", ".join(scoping_return.model_type_labels())
    if name == "it_systems":
        return ", ".join(scoping_return.it_system_labels())
    value = getattr(scoping_return, name)
    display = getattr(scoping_return, f"get_{name}_display", None)
    if display and value:
        return str(display())
    if value is None:
        return ""
    return str(value.normalize()) if hasattr(value, "normalize") else str(value)


def section_rows(scoping_return, section: Section) -> list[tuple[str, str, str]]:
    """(field name, label, value) of a section's fields, for check-your-answers and profiles."""
    return [
        (name, _label(name)[:1].upper() + _label(name)[1:], display_value(scoping_return, name))
        for name in section.fields
    ]
