"""What a scoping return is: a round, one return per borough, and the framework's ten sections."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from boroughs.models import Borough, is_steering_group
from surveys.choices import (
    Answer,
    CareRoleType,
    EventKind,
    ItSystem,
    ModelType,
    PostStatus,
    QueryState,
    ReportGrouping,
    ReturnState,
    RoundState,
    Scope,
    ServiceStatus,
)
from surveys.constraints import RestatedConstraint, add_field_rules
from surveys.fields import CodeListField, split_codes
from surveys.rules import AGES_IN_ORDER, CARE_ROLE_RULES, RETURN_RULES, FollowsRules
from surveys.sections import ANSWER, FIELD_NAMES, SECTIONS, kind_of
from toolkit.choices import Theme


def _user_who():
    """The user who last did something to a return (kept as None when the account goes)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


class SurveyRoundQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=RoundState.PUBLISHED)

    def readable_by(self, user):
        """Rounds whose report `user` may read: published ones, and all for the steering group."""
        return self if is_steering_group(user) else self.published()


class SurveyRound(models.Model):
    """One scoping exercise, e.g. "2017 pan-London scoping": open → closed → published."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    state = models.CharField(max_length=12, choices=RoundState.choices, default=RoundState.OPEN)
    guidance = models.TextField(blank=True, max_length=20000)
    previous_round = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_rounds"
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = _user_who()
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = _user_who()
    framework_version = models.CharField(
        max_length=20,
        default="2017",
        help_text="The version of the framework (its questions) the round asks.",
    )
    report_grouping = models.CharField(
        "report grouping",
        max_length=10,
        choices=ReportGrouping.choices,
        default=ReportGrouping.STP,
        help_text="The level of the register the report's tables group the units by: each ICB "
        "or STP footprint (London's report), or each region with its footprints under it.",
    )
    # Section 11: whether the round's returns rate the toolkit's guidance areas, and against the
    # descriptors of which version (fixed once the round is published: toolkit.models).
    uses_toolkit = models.BooleanField(
        "uses the self-assessment toolkit",
        default=False,
        help_text="Its returns have Section 11, Self-assessment, and need a level for every "
        "guidance area to be submitted.",
    )
    toolkit_version = models.ForeignKey(
        "toolkit.ToolkitVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
        help_text="The descriptors its leads read while choosing a level.",
    )

    objects = SurveyRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
                violation_error_message=(
                    "The closing date must be the same as or after the opening date"
                ),
            ),
            models.CheckConstraint(
                condition=Q(uses_toolkit=False) | Q(toolkit_version__isnull=False),
                name="toolkit_round_has_a_toolkit_version",
                violation_error_message="Choose the toolkit version a round using the toolkit uses",
            ),
        ]

    def __str__(self):
        return self.name

    def readable_by(self, user) -> bool:
        """Whether `user` may read its report: as `SurveyRound.objects.readable_by(user)` has
        it (published, or any round for the steering group)."""
        return self.state == RoundState.PUBLISHED or is_steering_group(user)

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.closes_on < timezone.localdate()

    @property
    def days_left(self) -> int | None:
        """Whole days from today to the closing date (0: it closes today; negative: passed), or
        None once the round is closed."""
        return (self.closes_on - timezone.localdate()).days if self.is_open else None

    @property
    def current_publication(self):
        """The publication its report shows now (the latest version), or None before it is
        published."""
        if self.state != RoundState.PUBLISHED:
            return None
        return self.publications.order_by("-version").first()


class Publication(models.Model):
    """One version of a round's published report: its inputs (every return of the round and
    their child rows, and the names of the register and the toolkit) copied and frozen as they
    stood when it was published, so that what the
    report says changes only when the steering group publishes a correction (version 2, ...)
    with a note of what it corrects. `surveys.publications` makes the copies."""

    survey_round = models.ForeignKey(
        SurveyRound, on_delete=models.CASCADE, related_name="publications"
    )
    version = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = _user_who()
    note = models.TextField(
        "what the correction changes",
        blank=True,
        max_length=2000,
        help_text='Shown on the report as "Corrected on <date>: <note>"; none for version 1.',
    )
    register = models.JSONField(
        "names as published",
        default=dict,
        blank=True,
        editable=False,
        help_text="The register's and the toolkit's names when this version was published "
        "(pcmh.published_names): what the report shows, whatever is renamed later.",
    )

    class Meta:
        ordering = ["survey_round", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey_round", "version"], name="one_publication_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.survey_round}, version {self.version}"

    @property
    def is_correction(self) -> bool:
        return self.version > 1


class ScopingReturnQuerySet(models.QuerySet):
    def in_round(self, survey_round):
        return self.filter(survey_round=survey_round)

    def accepted(self):
        return self.filter(state=ReturnState.ACCEPTED)

    def for_user(self, user):
        """Returns of the boroughs `user` may see (see `Borough.objects.for_user`)."""
        return self.filter(borough__in=Borough.objects.for_user(user))

    def counted_in(self, survey_round):
        """Returns a round's report counts: accepted once published, else submitted too."""
        return self.filter(survey_round=survey_round, state__in=counted_states(survey_round))


