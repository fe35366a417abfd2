"""The toolkit as data: what the first data migration gives, and how a version is approved or
copied into a new draft without changing the one it came from."""

import pytest
from django.core.exceptions import ValidationError

from toolkit import versions
from toolkit.models import Descriptor, GuidanceArea, Level, Principle, ToolkitVersion

pytestmark = pytest.mark.django_db

SLIDES_AREAS = [
    "Planning service scope",
    "System flow and capacity",
    "Access to continuity of care",
    "Communication",
    "Social prescribing",
    "Medicines management",
    "Economic case for change",
    "Outcome measures",
    "New care roles",
    "Training",
]


def test_the_first_toolkit_has_the_slides_principles_areas_and_four_levels():
    assert [p.name for p in Principle.objects.all()] == [
        "Creating a continuum of care",
        "Community-focused",
        "Capable and co-produced service",
    ]
    assert [a.name for a in versions.areas()] == SLIDES_AREAS
    assert all(a.guidance for a in GuidanceArea.objects.all())
    assert [level.name for level in Level.objects.all()] == [
        "Not started",
        "Planning",
        "Implementing",
        "Embedded",
    ]
    assert set(Principle.objects.filter(areas__isnull=False).values_list("slug", flat=True)) == {
        p.slug for p in Principle.objects.all()
    }


def test_version_1_is_a_draft_with_a_descriptor_for_every_area_and_level():
    version = ToolkitVersion.objects.get(number=1)
    assert version.is_draft
    assert "(draft)" in str(version)
    found = versions.descriptors(version)
    assert set(found) == set(GuidanceArea.objects.values_list("slug", flat=True))
    for area, by_level in found.items():
        assert set(by_level) == set(Level.objects.values_list("slug", flat=True)), area
        assert len(set(by_level.values())) == 4, f"{area}: each level says something else"


def test_an_approved_version_is_fixed_and_a_copy_is_edited_instead(make_user):
    reviewer = make_user("reviewer", steering=True)
    version = versions.approve(version=ToolkitVersion.objects.get(number=1), by=reviewer)
    assert not version.is_draft and version.approved_by == reviewer
    descriptor = version.descriptors.first()
    descriptor.text = "Changed after approval"
    with pytest.raises(ValidationError, match="approved"):
        descriptor.save()
    assert Descriptor.objects.get(pk=descriptor.pk).text != "Changed after approval"

    draft = versions.copy_as_draft(version=version, by=reviewer)
    assert draft.is_draft and draft.number == 2
    assert versions.descriptors(draft) == versions.descriptors(version)
    copied = draft.descriptors.get(area=descriptor.area, level=descriptor.level)
    copied.text = "Refined for the next round"
    copied.full_clean()
    copied.save()
    assert versions.descriptors(version)[descriptor.area_id][descriptor.level_id] != (
        "Refined for the next round"
    )


def test_a_version_missing_a_descriptor_is_not_approved(make_user):
    version = ToolkitVersion.objects.get(number=1)
    version.descriptors.filter(level__slug="embedded").first().delete()
    with pytest.raises(versions.VersionError, match="lacks 1 descriptor"):
        versions.approve(version=version, by=make_user("reviewer", steering=True))
    assert ToolkitVersion.objects.get(number=1).is_draft
