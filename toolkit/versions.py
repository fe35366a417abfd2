"""The toolkit's versions: the one way one is approved or copied into a new draft, and what a
round's forms and pages read of one (its descriptors by area and level)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from toolkit.choices import VersionState
from toolkit.models import Descriptor, GuidanceArea, Level, ToolkitVersion


class VersionError(Exception):
    """A step on a toolkit version that is refused, with the reason in words."""


def approve(*, version: ToolkitVersion, by) -> ToolkitVersion:
    """Approve a draft version: its descriptors are then shown without "Draft" and fixed.
    Refused for a draft a published round used (what that round shows cannot change): copy it
    into a new draft and approve that."""
    with transaction.atomic():
        locked = ToolkitVersion.objects.select_for_update().get(pk=version.pk)
        if not locked.is_draft:
            raise VersionError(f"{locked} is approved already.")
        refusal = locked.edit_refusal()
        if refusal:
            # A draft a published round used stays a draft: that round's pages say so.
            raise VersionError(f"Not approved. {refusal}")
        missing = len(areas()) * len(levels()) - locked.descriptors.count()
        if missing:
            raise VersionError(
                f"{locked} lacks {missing} descriptor{'s' if missing != 1 else ''}: every "
                "guidance area needs one for each level before the version is approved."
            )
        locked.state = VersionState.APPROVED
        locked.approved_at = timezone.now()
        locked.approved_by = by
        locked._history_user = by
        locked.save()
    return locked


def copy_as_draft(*, version: ToolkitVersion, by, name: str = "") -> ToolkitVersion:
    """A new draft version with `version`'s descriptors, to edit without changing `version`."""
    with transaction.atomic():
        number = (ToolkitVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        draft = ToolkitVersion(
            number=number,
            name=name or f"{version.name} (revised)",
            based_on=version,
            note=f"Copied from version {version.number}.",
        )
        draft._history_user = by
        draft.save()
        Descriptor.objects.bulk_create(
            Descriptor(version=draft, area_id=d.area_id, level_id=d.level_id, text=d.text)
            for d in version.descriptors.all()
        )
    return draft


def areas() -> list[GuidanceArea]:
    """The guidance areas in the toolkit's order, each with its principle (one query)."""
    return list(GuidanceArea.objects.select_related("principle").order_by("order", "name"))


def levels() -> list[Level]:
    return list(Level.objects.order_by("rank"))


def descriptors(version: ToolkitVersion | None) -> dict[str, dict[str, str]]:
    """{area slug: {level slug: descriptor}} of `version` (one query); empty without one."""
    if version is None:
        return {}
    found: dict[str, dict[str, str]] = {}
    for area_id, level_id, text in version.descriptors.values_list("area_id", "level_id", "text"):
        found.setdefault(area_id, {})[level_id] = text
    return found


def latest_approved() -> ToolkitVersion | None:
    """The version a new toolkit round uses unless told otherwise: the latest approved, or the
    latest draft when none is approved yet."""
    return ToolkitVersion.objects.approved().first() or ToolkitVersion.objects.first()
