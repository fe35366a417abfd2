"""The fixed answer sets: the database stores the short value, people read the label."""

from django.db import models


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PLANNED = "planned", "Planned"
    NOT_STATED = "not_stated", "Not stated"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ServiceStatus(models.TextChoices):
    ESTABLISHED = "established", "Established"
    PILOT = "pilot", "Pilot"
    PLANNED = "planned", "Planned"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Scope(models.TextChoices):
    SMI = "smi", "SMI"
    SMI_PLUS = "smi_plus", "SMI+"
    NOT_STATED = "not_stated", "Not stated"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ModelType(models.TextChoices):
    COLLABORATIVE_CARE = "collaborative_care", "Collaborative care"
    IN_REACH = "in_reach", "In-reach"
    WRAP_AROUND = "wrap_around", "Wrap-around"
    STEP_UP = "step_up", "Step-up"
    STEP_DOWN = "step_down", "Step-down"
    ATTACHED_PROFESSIONAL = "attached_professional", "Attached professional"
    CONSULTATION_LIAISON = "consultation_liaison", "Consultation-liaison"
    ALLIED_HEALTH_TEAM = "allied_health_team", "Allied health team"
    LINK_WORKING = "link_working", "Link working"
    OTHER = "other", "Other"


class ItSystem(models.TextChoices):
    EMIS_WEB = "emis_web", "EMIS Web"
    SYSTMONE = "systmone", "SystmOne"
    RIO = "rio", "Rio"
    JADE = "jade", "Jade"
    OTHER = "other", "Other"


class CareRoleType(models.TextChoices):
    CONSULTANT_PSYCHIATRIST = "consultant_psychiatrist", "Consultant psychiatrist"
    # A psychiatrist the source names without a grade ("Psychiatrist(s)", "a psychiatrist").
    PSYCHIATRIST = "psychiatrist", "Psychiatrist (grade not stated)"
    GP_LEAD = "gp_lead", "GP lead"
    MENTAL_HEALTH_NURSE = "mental_health_nurse", "Mental health nurse / CPN"
    PCMH_PRACTITIONER = "pcmh_practitioner", "PCMH practitioner"
    SOCIAL_WORKER = "social_worker", "Social worker"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    EMPLOYMENT_ADVISER = "employment_adviser", "Employment adviser"
    PEER_SUPPORT_WORKER = "peer_support_worker", "Peer support worker"
    CARE_NAVIGATOR = "care_navigator", "Care navigator / link worker"
    PHARMACIST = "pharmacist", "Pharmacist"
    ADMINISTRATOR = "administrator", "Administrator"
    MANAGER = "manager", "Manager"
    OTHER = "other", "Other"


class PostStatus(models.TextChoices):
    """Whether a care role is staffed now: a role that is planned, proposed or being considered
    is not counted as staff in post."""

    IN_POST = "in_post", "In post"
    PLANNED = "planned", "Planned or proposed"
    NOT_STATED = "not_stated", "Not stated"


class RoundState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    PUBLISHED = "published", "Published"


class ReportGrouping(models.TextChoices):
    """The level of the register a round's report groups its units by: London's report by STP
    footprint, a national one by region (each region's footprints under it)."""

    STP = "stp", "ICB or STP footprint"
    REGION = "region", "Region"


class ReturnState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"


class QueryState(models.TextChoices):
    """A reviewer's query on one answer: open → answered by a lead → resolved (or re-opened)."""

    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"


class EventKind(models.TextChoices):
    """What a return's timeline records: its state changes, and the review's other steps."""

    TRANSITION = "transition", "State changed"
    QUERY_RAISED = "query_raised", "Query raised"
    QUERY_ANSWERED = "query_answered", "Query answered"
    QUERY_RESOLVED = "query_resolved", "Query resolved"
    QUERY_REOPENED = "query_reopened", "Query re-opened"
    NO_RETURN = "no_return", "Marked as no return"
    CORRECTED = "corrected", "Answer corrected"
