"""A synthetic national register and its returns over several rounds (`manage.py generate_data`),
for benchmarks and for trying the service at national size.

The register is filled up to the shape asked for: the regions, ICB or STP footprints and units
already in it (London's region, its 5 STP footprints and 32 boroughs, from the migrations) stay
as they are and count towards the shape, the rest is generated with plausible names and codes
(NHS England's regions, ICBs named after places, primary care networks as units). Every unit
then has a return in every round, filled the way a lead fills one: every question of the field
catalogue (`surveys.sections`) and every kind of child row the round has, a spread of answers
that moves from round to round (services mature, roles are added, funding is renewed). A round
after the first is prefilled from each unit's accepted return in the one before (`carried_from`)
and each section is then saved, where it changed, or confirmed unchanged. Every round but the
last is published through `workflow.publish_round`, every return accepted; the last is open
with its returns in a spread of states (a single round is published, unless asked otherwise).

With `toolkit`, every round uses the self-assessment toolkit: each return has a level in every
guidance area (rising with the unit's maturity, moving on between rounds), evidence, next steps
and benefits and barriers tagged with themes.

Everything is inserted in bulk (no history rows: no person made these changes), and is the same
for the same seed, shape and day (the rounds are dated back from today).
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from boroughs.models import Borough, Region, Stp
from surveys.changes import row_fields
from surveys.choices import (
    Answer,
    CareRoleType,
    EventKind,
    ItSystem,
    ModelType,
    PostStatus,
    ReportGrouping,
    ReturnState,
    RoundState,
    Scope,
    ServiceStatus,
)
from surveys.fields import split_codes
from surveys.models import ReturnEvent, ScopingReturn, SurveyRound
from surveys.sections import ANSWER, CHOICE, CODE_LIST, NUMBER, QUESTIONS, sections_for

# NHS England's seven regions (slug, name, ONS code), London first as the register has it.
REGIONS = (
    ("london", "London", "E40000003"),
    ("south-east", "South East", "E40000005"),
    ("south-west", "South West", "E40000006"),
    ("east-of-england", "East of England", "E40000007"),
    ("midlands", "Midlands", "E40000008"),
    ("north-east-yorkshire", "North East and Yorkshire", "E40000009"),
    ("north-west", "North West", "E40000010"),
)
PLACES = (
    "Ashby Barford Belmont Bramley Brookfield Calder Castleford Chalton Clayfield Coldbrook "
    "Dalton Denham Dunmore Easton Elmsworth Fairford Farnley Fenwick Galton Glenfield Granby "
    "Hadley Halston Harwood Heyford Holbeck Kelby Kingsmere Langford Larkhill Lindley Marden "
    "Marston Medway Millbrook Morley Netherby Newbold Northam Oakham Oldfield Otterburn Padley "
    "Pemberton Quarndon Radford Redcliffe Ridgeway Rowley Saltby Sandford Shelby Stanton "
    "Stoneleigh Sutterby Thornbury Tilford Upton Walford Wareham Westbury Whitby Wickham "
    "Winslow Woodford Wrenbury Yarford"
).split()
UNIT_WORDS = (
    "North South East West Central Rural Town Valley Coast Park Riverside Vale Hill Moor Bridge "
    "Gate Green Cross Heath Fields"
).split()
FIRST_NAMES = (
    "Aisha Amir Anna Ben Chloe Daniel Deepa Ella Fatima George Grace Hannah Imran James Joy "
    "Kamal Laura Leon Maria Mohammed Nadia Noah Olivia Priya Ravi Ruth Sam Sara Tom Yusuf"
).split()
LAST_NAMES = (
    "Ahmed Baker Brown Chen Clarke Davies Evans Green Hall Hughes Iqbal Jones Khan Lewis Martin "
    "Morris Patel Roberts Shah Smith Taylor Thomas Turner Walker Watson White Williams Wilson"
).split()
JOB_TITLES = (
    "Mental health commissioning manager",
    "GP clinical lead for mental health",
    "PCN clinical director",
    "Primary care mental health team manager",
    "Head of mental health transformation",
)
SERVICE_NAMES = (
    "Primary Care Plus",
    "Community Mental Health Hub",
    "Wellbeing in Primary Care",
    "Mind and Body Service",
    "Primary Care Mental Health Team",
    "Integrated Mental Health Service",
)
MEASURES = (
    "PHQ-9",
    "GAD-7",
    "WEMWBS",
    "SWEMWBS",
    "DIALOG",
    "ReQoL-10",
    "HoNOS",
    "CORE-10",
    "EQ-5D-5L",
    "Patient experience survey",
    "Readmissions to secondary care",
)
FUNDING_SOURCES = (
    "ICB baseline",
    "Community mental health transformation fund",
    "Local authority public health",
    "PCN additional roles reimbursement",
    "Mental health trust",
)
EMPLOYERS = ("Mental health trust", "GP federation", "Primary care network", "Local authority")
BANDS = ("Band 5", "Band 6", "Band 7", "Band 8a", "Band 8b", "")
WTES = tuple(Decimal(w) for w in ("0.2", "0.4", "0.5", "0.6", "0.8", "1", "1.5", "2", "3"))
ROLE_WEIGHTS = {
    CareRoleType.MENTAL_HEALTH_NURSE: 8,
    CareRoleType.PCMH_PRACTITIONER: 6,
    CareRoleType.CONSULTANT_PSYCHIATRIST: 5,
    CareRoleType.GP_LEAD: 5,
    CareRoleType.PSYCHOLOGIST: 4,
    CareRoleType.CARE_NAVIGATOR: 4,
    CareRoleType.PEER_SUPPORT_WORKER: 3,
    CareRoleType.SOCIAL_WORKER: 3,
    CareRoleType.OCCUPATIONAL_THERAPIST: 2,
    CareRoleType.EMPLOYMENT_ADVISER: 2,
    CareRoleType.PHARMACIST: 2,
    CareRoleType.ADMINISTRATOR: 2,
    CareRoleType.MANAGER: 2,
    CareRoleType.PSYCHIATRIST: 1,
    CareRoleType.OTHER: 1,
}
SENTENCES = (
    "The team works alongside the practices of the network, with a weekly multidisciplinary "
    "meeting.",
    "Referrals come from GPs and the community mental health team; most are seen within two weeks.",
    "People with lived experience sit on the service's steering group and review its leaflets.",
    "The service has grown from a pilot in two practices to every practice of the network.",
    "Records are kept in the GP system, so practices see each contact the same day.",
    "Physical health checks for people with serious mental illness are offered at every visit.",
    "A consultant gives advice to GPs by phone and e-mail and joins case discussions monthly.",
    "Training sessions for practice staff run each quarter, with the mental health trust.",
)
TILE_ROW = 40  # units a row on the tile map, region by region below London's tiles
BATCH = 1000


@dataclass(frozen=True)
class Shape:
    units: int = 1250
    regions: int = 7
    icbs: int = 42
    rounds: int = 4
    seed: int = 1
    last_round_open: bool | None = None  # None: open when there is more than one round
    toolkit: bool = False  # every round uses the self-assessment toolkit (Section 11)


class ShapeError(ValueError):
    """A shape the register cannot be filled up to, or a database that already has rounds."""


@dataclass
class Generated:
    regions: int
    icbs: int
    units: int
    rounds: list = field(default_factory=list)
    returns: int = 0
    rows: int = 0


# --- The register -------------------------------------------------------------------------------


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name} {n}", n + 1
    taken.add(candidate.lower())
    return candidate


def _slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:44]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` in `parts` of uneven sizes, each at least 1."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    sizes = [1 + math.floor((total - parts) * w / sum(weights)) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


def build_register(shape: Shape, rng: random.Random) -> tuple[int, int, int]:
    """Fill the register up to `shape` (regions, ICBs, units); the numbers generated."""
    have_regions, have_icbs, have_units = (
        Region.objects.count(),
        Stp.objects.count(),
        Borough.objects.count(),
    )
    new_regions = shape.regions - have_regions
    new_icbs = shape.icbs - have_icbs
    new_units = shape.units - have_units
    if new_regions < 0 or new_icbs < new_regions or new_units < new_icbs:
        raise ShapeError(
            f"The register holds {have_regions} regions, {have_icbs} ICB or STP footprints and "
            f"{have_units} units already, which stay: ask for at least {have_regions} regions, "
            f"{have_icbs + max(new_regions, 0)} ICBs and {have_units + max(new_icbs, 0)} units."
        )
    # New ICBs go into the new regions, or into the last region when there are none.
    regions = [] if new_regions else list(Region.objects.order_by("-display_order")[:1])
    taken_names = {n.lower() for n in Region.objects.values_list("name", flat=True)}
    taken_slugs = set(Region.objects.values_list("slug", flat=True))
    order = (
        Region.objects.order_by("-display_order").values_list("display_order", flat=True).first()
        or 0
    )
    names = [r for r in REGIONS if r[0] not in taken_slugs and r[1].lower() not in taken_names]
    for n in range(new_regions):
        slug, name, code = names[n] if n < len(names) else ("", f"Region {n + 1}", "")
        name = _unique(name, taken_names)
        regions.append(
            Region(
                name=name,
                slug=_slug(slug or name, taken_slugs),
                code=code,
                display_order=order + n + 1,
            )
        )
    Region.objects.bulk_create([r for r in regions if r.pk is None])

    places = list(PLACES)
    rng.shuffle(places)
    taken_names = {n.lower() for n in Stp.objects.values_list("name", flat=True)}
    taken_slugs = set(Stp.objects.values_list("slug", flat=True))
    order = Stp.objects.order_by("-display_order").values_list("display_order", flat=True).first()
    icbs = []
    if new_icbs:
        for region, count in zip(regions, _split(rng, new_icbs, len(regions)), strict=True):
            for _ in range(count):
                n = len(icbs)
                first, second = places[n % len(places)], places[(3 * n + 7) % len(places)]
                name = _unique(f"{first} and {second} ICB", taken_names)
                icbs.append(
                    Stp(
                        region=region,
                        name=name,
                        slug=_slug(name, taken_slugs),
                        code=f"E54{100 + n:06d}",
                        display_order=(order or 0) + n + 1,
                    )
                )
        Stp.objects.bulk_create(icbs)
    if new_units and not icbs:
        icbs = list(Stp.objects.order_by("-display_order")[:1])

    taken_names = {n.lower() for n in Borough.objects.values_list("name", flat=True)}
    taken_slugs = set(Borough.objects.values_list("slug", flat=True))
    order = Borough.objects.order_by("-display_order").values_list("display_order", flat=True)
    order = order.first() or 0
    top = Borough.objects.order_by("-tile_y").values_list("tile_y", flat=True).first()
    row = 0 if top is None else top + 2
    units, column, region_id = [], 0, None
    # Each unit a place and a word ("Ashby Vale PCN"), then two places ("Ashby and Marden PCN"),
    # then a number after a name taken.
    spare = [f"{place} {word} PCN" for place in PLACES for word in UNIT_WORDS]
    rng.shuffle(spare)
    pairs = [f"{a} and {b} PCN" for a in PLACES for b in PLACES if a < b]
    rng.shuffle(pairs)
    spare = pairs + spare  # popped from the end: places and words first
    for icb, count in zip(icbs, _split(rng, new_units, len(icbs)) if icbs else [], strict=True):
        if region_id is not None and icb.region_id != region_id:
            row, column = row + (2 if column else 1), 0  # each region's tiles start a new row
        region_id = icb.region_id
        home = icb.name.split(" and ")[0]
        # Some units named after the ICB's own place ("Ashby Vale PCN"), the others after others
        nearby = [f"{home} {word} PCN" for word in UNIT_WORDS]
        for k in range(count):
            n = len(units)
            name = None
            if k % 3 == 0:  # a third named after the ICB's place
                name = next((c for c in nearby if c.lower() not in taken_names), None)
            while name is None and spare:
                candidate = spare.pop()
                name = None if candidate.lower() in taken_names else candidate
            name = _unique(name or f"{home} PCN", taken_names)
            place = name.split(" ")[0]
            practices = rng.randint(3, 9)
            units.append(
                Borough(
                    stp=icb,
                    name=name,
                    slug=_slug(name, taken_slugs),
                    covers=f"{practices} GP practices in and around {place}",
                    ods_code=f"U{n:04d}"[:5],
                    tile_x=column,
                    tile_y=row,
                    display_order=order + n + 1,
                )
            )
            column += 1
            if column == TILE_ROW:
                row, column = row + 1, 0
    Borough.objects.bulk_create(units, batch_size=BATCH)
    return new_regions, len(icbs) if new_icbs else 0, new_units


# --- Answers ------------------------------------------------------------------------------------


def _answer(rng: random.Random, maturity: float) -> str:
    """An answer from the framework's set, "yes" the likelier the more mature the service."""
    weights = {
        Answer.YES: 0.1 + maturity,
        Answer.NO: max(0.05, 0.7 - maturity),
        Answer.PLANNED: 0.35,
        Answer.NOT_STATED: 0.08,
        Answer.NOT_APPLICABLE: 0.03,
    }
    return rng.choices(list(weights), list(weights.values()))[0]


