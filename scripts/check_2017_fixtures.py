"""Check the 2017 fixture CSVs without Django: columns, coded values and the report's wording.

Each text must be found in its own borough's part of the report (`surveys/fidelity.py`): its
Section 2 narrative or its appendix row; a data-quality note's `narrative` in the narrative and
its `appendix` in the appendix row.

Usage: python scripts/check_2017_fixtures.py [folder]   (default fixtures/2017)
"""

import csv
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveys.fidelity import borough_sources, missing_passages  # noqa: E402

SLUGS = (
    "brent central-london ealing hammersmith-fulham harrow hillingdon hounslow west-london "
    "barnet camden enfield haringey islington barking-dagenham havering redbridge "
    "waltham-forest city-hackney newham tower-hamlets croydon kingston merton richmond sutton "
    "wandsworth bexley bromley greenwich lambeth lewisham southwark"
).split()
ANSWERS = {"", "yes", "no", "planned", "not_stated", "not_applicable"}
CODED = {
    "status": {"established", "pilot", "planned", "not_applicable"},
    "scope": {"smi", "smi_plus", "not_stated", "not_applicable"},
    **dict.fromkeys(
        (
            "training shared_it medicines_management depot_antipsychotics clozapine_clinic "
            "lithium_clinic advice_line primary_care_pharmacist outcome_measures recurrent_funding"
        ).split(),
        ANSWERS,
    ),
    "role": set(
        (
            "consultant_psychiatrist psychiatrist gp_lead mental_health_nurse pcmh_practitioner "
            "social_worker "
            "psychologist occupational_therapist employment_adviser peer_support_worker "
            "care_navigator pharmacist administrator manager other"
        ).split()
    ),
    "is_new": {"", "yes", "no"},
    "post_status": {"in_post", "planned", "not_stated"},
    "wte_approximate": {"yes", "no"},
    "recurrent": {"", "yes", "no"},
}
MULTI = {
    "model_types": set(
        (
            "collaborative_care in_reach wrap_around step_up step_down attached_professional "
            "consultation_liaison allied_health_team link_working other"
        ).split()
    ),
    "it_systems": {"emis_web", "systmone", "rio", "jade", "other"},
}
DECIMALS = {"min_age", "max_age", "wte", "amount"}
TEXT = {
    "returns.csv": (
        "service_name status_note current_situation co_production model_other service_form "
        "model_description aims working_style inclusion_notes exclusion_criteria "
        "training_description it_systems_other it_description prescribing_description "
        "key_outcomes funding_notes scope_note training_note shared_it_note "
        "medicines_management_note outcome_measures_note recurrent_funding_note"
    ).split(),
    "care_roles.csv": ["role_other", "band", "employer", "notes"],
    "contacts.csv": ["name", "job_title", "organisation", "email"],
    "outcome_measures.csv": ["name", "notes"],
    "funding_lines.csv": ["financial_year", "source", "notes"],
    "data_quality_notes.csv": ["narrative", "appendix"],
}
# Where a column's text must be found: by default the borough's narrative or its appendix row.
SOURCE_OF = {
    "narrative": ("narrative",),
    "appendix": ("appendix",),
    # The words beside a classified answer are the appendix cell's.
    **dict.fromkeys(
        (
            "scope_note training_note shared_it_note medicines_management_note "
            "outcome_measures_note recurrent_funding_note"
        ).split(),
        ("appendix",),
    ),
}
COLUMNS = {
    "returns.csv": (
        "round borough status service_name status_note current_situation co_production "
        "model_types model_other service_form model_description aims working_style scope "
        "scope_note min_age max_age inclusion_notes exclusion_criteria training training_note "
        "training_description shared_it shared_it_note it_systems it_systems_other "
        "it_description medicines_management medicines_management_note depot_antipsychotics "
        "clozapine_clinic lithium_clinic advice_line primary_care_pharmacist "
        "prescribing_description outcome_measures outcome_measures_note key_outcomes "
        "recurrent_funding recurrent_funding_note funding_notes"
    ).split(),
    "care_roles.csv": (
        "round borough role role_other wte band employer is_new notes post_status wte_approximate"
    ).split(),
    "contacts.csv": "round borough name job_title organisation email".split(),
    "outcome_measures.csv": "round borough name notes".split(),
    "funding_lines.csv": "round borough amount financial_year recurrent source notes".split(),
    "data_quality_notes.csv": "round borough field narrative appendix note".split(),
}


def check(folder: Path) -> list[str]:
    sources = borough_sources()
    problems = []
    for name, columns in COLUMNS.items():
        path = folder / name
        if not path.exists():
            problems.append(f"{name}: missing")
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != columns:
                problems.append(f"{name}: header {reader.fieldnames} is not {columns}")
                continue
            for number, row in enumerate(reader, start=2):
                where = f"{name} line {number} ({row['borough']})"
                if row["round"] != "2017" or row["borough"] not in SLUGS:
                    problems.append(f"{where}: bad round or borough")
                for column, allowed in CODED.items():
                    if column in row and row[column] not in allowed:
                        problems.append(f"{where}: {column}={row[column]!r}")
                for column, allowed in MULTI.items():
                    if column in row and row[column]:
                        bad = set(row[column].split(",")) - allowed
                        if bad:
                            problems.append(f"{where}: {column} has {sorted(bad)}")
                for column in DECIMALS & set(row):
                    if row[column]:
                        try:
                            Decimal(row[column])
                        except InvalidOperation:
                            problems.append(f"{where}: {column}={row[column]!r} is not a number")
                own = sources.get(row["borough"])
                for column in TEXT[name] if own else ():
                    parts = SOURCE_OF.get(column, ("narrative", "appendix"))
                    texts = [getattr(own, part) for part in parts]
                    for passage in missing_passages(row[column], *texts):
                        problems.append(
                            f"{where}: {column} not in the borough's {' or '.join(parts)}: "
                            f"{passage[:80]!r}"
                        )
    return problems


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("fixtures/2017")
    found = check(folder)
    print("\n".join(found) or "ok")
    sys.exit(1 if found else 0)
