"""A database that already holds the 2017 round gets the corrected transcription of fixtures/2017
(the prescribing answers of the appendix, the appendix cells' words, shared IT systems, outcome
measures, care roles in post or planned, the new data-quality notes), as `load_2017_round` gives
it to a new database. The corrections, with the values they replace, are in the JSON file beside
this one (written by scripts/fixture_corrections.py from the fixtures before and after)."""

import json
from pathlib import Path

from django.db import migrations

from surveys import corrections

CORRECTIONS = Path(__file__).with_suffix(".json")


def correct(apps, schema_editor):
    corrections.apply(apps, json.loads(CORRECTIONS.read_text(encoding="utf-8")))


def undo(apps, schema_editor):
    corrections.apply(apps, json.loads(CORRECTIONS.read_text(encoding="utf-8")), backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0010_round_carry_over_extensions_reminders"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(correct, undo)]