def _status(rng, maturity):
    if rng.random() < 0.03:
        return ServiceStatus.NOT_APPLICABLE
    if maturity < 0.25:
        return ServiceStatus.PLANNED
    return ServiceStatus.PILOT if maturity < 0.5 else ServiceStatus.ESTABLISHED


def _codes(rng, choices, low, high) -> str:
    values = [c for c in choices.values if c != "other"]
    chosen = set(rng.sample(values, rng.randint(low, min(high, len(values)))))
    if rng.random() < 0.08:
        chosen.add("other")
    return ",".join(c for c in choices.values if c in chosen)  # in the list's order


def _text(rng, count=2) -> str:
    return " ".join(rng.sample(SENTENCES, count))


def _age(rng, name):
    if name == "min_age":
        return rng.choices([Decimal(18), Decimal(16), Decimal("17.5"), None], [12, 4, 1, 2])[0]
    return rng.choices([None, Decimal(65), Decimal(75)], [10, 2, 1])[0]


def _note(rng, value, name):
    if rng.random() > 0.3:
        return ""
    label = dict(QUESTIONS[name[: -len("_note")]].model_field.flatchoices).get(value, "")
    return f"{label} - {rng.choice(('agreed locally', 'under review', 'from April'))}"


# The answers a lead gives that depend on others (a note beside its answer, "other" named...);
# every other question of the catalogue is answered by its kind, so a new one is never left out.
SPECIFIC = {
    "status": lambda rng, a, m, place: _status(rng, m),
    "service_name": lambda rng, a, m, place: f"{place} {rng.choice(SERVICE_NAMES)}",
    "status_note": lambda rng, a, m, place: (
        "Pilot funded for two years" if a["status"] == ServiceStatus.PILOT else ""
    ),
    "model_types": lambda rng, a, m, place: _codes(rng, ModelType, 1, 3),
    "model_other": lambda rng, a, m, place: (
        "Practice-based wellbeing groups" if "other" in split_codes(a["model_types"]) else ""
    ),
    "service_form": lambda rng, a, m, place: rng.choice(
        (
            "Collaborative care model, step up/down",
            "In-reach from secondary care",
            "Attached professional in each practice",
            "Consultation-liaison with a link worker",
            "Wrap-around team for the network",
        )
    ),
    "scope": lambda rng, a, m, place: rng.choices(Scope.values, [20, 70, 8, 2])[0],
    "min_age": lambda rng, a, m, place: _age(rng, "min_age"),
    "max_age": lambda rng, a, m, place: _age(rng, "max_age"),
    "it_systems": lambda rng, a, m, place: _codes(rng, ItSystem, 1, 2),
    "it_systems_other": lambda rng, a, m, place: (
        "Lorenzo" if "other" in split_codes(a["it_systems"]) else ""
    ),
}


