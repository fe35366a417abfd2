"""The 2017 report's statements beside its figures and its service aims, loaded from
fixtures/2017: by `load_2017_statements_and_aims` (which `load_2017_round` runs) and by the
migration that adds them to a database already holding the round.

Loading adds what is missing and changes nothing else, so the steering group's corrections in
the admin stay, and a second load does nothing.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "2017"
ROUND_SLUG = "2017"


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["round"] == ROUND_SLUG]


def _added(model, found: dict, values: dict) -> int:
    """Create the row `found` identifies unless it exists, held to the model's rules."""
    if model.objects.filter(**found).exists():
        return 0
    obj = model(**found, **values)
    obj.full_clean()
    obj.save()
    return 1


def load_statements_and_aims(apps, folder: Path = FIXTURES) -> dict[str, int] | None:
    """Add the 2017 round's published statements, aims and the aims' boroughs from `folder`,
    with the models of `apps` (the project's, or a migration's). None when there is no 2017
    round; otherwise how many rows of each were added."""
    SurveyRound = apps.get_model("surveys", "SurveyRound")
    Borough = apps.get_model("boroughs", "Borough")
    PublishedStatement = apps.get_model("reports", "PublishedStatement")
    RoundAim = apps.get_model("reports", "RoundAim")
    RoundAimBorough = apps.get_model("reports", "RoundAimBorough")
    survey_round = SurveyRound.objects.filter(slug=ROUND_SLUG).first()
    if survey_round is None:
        return None
    added = {"published_statements.csv": 0, "aims.csv": 0, "aim_boroughs.csv": 0}
    with transaction.atomic():
        for row in _rows(folder, "published_statements.csv"):
            added["published_statements.csv"] += _added(
                PublishedStatement,
                {"survey_round": survey_round, "key": row["key"]},
                {
                    "order": int(row["order"]),
                    "figure": row["figure"],
                    "printed": row["printed"],
                    "printed_value": row["printed_value"],
                    "explanation": row["explanation"],
                },
            )
        for row in _rows(folder, "aims.csv"):
            added["aims.csv"] += _added(
                RoundAim,
                {"survey_round": survey_round, "key": row["key"]},
                {"order": int(row["order"]), "name": row["name"], "printed": row["printed"]},
            )
        aims = {aim.key: aim for aim in RoundAim.objects.filter(survey_round=survey_round)}
        boroughs = {borough.slug: borough for borough in Borough.objects.all()}
        for row in _rows(folder, "aim_boroughs.csv"):
            added["aim_boroughs.csv"] += _added(
                RoundAimBorough,
                {"aim": aims[row["aim"]], "borough": boroughs[row["borough"]]},
                {"words": row["words"]},
            )
    return added


def load_theme_statements(apps, folder: Path = FIXTURES) -> int | None:
    """Add the 2017 report's Tables 1 and 2 (the benefits and barriers stakeholders reported,
    each under its theme, in the tables' order) as the 2017 round's theme statements, with the
    models of `apps`. None when there is no 2017 round; otherwise how many were added."""
    SurveyRound = apps.get_model("surveys", "SurveyRound")
    ThemeStatement = apps.get_model("reports", "ThemeStatement")
    survey_round = SurveyRound.objects.filter(slug=ROUND_SLUG).first()
    if survey_round is None:
        return None
    added = 0
    with transaction.atomic():
        for row in _rows(folder, "theme_statements.csv"):
            added += _added(
                ThemeStatement,
                {"survey_round": survey_round, "kind": row["kind"], "order": int(row["order"])},
                {"theme": row["theme"], "text": row["text"]},
            )
    return added
