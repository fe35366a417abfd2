"""A database that already holds the 2017 round gets each borough's own benefits seen and
barriers met, quoted from its Section 2 narrative (fixtures/2017/benefits.csv and barriers.csv),
as `load_2017_round` gives them to a new database. The rows are in the JSON file beside this one
(written by scripts/fixture_corrections.py from the fixtures before and after). They complete the
transcription of what the report printed, so they reach the copies each publication of the round
keeps as well as the returns; undone, exactly those rows go."""

import json
from pathlib import Path

from django.db import migrations

from surveys import corrections

CORRECTIONS = Path(__file__).with_suffix(".json")


def add(apps, schema_editor):
    data = json.loads(CORRECTIONS.read_text(encoding="utf-8"))
    corrections.apply(apps, data, published_copies=True)


def remove(apps, schema_editor):
    data = json.loads(CORRECTIONS.read_text(encoding="utf-8"))
    corrections.apply(apps, data, backwards=True, published_copies=True)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0015_steering_group_section_11"),
    ]

    operations = [migrations.RunPython(add, remove)]