def _by_kind(rng, question, answers, maturity, place):
    model_field = question.model_field
    kind = question.kind
    if kind == ANSWER:
        return _answer(rng, maturity)
    if kind == CHOICE:
        return rng.choice([value for value, _ in model_field.flatchoices])
    if kind == CODE_LIST:
        codes = [code for code, _ in model_field.code_choices if code != "other"]
        return ",".join(sorted(rng.sample(codes, rng.randint(1, min(2, len(codes))))))
    if kind == NUMBER:
        return Decimal(rng.randint(1, 10))
    if question.name.endswith("_note") and question.name[:-5] in answers:
        return _note(rng, answers[question.name[:-5]], question.name)
    limit = model_field.max_length or 10000
    return _text(rng, 1 if limit < 300 else 2)[:limit]


def fresh_answers(rng, maturity: float, place: str) -> dict:
    """Every question of the catalogue answered, in the catalogue's order."""
    answers = {}
    for name, question in QUESTIONS.items():
        maker = SPECIFIC.get(name)
        answers[name] = (
            maker(rng, answers, maturity, place)
            if maker
            else _by_kind(rng, question, answers, maturity, place)
        )
    if answers["min_age"] is not None and answers["max_age"] is not None:
        answers["max_age"] = max(answers["max_age"], answers["min_age"])
    return answers


