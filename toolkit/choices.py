"""The toolkit's fixed sets: a version's state, and the eight themes of benefits and barriers."""

from django.db import models


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class Theme(models.TextChoices):
    """The themes the 2017 report's Tables 1 and 2 group benefits and barriers into, in the
    tables' order; a return's benefits and barriers are each tagged with one or more."""

    INTEGRATION = "integration", "Integration"
    CARE_ENVIRONMENT = "care-environment", "Care environment"
    SERVICE_CAPACITY = "service-capacity", "Service capacity"
    WORKFORCE = "workforce", "Workforce"
    ACCESS = "access", "Access"
    COMMUNICATION = "communication", "Communication"
    SUSTAINABILITY = "sustainability", "Sustainability"
    OUTCOME_MEASURES = "outcome-measures", "Outcome measures"


class Kind(models.TextChoices):
    """Whether a statement is a benefit seen or a barrier met."""

    BENEFIT = "benefit", "Benefit"
    BARRIER = "barrier", "Barrier"
