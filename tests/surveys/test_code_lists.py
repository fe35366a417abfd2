"""Lists of codes (model types, IT systems, sections saved) have one owner: CodeListField."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from surveys.fields import CodeListField
from surveys.models import ScopingReturn
from tests.factories import ScopingReturnFactory

ROOT = Path(__file__).resolve().parents[2]
model_types = ScopingReturn._meta.get_field("model_types")


def test_every_list_of_codes_is_a_code_list_field():
    names = {f.name for f in ScopingReturn._meta.concrete_fields if isinstance(f, CodeListField)}
    assert names == {"model_types", "it_systems", "sections_saved", "sections_unchanged"}


def test_a_saved_list_keeps_its_order_and_new_codes_follow():
    stored = "in_reach,collaborative_care"
    assert model_types.join(["collaborative_care", "in_reach"], stored) == stored
    assert model_types.join(["step_up", "in_reach"], stored) == "in_reach,step_up"
    assert model_types.join([], stored) == ""


def test_labels_are_read_from_the_answer_set():
    assert model_types.labels("in_reach,other") == ["In-reach", "Other"]
    assert model_types.labels("") == []


@pytest.mark.django_db
def test_a_code_outside_the_set_is_refused_in_words(camden):
    scoping_return = ScopingReturnFactory(borough=camden, model_types="in_reach,teleport")
    with pytest.raises(ValidationError) as refused:
        scoping_return.full_clean()
    assert refused.value.message_dict["model_types"] == ["Select only the options listed"]


def test_no_code_list_is_split_by_hand_outside_its_field_type():
    # pcmh/settings.py splits environment lists, which are no code lists.
    allowed = {ROOT / "surveys" / "fields.py", ROOT / "pcmh" / "settings.py"}
    found = [
        str(path.relative_to(ROOT))
        for app in ("pcmh", "boroughs", "surveys", "reports")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and path not in allowed
        and re.search(r"""\.split\(\s*["'],["']\s*\)""", path.read_text())
    ]
    assert found == []


def test_a_list_of_every_section_fits_in_its_column():
    """A lead who saves every section of a toolkit round (eleven) has them all recorded."""
    from surveys.sections import SECTIONS

    every = ",".join(section.slug for section in SECTIONS)
    for name in ("sections_saved", "sections_unchanged"):
        assert len(every) <= ScopingReturn._meta.get_field(name).max_length, name