# --- Child rows ---------------------------------------------------------------------------------


def _care_role(rng, context):
    role = rng.choices(list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values()))[0]
    wte = rng.choice(WTES)
    return {
        "role": role,
        "role_other": "Health and wellbeing coach" if role == CareRoleType.OTHER else "",
        "wte": wte,
        "wte_approximate": rng.random() < 0.05,
        "post_status": rng.choices(PostStatus.values, [80, 15, 5])[0],
        "band": rng.choice(BANDS),
        "employer": rng.choice(EMPLOYERS),
        "is_new": rng.choice((True, False, None)),
        "notes": "Shared across two practices" if rng.random() < 0.1 else "",
    }


def _measure(rng, context):
    return {"name": rng.choice(MEASURES), "notes": "Collected at first and last contact"}


def _funding_line(rng, context):
    return {
        "amount": Decimal(rng.randrange(20, 900) * 1000),
        "financial_year": context["year"],
        "recurrent": context["answers"]["recurrent_funding"] == Answer.YES or None,
        "source": rng.choice(FUNDING_SOURCES),
        "notes": "",
    }


def _contact(rng, context):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "name": f"{first} {last}",
        "job_title": rng.choice(JOB_TITLES),
        "organisation": context["icb"],
        "email": f"{first}.{last}@nhs.net".lower(),
    }


