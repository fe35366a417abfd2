"""The self-assessment toolkit the steering group promised in June 2017: three principles, ten
guidance areas (each under one principle, with its guidance), a maturity scale of four levels,
and, per version of the toolkit, a descriptor of what each level looks like in each area.

All of it is data, edited in the admin between rounds. A round records the version it used
(`surveys.SurveyRound.toolkit_version`); a version is changed only while it is a draft that no
published round used, so that editing descriptors never changes what a past round shows: the
steering group copies an approved version into a new draft and edits that.

The toolkit knows nothing of returns: `surveys` points at it, never the other way round.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pcmh.published_names import NamedAsPublished
from toolkit.choices import VersionState

# The state of a published round (surveys.choices.RoundState.PUBLISHED), named here so that the
# toolkit does not import the app that points at it.
PUBLISHED = "published"


class Principle(NamedAsPublished, models.Model):
    """One of the three principles the toolkit gives guidance across."""

    published_kind = "principles"

    slug = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True, max_length=2000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class GuidanceArea(NamedAsPublished, models.Model):
    """One of the ten guidance areas a borough rates itself in, under one principle."""

    published_kind = "areas"

    slug = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100, unique=True)
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="areas")
    order = models.PositiveSmallIntegerField(default=0)
    guidance = models.TextField(
        blank=True, max_length=4000, help_text="What the area covers, as the lead reads it."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "guidance area"

    def __str__(self):
        return self.name


class Level(NamedAsPublished, models.Model):
    """A step of the maturity scale: not started, planning, implementing, embedded (`rank` 0–3,
    what medians and "at implementing or above" compare)."""

    published_kind = "levels"

    slug = models.SlugField(max_length=20, primary_key=True)
    name = models.CharField(max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rank"]

    def __str__(self):
        return self.name


class ToolkitVersionQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(state=VersionState.APPROVED)


class ToolkitVersion(models.Model):
    """One version of the descriptors: a draft until the steering group approves it. A round
    uses one version; the descriptors a published round used never change."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)
    state = models.CharField(
        max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    note = models.TextField(
        blank=True, max_length=2000, help_text="Where the descriptors come from, what changed."
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ToolkitVersionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-number"]
        verbose_name = "toolkit version"

    def __str__(self):
        draft = " (draft)" if self.is_draft else ""
        return f"Version {self.number}: {self.name}{draft}"

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT

    def published_rounds(self):
        """The published rounds that used this version (through the rounds' `toolkit_version`)."""
        rounds = getattr(self, "rounds", None) if self.pk is not None else None
        return [] if rounds is None else list(rounds.filter(state=PUBLISHED))

    def edit_refusal(self) -> str | None:
        """Why this version's descriptors cannot be changed now, or None if they can."""
        published = self.published_rounds()
        if published:
            names = ", ".join(str(r) for r in published)
            return (
                f"{self} was used by {names}, which is published: what that round showed cannot "
                "change. Copy the version into a new draft and edit that."
            )
        if not self.is_draft:
            return (
                f"{self} is approved and cannot be changed. Copy it into a new draft and edit that."
            )
        return None


class Descriptor(models.Model):
    """What one level looks like in practice in one guidance area, in one toolkit version."""

    version = models.ForeignKey(
        ToolkitVersion, on_delete=models.CASCADE, related_name="descriptors"
    )
    area = models.ForeignKey(GuidanceArea, on_delete=models.PROTECT, related_name="descriptors")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="descriptors")
    text = models.TextField("descriptor", max_length=2000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "area__order", "level__rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "area", "level"],
                name="one_descriptor_per_area_and_level",
                violation_error_message="The version already has a descriptor for this area "
                "and level",
            ),
        ]

    def __str__(self):
        return f"{self.area} – {self.level}"

    def save(self, *args, **kwargs):
        # A published round's descriptors stay as they were, whatever path tries to save.
        if self.version_id is not None:
            refusal = self.version.edit_refusal()
            if refusal:
                raise ValidationError(refusal)
        super().save(*args, **kwargs)

    def clean(self):
        if self.version_id is not None:
            refusal = self.version.edit_refusal()
            if refusal:
                raise ValidationError(refusal)