class LiveReturnManager(models.Manager.from_queryset(ScopingReturnQuerySet)):
    """The returns leads and reviewers work on: not the copies frozen in a publication."""

    def get_queryset(self):
        return super().get_queryset().filter(publication__isnull=True)


def counted_states(survey_round) -> list[str]:
    """The states of the returns a round's report counts: accepted once it is published,
    submitted ones too before that."""
    if survey_round.state == RoundState.PUBLISHED:
        return [ReturnState.ACCEPTED]
    return [ReturnState.ACCEPTED, ReturnState.SUBMITTED]


def _answer(verbose_name, **kwargs):
    return models.CharField(
        verbose_name, max_length=16, choices=Answer.choices, blank=True, **kwargs
    )


def _text(verbose_name=None, max_length=10000, **kwargs):
    return models.TextField(verbose_name, blank=True, max_length=max_length, **kwargs)


def _note(verbose_name):
    """The words a source prints beside a classified answer: "Yes - funding secured 2017/2018"
    beside Yes, "SMI+ 16yrs+" beside SMI+. The answer is what is counted; its note is shown
    under it."""
    return models.CharField(
        verbose_name,
        max_length=500,
        blank=True,
        help_text="The words printed beside the answer, as the tables print them.",
    )


def _sections():
    """A list of the framework's sections (which a lead has saved, or confirmed unchanged)."""
    return CodeListField(
        max_length=300,  # every section's slug, Section 11's too (a test keeps it so)
        blank=True,
        default="",
        editable=False,
        codes=[(section.slug, section.title) for section in SECTIONS],
        item="section",
    )


AGE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("120"))]