def _generic_row(model):
    """A row of a kind this module does not know: each field a person gives, by its type."""

    def make(rng, context):
        values = {}
        for f in row_fields(model):
            if f.is_relation:
                if not f.null:
                    return None  # it needs something to point at: left to whoever adds it
                values[f.attname] = None
            elif f.choices:
                values[f.attname] = rng.choice([v for v, _ in f.flatchoices if v != ""])
            elif f.get_internal_type() in {"CharField", "TextField", "EmailField"}:
                values[f.attname] = _text(rng, 1)[: f.max_length or 2000]
            else:
                values[f.attname] = f.get_default()
        return values

    return make


EVIDENCE = (
    "Audited in the spring: {n} practices of the network take part.",
    "The service's own figures, shared with the ICB each quarter.",
    "Agreed at the steering group; minutes kept.",
    "Seen in the patient survey and the referral figures.",
)
NEXT_STEPS = (
    "Agree the model with the practices and the mental health trust.",
    "Extend the service to the remaining practices.",
    "Train two more practice staff and review in six months.",
    "Write the case for recurrent funding.",
    "Share the outcome figures with the ICB each quarter.",
)
THEMED = (
    "Fewer people are referred on to secondary care.",
    "Practices and the trust now share one record.",
    "Waits for a first appointment are shorter.",
    "The funding ends next year.",
    "Recruiting to the new roles has been slow.",
    "People are seen in their own practice.",
)


def _self_assessments(rng, context) -> list[dict]:
    """A level in every guidance area, rising with the unit's maturity, with its evidence and
    the next step it plans, by a date within the year."""
    levels, maturity = context["levels"], context["maturity"]
    rows = []
    for area in context["areas"]:
        rank = min(len(levels) - 1, max(0, round(maturity * 3 + rng.uniform(-1.2, 0.8))))
        step = rng.random() < 0.8
        rows.append(
            {
                "area_id": area,
                "level_id": levels[rank],
                "evidence": rng.choice(EVIDENCE).format(n=rng.randint(2, 12)),
                "next_step": rng.choice(NEXT_STEPS) if step else "",
                "target_date": (
                    context["opens"] + datetime.timedelta(days=rng.randint(60, 360))
                    if step
                    else None
                ),
            }
        )
    return rows


