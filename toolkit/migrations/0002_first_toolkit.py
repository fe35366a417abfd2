"""The first toolkit: the principles and guidance areas of the June 2017 slides, the four levels,
and version 1 of the descriptors, a draft until the steering group approves it in the admin.

The slides name the three principles and the ten areas but neither put the areas under the
principles nor describe the levels. The mapping and the descriptors below are a first draft
written from the two seed documents: "embedded" is what the September 2017 report's established
services do (shared records, depot and physical health clinics in general practice, care
navigators and peer support workers, outcomes such as DIALOG and WEMWBS reported), "planning"
what its planned services describe. The steering group reviews them before approving.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PRINCIPLES = [
    (
        "continuum-of-care",
        "Creating a continuum of care",
        "Care moves with the person between general practice and specialist services as their "
        "needs change, without gaps, repeated assessments or long waits.",
    ),
    (
        "community-focused",
        "Community-focused",
        "Care in familiar, less stigmatised settings, close to home and to the person's sources "
        "of family and community support, including the voluntary sector.",
    ),
    (
        "capable-and-co-produced",
        "Capable and co-produced service",
        "A skilled and confident workforce, a service shaped with people with lived experience, "
        "and evidence of what it achieves and what it costs.",
    ),
]

LEVELS = [
    ("not-started", "Not started", 0),
    ("planning", "Planning", 1),
    ("implementing", "Implementing", 2),
    ("embedded", "Embedded", 3),
]

# (slug, name, principle, guidance, {level: descriptor})
AREAS = [
    (
        "planning-service-scope",
        "Planning service scope",
        "continuum-of-care",
        "Who the service is for (SMI, or SMI and common mental health difficulties), from what "
        "age, with what inclusion and exclusion criteria, agreed by commissioners, providers, "
        "general practice and people who use services.",
        {
            "not-started": "No PCMH service is planned; who such a service would be for has "
            "not been discussed.",
            "planning": "A scope is being agreed (for example SMI, or SMI+), with a business "
            "case or plan, but no people are yet seen under it.",
            "implementing": "The service sees people under an agreed scope, as a pilot or in "
            "part of the borough; criteria are still being tested.",
            "embedded": "An established service with written inclusion and exclusion criteria "
            "that general practice and specialist teams know and use, reviewed with people "
            "who use it.",
        },
    ),
    (
        "system-flow-and-capacity",
        "System flow and capacity",
        "continuum-of-care",
        "How people move between secondary and primary care as their needs dictate (step down "
        "and step up), and whether the service has the capacity to take them.",
        {
            "not-started": "No agreed route for people to move from secondary to primary care "
            "and back.",
            "planning": "Step-down and step-up routes and the capacity they need are being "
            "modelled with the mental health trust and practices.",
            "implementing": "People are stepped down from community mental health teams and "
            "stepped up when needed, in part of the borough or for some teams.",
            "embedded": "Step down and step up are routine across the borough, with agreed "
            "criteria, a single point of access and capacity matched to demand.",
        },
    ),
    (
        "access-to-continuity-of-care",
        "Access to continuity of care",
        "continuum-of-care",
        "Whether a person keeps a named clinician and plan in primary care, with quick access "
        "to specialist care when needed, including those discharged from specialist services "
        "who have not engaged with primary care.",
        {
            "not-started": "People discharged from specialist services have no planned "
            "follow-up or named contact in primary care.",
            "planning": "A model of named contact, recovery and staying-well plans and rapid "
            "re-access is being designed.",
            "implementing": "Some practices offer a named worker, regular review and quick "
            "access back to specialist care.",
            "embedded": "Every person in the service has a named worker and a recovery plan in "
            "general practice, and rapid access to specialist advice or care when needed.",
        },
    ),
    (
        "communication",
        "Communication",
        "continuum-of-care",
        "Timely specialist advice for primary care staff, and records shared between general "
        "practice and mental health services.",
        {
            "not-started": "No advice line and no shared record between general practice and "
            "mental health services.",
            "planning": "An advice line or a shared IT system (EMIS Web, SystmOne) is planned "
            "and agreed in principle.",
            "implementing": "Specialist advice is available to some practices, or records are "
            "shared for part of the service.",
            "embedded": "General practice calls specialist advice the same day, and the team "
            "records in the practice's own system, so care is not duplicated.",
        },
    ),
    (
        "social-prescribing",
        "Social prescribing",
        "community-focused",
        "Navigation to community sources of support (housing, employment, benefits advice, "
        "education, the voluntary sector) for the social needs that affect mental health.",
        {
            "not-started": "No link to community and voluntary sector support from the service.",
            "planning": "Care navigators or link workers and partner organisations are being "
            "identified.",
            "implementing": "Navigators or link workers take referrals from some practices, "
            "with a directory of local support.",
            "embedded": "Care navigators, employment advisers and peer support connect people "
            "to community support across the borough, working with the voluntary sector.",
        },
    ),
    (
        "medicines-management",
        "Medicines management",
        "community-focused",
        "Psychotropic prescribing and monitoring in primary care (depot antipsychotics, "
        "lithium and clozapine), with clear responsibility and funding between primary and "
        "secondary care.",
        {
            "not-started": "Depots and monitoring are given only by specialist services; who "
            "is responsible is not agreed.",
            "planning": "Shared-care protocols, a primary care pharmacist or depot clinics in "
            "general practice are being planned.",
            "implementing": "Some practices give depots or run monitoring clinics under a "
            "shared-care agreement.",
            "embedded": "Depots, lithium and physical health monitoring are given in primary "
            "care across the borough, with pharmacist support and an agreed shared-care "
            "protocol.",
        },
    ),
    (
        "economic-case-for-change",
        "Economic case for change",
        "capable-and-co-produced",
        "Local data on costs and savings (for example fewer A&E attendances and admissions, "
        "fewer outpatient appointments) and secured recurrent funding.",
        {
            "not-started": "No local costs or benefits are measured; the service has no funding.",
            "planning": "A business case is being written, with the data to collect and the "
            "funding to seek.",
            "implementing": "Pilot or transformation funding, with costs and activity being "
            "collected to make the case.",
            "embedded": "Recurrent funding is secured and the service reports costs and "
            "savings against its business case.",
        },
    ),
    (
        "outcome-measures",
        "Outcome measures",
        "capable-and-co-produced",
        "Agreed measures of success (clinical, recovery and experience, for example DIALOG, "
        "WEMWBS, Recovery Star) collected and reported.",
        {
            "not-started": "No outcome measures are chosen.",
            "planning": "Measures are being chosen or are under development.",
            "implementing": "Measures are collected for some people or some teams; results "
            "are not yet reported.",
            "embedded": "Measures are collected routinely at start and discharge and reported, "
            "with the results used to improve the service.",
        },
    ),
    (
        "new-care-roles",
        "New care roles",
        "capable-and-co-produced",
        "New roles in the team (care navigators, peer support workers, mental health liaison "
        "workers, primary care mental health practitioners) working with people towards their "
        "recovery goals.",
        {
            "not-started": "No new roles are planned.",
            "planning": "New roles are designed and funding or recruitment is being sought.",
            "implementing": "Some new roles are in post or being recruited.",
            "embedded": "A multidisciplinary team with new roles in post, with clear roles and "
            "responsibilities, supervision and a career path.",
        },
    ),
    (
        "training",
        "Training",
        "capable-and-co-produced",
        "Regular mental health training for all primary care staff, from GPs (for example a "
        "mental health diploma) to reception staff.",
        {
            "not-started": "No mental health training for primary care staff.",
            "planning": "A training programme is being planned.",
            "implementing": "Training is offered to some staff groups or practices.",
            "embedded": "Regular training for every staff group, with GP mental health "
            "champions, case discussion and specialist teaching.",
        },
    ),
]

VERSION_NOTE = (
    "First draft, written from the June 2017 slides (the principles and the ten guidance "
    "areas) and the September 2017 scoping report (what established services do). Marked "
    "Draft until the steering group approves it."
)

CODENAMES = [
    f"{action}_{model}"
    for model in ("principle", "guidancearea", "level", "toolkitversion", "descriptor")
    for action in ("view", "add", "change", "delete")
]


def load(apps, schema_editor):
    Principle = apps.get_model("toolkit", "Principle")
    GuidanceArea = apps.get_model("toolkit", "GuidanceArea")
    Level = apps.get_model("toolkit", "Level")
    ToolkitVersion = apps.get_model("toolkit", "ToolkitVersion")
    Descriptor = apps.get_model("toolkit", "Descriptor")
    for order, (slug, name, description) in enumerate(PRINCIPLES, start=1):
        Principle.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order, "description": description}
        )
    for slug, name, rank in LEVELS:
        Level.objects.update_or_create(slug=slug, defaults={"name": name, "rank": rank})
    version, _ = ToolkitVersion.objects.get_or_create(
        number=1, defaults={"name": "First draft, 2017", "note": VERSION_NOTE}
    )
    for order, (slug, name, principle, guidance, descriptors) in enumerate(AREAS, start=1):
        GuidanceArea.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "principle_id": principle,
                "order": order,
                "guidance": guidance,
            },
        )
        for level, text in descriptors.items():
            Descriptor.objects.get_or_create(
                version=version, area_id=slug, level_id=level, defaults={"text": text}
            )
    grant(apps)


def grant(apps):
    # Permissions are normally created after migrate; the steering group needs these now.
    config = apps.get_app_config("toolkit")
    previous, config.models_module = getattr(config, "models_module", None), True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Steering group").first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="toolkit", codename__in=CODENAMES)
        )


def unload(apps, schema_editor):
    apps.get_model("toolkit", "Descriptor").objects.filter(version__number=1).delete()
    apps.get_model("toolkit", "ToolkitVersion").objects.filter(number=1).delete()
    apps.get_model("toolkit", "GuidanceArea").objects.all().delete()
    apps.get_model("toolkit", "Level").objects.all().delete()
    apps.get_model("toolkit", "Principle").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("toolkit", "0001_initial"),
        ("surveys", "0002_steering_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load, unload)]