class ScopingReturn(FollowsRules, models.Model):
    """One borough's answers in one round, in the framework's ten sections."""

    rules = RETURN_RULES

    survey_round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="returns")
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="returns")
    state = models.CharField(max_length=20, choices=ReturnState.choices, default=ReturnState.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = _user_who()
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = _user_who()
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = _user_who()
    no_return_reason = models.TextField(
        "no return: the reason",
        blank=True,
        max_length=2000,
        editable=False,
        help_text="Recorded by the steering group when the borough makes no return this round; "
        "the report shows it.",
    )
    sections_saved = _sections()
    # A round opened from an earlier one: the round the draft's answers were carried over from,
    # and the sections the lead confirmed as "No change since" it (an answer: unchanged).
    carried_from = models.ForeignKey(
        SurveyRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    sections_unchanged = _sections()
    # One borough's extension: leads may change and submit until this date, not the round's.
    extended_to = models.DateField(null=True, blank=True, editable=False)
    extension_reason = models.TextField(blank=True, max_length=2000, editable=False)
    # A read-only copy of the return frozen in one version of its round's published report
    # (`surveys.publications`); None for the return itself, the one leads and reviewers change.
    publication = models.ForeignKey(
        Publication,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",  # its copies: ScopingReturn.all_rows.filter(publication=...)
        editable=False,
    )

    # 1. Service
    status = models.CharField(
        "service status", max_length=16, choices=ServiceStatus.choices, blank=True
    )
    service_name = models.CharField(max_length=200, blank=True)
    status_note = models.CharField(max_length=500, blank=True)
    current_situation = _text("current situation")
    co_production = _text("co-production with people with lived experience")
    # 2. Model
    model_types = CodeListField(
        max_length=300,
        blank=True,
        codes=ModelType,
        item="model type",
        help_text="Comma-separated model type codes.",
    )
    model_other = models.CharField("other model type", max_length=200, blank=True)
    service_form = models.CharField(
        "service form",
        max_length=200,
        blank=True,
        help_text="The model in one line, as the STP tables print it.",
    )
    model_description = _text("model description")
    aims = _text("aims")
    working_style = _text("working style")
    # 3. Scope
    scope = models.CharField(max_length=16, choices=Scope.choices, blank=True)
    scope_note = _note("scope note")
    min_age = models.DecimalField(
        "minimum age",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
    )
    max_age = models.DecimalField(
        "maximum age",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
    )
    inclusion_notes = _text("inclusion notes")
    exclusion_criteria = _text("exclusion criteria")
    # 5. Training
    training = _answer("regular mental health training established")
    training_note = _note("training note")
    training_description = _text("training description")
    # 6. Electronic record keeping
    shared_it = _answer("shared IT system with general practice")
    shared_it_note = _note("shared IT note")
    it_systems = CodeListField(
        "IT systems",
        max_length=100,
        blank=True,
        codes=ItSystem,
        item="IT system",
        help_text="Comma-separated system codes.",
    )
    it_systems_other = models.CharField("other IT system", max_length=200, blank=True)
    it_description = _text("record keeping description")
    # 7. Psychotropic medication prescribing
    medicines_management = _answer("medicines management in primary care")
    medicines_management_note = _note("medicines management note")
    depot_antipsychotics = _answer("depot antipsychotics given in primary care")
    clozapine_clinic = _answer("clozapine clinic")
    lithium_clinic = _answer("lithium monitoring clinic")
    advice_line = _answer("specialist advice line")
    primary_care_pharmacist = _answer("primary care pharmacist")
    prescribing_description = _text("prescribing description")
    # 8. Outcome measures
    outcome_measures = _answer("outcome measures described")
    outcome_measures_note = _note("outcome measures note")
    key_outcomes = _text("key outcomes to date")
    # 9. Funding
    recurrent_funding = _answer("recurrent funding secured")
    recurrent_funding_note = _note("recurrent funding note")
    funding_notes = _text("funding notes")

    objects = LiveReturnManager()  # the default: the admin, the lead's pages, related managers
    all_rows = ScopingReturnQuerySet.as_manager()  # frozen copies too: what reports read
    history = HistoricalRecords(excluded_fields=["updated_at", "publication"])

    class Meta:
        ordering = ["survey_round", "borough__display_order"]
        verbose_name = "scoping return"
        constraints = [
            models.UniqueConstraint(
                fields=["survey_round", "borough"],
                condition=Q(publication__isnull=True),
                name="one_return_per_borough_per_round",
            ),
            models.UniqueConstraint(
                fields=["publication", "borough"], name="one_copy_per_borough_per_publication"
            ),
            RestatedConstraint(
                condition=Q(min_age__isnull=True) | Q(min_age__gte=0, min_age__lte=120),
                name="return_min_age_range",
                violation_error_message="Enter the minimum age between 0 and 120",
            ),
            RestatedConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=0, max_age__lte=120),
                name="return_max_age_range",
                violation_error_message="Enter the maximum age between 0 and 120",
            ),
            RestatedConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="return_min_age_not_above_max",
                violation_error_message=AGES_IN_ORDER,
            ),
        ]
        permissions = [
            ("review_scopingreturn", "Can review (accept, request changes, reopen) returns"),
            ("import_scopingreturn", "Can import returns"),
            ("export_scopingreturn", "Can export returns"),
        ]

    def __str__(self):
        return f"{self.borough} – {self.survey_round}"

    def get_absolute_url(self):
        return reverse("surveys:return", args=[self.survey_round.slug, self.borough.slug])

    def validate_constraints(self, exclude=None):
        # One return per borough and round holds for the returns themselves (not the copies a
        # publication keeps): checked although `publication` is on no form.
        super().validate_constraints(exclude=set(exclude or ()) - {"publication"})

    def code_labels(self, name: str) -> list[str]:
        """The labels of a code list's codes ("model_types", "it_systems"), as stored."""
        return self._meta.get_field(name).labels(getattr(self, name))

    @property
    def saved_sections(self) -> set[str]:
        return set(split_codes(self.sections_saved))

    @property
    def unchanged_sections(self) -> set[str]:
        return set(split_codes(self.sections_unchanged))

    @property
    def deadline(self):
        """The last day its leads may change and submit it: its extension's, or the round's."""
        return self.extended_to or self.survey_round.closes_on

    @property
    def days_left(self) -> int | None:
        """Whole days to its deadline (0: today; negative: passed), None once the round is
        closed."""
        if not self.survey_round.is_open:
            return None
        return (self.deadline - timezone.localdate()).days