def _themed(rng, context):
    return {"text": rng.choice(THEMED), "themes": ",".join(_themes(rng))}


def _themes(rng) -> list[str]:
    from toolkit.choices import Theme

    chosen = set(rng.sample(Theme.values, rng.randint(1, 2)))
    return [code for code in Theme.values if code in chosen]


ROW_MAKERS = {
    "care_roles": (_care_role, (1, 6)),
    "measures": (_measure, (0, 4)),
    "funding_lines": (_funding_line, (1, 3)),
    "contacts": (_contact, (1, 3)),
    "benefits": (_themed, (0, 3)),
    "barriers": (_themed, (0, 2)),
}
# Rows made all at once: one per guidance area.
ROW_SETS = {"self_assessments": _self_assessments}
# Rows that say which row is which (a measure is named once in a return).
DISTINCT = {"measures": "name", "care_roles": "role"}


def fresh_rows(rng, relations: dict, context: dict) -> dict[str, list[dict]]:
    rows = {}
    for relation, model in relations.items():
        if relation in ROW_SETS:
            rows[relation] = ROW_SETS[relation](rng, context)
            continue
        maker, (low, high) = ROW_MAKERS.get(relation, (_generic_row(model), (1, 2)))
        if relation == "measures" and context["answers"]["outcome_measures"] != Answer.YES:
            low, high = 0, 1
        made, seen = [], set()
        for _ in range(rng.randint(low, high)):
            row = maker(rng, context)
            key = row and row.get(DISTINCT.get(relation, ""), None)
            if row is None or (key is not None and key in seen):
                continue
            seen.add(key)
            made.append(row)
        rows[relation] = made
    return rows


# --- Change from one round to the next ----------------------------------------------------------


def changed(rng, answers, rows, maturity, place, context) -> set[str]:
    """Move a carried-over return on as a lead would (in place); the slugs of the sections
    whose answers or rows changed."""
    fresh = fresh_answers(rng, maturity, place)
    touched = set()
    for section in context["sections"]:
        if rng.random() > 0.3:
            continue
        redrawn = [name for name in section.fields if rng.random() < 0.5] or list(
            section.fields[:1]
        )
        for name in redrawn:
            if name == "status":
                order = [ServiceStatus.PLANNED, ServiceStatus.PILOT, ServiceStatus.ESTABLISHED]
                current = answers["status"]
                if current in order and order.index(current) < 2 and rng.random() < 0.6:
                    fresh["status"] = order[order.index(current) + 1]
            if answers[name] != fresh[name]:
                answers[name] = fresh[name]
                touched.add(section.slug)
        for relation in section.children:
            grown = fresh_rows(rng, {relation: context["relations"][relation]}, context)[relation]
            if relation == "funding_lines":  # funding is renewed for the new year
                rows[relation] = grown
            elif relation == "self_assessments":  # a level moves on, now and then back
                rows[relation] = _moved_levels(rng, rows[relation], context)
            elif relation == "care_roles" and rows[relation]:
                role = rng.choice(rows[relation])
                role["wte"] = rng.choice(WTES)
                role["post_status"] = PostStatus.IN_POST
                rows[relation] = rows[relation] + grown[:1]
            elif grown:
                rows[relation] = grown
            touched.add(section.slug)
    for name in ("model_other", "it_systems_other"):
        answers[name] = SPECIFIC[name](rng, answers, maturity, place)
    if answers["min_age"] is not None and answers["max_age"] is not None:
        answers["max_age"] = max(answers["max_age"], answers["min_age"])
    return touched


def _moved_levels(rng, rows, context) -> list[dict]:
    levels = context["levels"]
    moved = []
    for row in rows:
        row = dict(row)
        rank = levels.index(row["level_id"]) if row["level_id"] in levels else 0
        if rng.random() < 0.35:
            rank = min(len(levels) - 1, max(0, rank + rng.choice((1, 1, 1, -1))))
        row["level_id"] = levels[rank]
        if row["target_date"] is not None:
            row["target_date"] = context["opens"] + datetime.timedelta(days=rng.randint(60, 360))
        moved.append(row)
    return moved


# --- Rounds -------------------------------------------------------------------------------------


def _at(day: datetime.date, rng) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(9)) + datetime.timedelta(
        minutes=rng.randrange(0, 8 * 60)
    )
    return timezone.make_aware(moment)


OPEN_STATES = (
    # (state, share): a draft not started, or in progress, or a state of the workflow
    ("not_started", 0.15),  # a draft as the round made it
    ("in_progress", 0.2),
    (ReturnState.SUBMITTED, 0.25),
    (ReturnState.CHANGES_REQUESTED, 0.1),
    (ReturnState.ACCEPTED, 0.3),
)


def generate(shape: Shape, *, by, today: datetime.date | None = None, log=None) -> Generated:
    """Build the register up to `shape` and `shape.rounds` rounds of returns (see the module)."""
    from surveys import workflow

    if SurveyRound.objects.exists():
        raise ShapeError(
            "The database has rounds already: generate_data builds its rounds in a database "
            "without any (a new one, e.g. DATABASE_URL=sqlite:///national.sqlite3 after "
            "`manage.py migrate`), so that every unit of the register has a return in each."
        )
    if shape.rounds < 1 or shape.units < 1:
        raise ShapeError("Ask for at least one round and one unit.")
    log = log or (lambda message: None)
    rng = random.Random(shape.seed)
    today = today or timezone.localdate()
    with transaction.atomic():
        regions, icbs, units = build_register(shape, rng)
    log(f"register: {regions} regions, {icbs} ICBs and {units} units generated")
    result = Generated(regions=regions, icbs=icbs, units=units)

    boroughs = list(Borough.objects.select_related("stp").order_by("pk"))
    maturity = {b.pk: rng.random() for b in boroughs}
    place = {b.pk: b.name.split(" ")[0] for b in boroughs}
    open_last = shape.last_round_open if shape.last_round_open is not None else shape.rounds > 1
    last_opens = today - datetime.timedelta(days=30)
    carried: dict[int, tuple[dict, dict]] = {}
    previous = None
    toolkit = _toolkit() if shape.toolkit else {}
    for k in range(shape.rounds):
        opens = last_opens - datetime.timedelta(days=365 * (shape.rounds - 1 - k))
        is_open = open_last and k == shape.rounds - 1
        survey_round = SurveyRound.objects.create(
            name=f"National scoping {opens.year}",
            slug=f"national-{opens.year}",
            opens_on=opens,
            closes_on=opens + datetime.timedelta(days=90),
            state=RoundState.OPEN if is_open else RoundState.CLOSED,
            previous_round=previous,
            closed_at=None if is_open else _at(opens + datetime.timedelta(days=91), rng),
            closed_by=None if is_open else by,
            report_grouping=ReportGrouping.REGION,
            uses_toolkit=shape.toolkit,
            toolkit_version=toolkit.get("version"),
        )
        sections = sections_for(survey_round)
        relations = {
            relation: ScopingReturn._meta.get_field(relation).related_model
            for section in sections
            for relation in section.children
        }
        year = f"{opens.year}/{(opens.year + 1) % 100:02d}"
        returns, all_rows, events = [], [], []
        for borough in boroughs:
            maturity[borough.pk] = min(1.0, maturity[borough.pk] + rng.uniform(0, 0.25))
            state = ReturnState.ACCEPTED
            if is_open:
                state = rng.choices([s for s, _ in OPEN_STATES], [w for _, w in OPEN_STATES])[0]
            context = {
                "sections": sections,
                "relations": relations,
                "year": year,
                "icb": borough.stp.name,
                "opens": opens,
                "maturity": maturity[borough.pk],
                **toolkit,
            }
            if previous is None:
                answers = fresh_answers(rng, maturity[borough.pk], place[borough.pk])
                context["answers"] = answers
                rows = fresh_rows(rng, relations, context)
                saved, unchanged = [s.slug for s in sections], []
            elif state == "not_started":  # the draft as it was carried over
                answers, rows = carried[borough.pk]
                saved, unchanged = [], []
            else:
                answers, rows = carried[borough.pk]
                answers = dict(answers)
                rows = {
                    relation: [dict(row) for row in rows.get(relation, [])]
                    for relation in relations
                }
                context["answers"] = answers
                touched = changed(
                    rng, answers, rows, maturity[borough.pk], place[borough.pk], context
                )
                saved = [s.slug for s in sections if s.slug in touched]
                unchanged = [s.slug for s in sections if s.slug not in touched]
            if state == "not_started" and previous is None:
                answers, rows = {}, {}
            elif state == "in_progress":  # some sections dealt with, the others not yet
                cut = rng.randint(1, max(1, len(sections) - 1))
                dealt = {s.slug for s in sections[:cut]}
                saved = [slug for slug in saved if slug in dealt]
                unchanged = [slug for slug in unchanged if slug in dealt]
            returns.append(
                _return(survey_round, borough, answers, state, saved, unchanged, previous, rng, by)
            )
            all_rows.append(rows)
            carried[borough.pk] = (answers, rows)
        with transaction.atomic():
            made = ScopingReturn.objects.bulk_create(returns, batch_size=BATCH // 2)
            result.rows += _insert_rows(made, all_rows, relations)
            for scoping_return in made:
                events.extend(_events(scoping_return, rng, by))
            ReturnEvent.objects.bulk_create(events, batch_size=BATCH)
        result.returns += len(made)
        if not is_open:
            survey_round = workflow.publish_round(survey_round=survey_round, by=by, notify=False)
        result.rounds.append(survey_round)
        log(f"{survey_round}: {len(made)} returns, {survey_round.get_state_display().lower()}")
        previous = survey_round
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result


def _toolkit() -> dict:
    """What a toolkit round's rows are made from: its version (the latest approved, or the
    draft), the guidance areas and the levels in order."""
    from toolkit import versions

    return {
        "version": versions.latest_approved(),
        "areas": [area.slug for area in versions.areas()],
        "levels": [level.slug for level in versions.levels()],
    }


def _return(survey_round, borough, answers, state, saved, unchanged, previous, rng, by):
    not_started = state == "not_started"
    if state in {"not_started", "in_progress"}:
        state = ReturnState.DRAFT
    opens = survey_round.opens_on
    submitted = state != ReturnState.DRAFT
    submitted_at = _at(opens + datetime.timedelta(days=rng.randint(10, 80)), rng)
    accepted = state == ReturnState.ACCEPTED
    return ScopingReturn(
        survey_round=survey_round,
        borough=borough,
        state=state,
        version=1 if not_started else 1 + len(saved) + len(unchanged) + 2 * accepted,
        updated_by=None if not_started else by,
        submitted_at=submitted_at if submitted else None,
        submitted_by=by if submitted else None,
        accepted_at=submitted_at + datetime.timedelta(days=rng.randint(1, 9)) if accepted else None,
        accepted_by=by if accepted else None,
        carried_from=previous,
        sections_saved=",".join(sorted(saved)),
        sections_unchanged=",".join(sorted(unchanged)),
        **answers,
    )


def _insert_rows(returns, all_rows, relations) -> int:
    count = 0
    for relation, model in relations.items():
        made = [
            model(scoping_return=scoping_return, **values)
            for scoping_return, rows in zip(returns, all_rows, strict=True)
            for values in rows.get(relation, [])
        ]
        model.objects.bulk_create(made, batch_size=BATCH)
        count += len(made)
    return count


def _events(scoping_return, rng, by) -> list[ReturnEvent]:
    """The timeline of the return's review: submitted, sent back, accepted."""
    if scoping_return.submitted_at is None:
        return []

    def step(at, from_state, to_state, comment=""):
        return ReturnEvent(
            scoping_return=scoping_return,
            at=at,
            by=by,
            kind=EventKind.TRANSITION,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
        )

    steps = [step(scoping_return.submitted_at, ReturnState.DRAFT, ReturnState.SUBMITTED)]
    if scoping_return.state == ReturnState.CHANGES_REQUESTED:
        steps.append(
            step(
                scoping_return.submitted_at + datetime.timedelta(days=2),
                ReturnState.SUBMITTED,
                ReturnState.CHANGES_REQUESTED,
                "Please give the whole-time equivalent of each care role.",
            )
        )
    if scoping_return.state == ReturnState.ACCEPTED:
        steps.append(step(scoping_return.accepted_at, ReturnState.SUBMITTED, ReturnState.ACCEPTED))
    return steps