# The answers from the framework's Yes / No / Planned... set, in the framework's order.
ANSWER_FIELD_NAMES = tuple(
    name for name in FIELD_NAMES if kind_of(ScopingReturn._meta.get_field(name)) == ANSWER
)


class LiveRowManager(models.Manager):
    """The rows of the returns leads and reviewers work on, not of the copies frozen in a
    publication; through one return (`a_return.care_roles`, prefetching) that return's rows,
    whichever it is."""

    def get_queryset(self):
        rows = super().get_queryset()
        if getattr(self, "core_filters", None):  # a return's own related manager
            return rows
        return rows.filter(scoping_return__publication__isnull=True)


class ReturnRow(FollowsRules, models.Model):
    """A row of a return (a care role, a contact...): kept in the order it was added, its every
    change recorded."""

    objects = LiveRowManager()  # the default: the admin, imports, related managers
    all_rows = models.Manager()  # noqa: DJ012 - frozen copies' rows too: what reports read
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["id"]


class CareRole(ReturnRow):
    rules = CARE_ROLE_RULES

    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="care_roles"
    )
    role = models.CharField(max_length=30, choices=CareRoleType.choices)
    role_other = models.CharField("other role", max_length=200, blank=True)
    wte = models.DecimalField(
        "whole-time equivalent",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("999"))],
    )
    wte_approximate = models.BooleanField(
        "whole-time equivalent approximate",
        default=False,
        help_text="The source gives the whole-time equivalent as approximate "
        "(“approximately 45 WTE”).",
    )
    post_status = models.CharField(
        "post status",
        max_length=12,
        choices=PostStatus.choices,
        default=PostStatus.NOT_STATED,
        help_text="Whether the role is staffed now, or planned, proposed or being considered.",
    )
    band = models.CharField(max_length=100, blank=True)
    employer = models.CharField("employing organisation", max_length=200, blank=True)
    is_new = models.BooleanField("new role", null=True, blank=True)
    notes = _text(max_length=2000)

    class Meta(ReturnRow.Meta):
        constraints = [
            RestatedConstraint(
                condition=Q(wte__isnull=True) | Q(wte__gte=0, wte__lte=999),
                name="care_role_wte_range",
                violation_error_message="Enter a whole-time equivalent between 0 and 999",
            ),
        ]

    def __str__(self):
        return self.role_other or self.get_role_display()


class Contact(ReturnRow):
    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=300, blank=True)
    organisation = models.CharField(max_length=300, blank=True)
    email = models.EmailField("e-mail", blank=True)

    def __str__(self):
        return self.name


class OutcomeMeasure(ReturnRow):
    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="measures"
    )
    name = models.CharField(max_length=500)
    notes = _text(max_length=2000)

    def __str__(self):
        return self.name


class FundingLine(ReturnRow):
    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="funding_lines"
    )
    amount = models.DecimalField(
        "amount (£)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    financial_year = models.CharField(max_length=20, blank=True, help_text="For example 2017/18.")
    recurrent = models.BooleanField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    notes = _text(max_length=2000)

    class Meta(ReturnRow.Meta):
        constraints = [
            RestatedConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="funding_amount_not_negative",
                violation_error_message="Enter an amount of £0 or more",
            ),
        ]

    def __str__(self):
        amount = f"£{self.amount:,}" if self.amount is not None else "No amount given"
        return f"{amount} {self.financial_year}".strip()


class SelfAssessment(ReturnRow):
    """Section 11: the borough's level in one of the toolkit's guidance areas, the evidence for
    it, and the next step it plans, with a target date."""

    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="self_assessments"
    )
    area = models.ForeignKey(
        "toolkit.GuidanceArea",
        verbose_name="guidance area",
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.ForeignKey(
        "toolkit.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = _text("evidence", max_length=4000)
    next_step = _text("next step", max_length=2000)
    target_date = models.DateField("next step's target date", null=True, blank=True)

    class Meta(ReturnRow.Meta):
        verbose_name = "self-assessment"
        constraints = [
            models.UniqueConstraint(
                fields=["scoping_return", "area"],
                name="one_self_assessment_per_area",
                violation_error_message="The return already has a level for this guidance area",
            ),
        ]

    def __str__(self):
        return f"{self.area}: {self.level or 'no level'}"


class ThemedRow(ReturnRow):
    """A benefit seen or a barrier met, in the borough's words, tagged with one or more of the
    eight themes."""

    text = models.TextField(max_length=2000)
    themes = CodeListField(max_length=200, codes=Theme, item="theme")

    class Meta(ReturnRow.Meta):
        abstract = True

    def __str__(self):
        return self.text[:80]

    @property
    def theme_labels(self) -> list[str]:
        return self._meta.get_field("themes").labels(self.themes)


class Benefit(ThemedRow):
    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="benefits"
    )

    class Meta(ThemedRow.Meta):
        verbose_name = "benefit seen"
        verbose_name_plural = "benefits seen"


class Barrier(ThemedRow):
    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="barriers"
    )

    class Meta(ThemedRow.Meta):
        verbose_name = "barrier met"
        verbose_name_plural = "barriers met"


class DataQualityNote(ReturnRow):
    """Where a return's narrative contradicts its classification, quoting both sides."""

    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="quality_notes"
    )
    field = models.CharField(max_length=50)
    narrative = models.TextField("the narrative says", max_length=5000)
    appendix = models.TextField("the classification says", max_length=2000)
    note = models.TextField(max_length=2000)

    class Meta(ReturnRow.Meta):
        verbose_name = "data-quality note"

    def __str__(self):
        return f"{self.scoping_return.borough}: {self.field}"


class AnswerQuery(FollowsRules, models.Model):
    """A reviewer's question about one answer of a return, or one of its child rows: open →
    answered by a lead → resolved, or re-opened by the reviewer (`surveys.workflow` moves it)."""

    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="queries"
    )
    field = models.CharField(
        max_length=50, help_text="The return's field, or the child rows' relation (care_roles)."
    )
    row_id = models.PositiveIntegerField(null=True, blank=True)
    about = models.CharField(
        max_length=300, help_text='What the query is on, as it read when raised: "Care role 2".'
    )
    text = models.TextField("query", max_length=5000)
    state = models.CharField(max_length=12, choices=QueryState.choices, default=QueryState.OPEN)
    raised_by = _user_who()
    raised_at = models.DateTimeField(default=timezone.now)
    reply = models.TextField(blank=True, max_length=5000)
    answered_by = _user_who()
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_by = _user_who()
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = "query"
        verbose_name_plural = "queries"

    def __str__(self):
        return f"{self.scoping_return.borough}: {self.about}"

    @property
    def is_unresolved(self) -> bool:
        return self.state != QueryState.RESOLVED


class ReturnEvent(models.Model):
    """A step in a return's review: a workflow transition (who moved the return, when, from
    what to what, and why), or a query's step, a "no return" mark, a correction (`kind`)."""

    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.TRANSITION)
    query = models.ForeignKey(
        AnswerQuery, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(max_length=20, choices=ReturnState.choices)
    to_state = models.CharField(max_length=20, choices=ReturnState.choices)
    comment = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        if self.kind != EventKind.TRANSITION:
            return self.get_kind_display()
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    @property
    def is_transition(self) -> bool:
        return self.kind == EventKind.TRANSITION


class ReturnComment(FollowsRules, models.Model):
    """The thread between the steering group and a borough's leads about one return."""

    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.author} at {self.at:%Y-%m-%d %H:%M}"


class ReminderSent(models.Model):
    """A deadline reminder e-mailed to a return's leads (`send_reminders`): each once."""

    scoping_return = models.ForeignKey(
        ScopingReturn, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20)  # "14 days before", "1 day after"...
    deadline = models.DateField()  # the deadline it was about (a new extension: new reminders)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scoping_return", "kind", "deadline"], name="one_reminder_of_a_kind"
            )
        ]

    def __str__(self):
        return f"{self.scoping_return}: {self.kind} {self.deadline}"


class UnsavedAnswers(models.Model):
    """A section's answers posted after the session had ended, kept for an hour (surveys/unsaved).

    Found by the SHA-256 of a random key that only the lead's browser holds, in a cookie.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    scoping_return = models.ForeignKey(ScopingReturn, on_delete=models.CASCADE, related_name="+")
    section = models.SlugField(max_length=40)
    data = models.JSONField()  # the POST as {name: [values]}, without the CSRF token
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name_plural = "unsaved answers"

    def __str__(self):
        return f"{self.scoping_return}: {self.section} at {self.created_at:%Y-%m-%d %H:%M}"


for _model in (
    SurveyRound,
    Publication,
    ScopingReturn,
    CareRole,
    Contact,
    OutcomeMeasure,
    FundingLine,
    SelfAssessment,
    Benefit,
    Barrier,
    DataQualityNote,
    AnswerQuery,
    ReturnEvent,
    ReturnComment,
):
    add_field_rules(_model)
