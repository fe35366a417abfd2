"""What a round's printed report says beside its figures: the statements its returns do not
bear out, and the service aims it lists with the boroughs whose narratives match each."""

from django.db import models
from simple_history.models import HistoricalRecords

from boroughs.models import Borough
from reports.figures import FIGURES, validate_figure
from surveys.constraints import add_field_rules
from surveys.models import SurveyRound
from toolkit.choices import Kind, Theme


class PublishedStatement(models.Model):
    """A figure the round's printed report states that its returns do not give, with why.

    The summary shows it beside the figure it qualifies ("The printed report says seven; the
    returns give 6, because …"), and summary.json lists it.
    """

    survey_round = models.ForeignKey(
        SurveyRound, on_delete=models.CASCADE, related_name="published_statements"
    )
    key = models.SlugField(
        max_length=50, help_text="A short name for the statement, unique in its round."
    )
    figure = models.CharField(
        "figure it qualifies",
        max_length=60,
        validators=[validate_figure],
        help_text="The figure of the summary the statement is shown beside.",
    )
    printed = models.TextField(
        "the sentence as printed",
        max_length=2000,
        help_text="The report's own words, whole sentences.",
    )
    printed_value = models.CharField(
        "the figure as printed", max_length=200, help_text='For example "seven".'
    )
    explanation = models.TextField(
        "why the returns give another figure",
        max_length=4000,
        help_text='Read after "the returns give …, because": begin in lower case.',
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Its place in the report.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey_round", "order", "key"]
        verbose_name = "published statement"
        constraints = [
            models.UniqueConstraint(
                fields=["survey_round", "key"],
                name="one_statement_per_key_per_round",
                violation_error_message="The round already has a statement of this name",
            ),
        ]

    def __str__(self):
        return f"{self.survey_round}: {self.key}"

    @property
    def figure_label(self) -> str:
        return FIGURES.get(self.figure, self.figure)


class RoundAim(models.Model):
    """One of the service aims the round's report lists, with the boroughs whose aims match it."""

    survey_round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="aims")
    key = models.SlugField(
        max_length=50, help_text="A short name for the aim, unique in its round."
    )
    name = models.CharField(max_length=200, help_text="The aim in a few words.")
    printed = models.TextField("the aim as printed", max_length=2000)
    order = models.PositiveSmallIntegerField(default=0, help_text="Its place in the report.")
    boroughs = models.ManyToManyField(Borough, through="RoundAimBorough", related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey_round", "order", "key"]
        verbose_name = "service aim"
        constraints = [
            models.UniqueConstraint(
                fields=["survey_round", "key"],
                name="one_aim_per_key_per_round",
                violation_error_message="The round already has an aim of this name",
            ),
        ]

    def __str__(self):
        return self.name


class RoundAimBorough(models.Model):
    """A borough whose narrative states the aim, in the narrative's own words."""

    aim = models.ForeignKey(RoundAim, on_delete=models.CASCADE, related_name="tags")
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="+")
    words = models.TextField(
        "the narrative's words",
        max_length=2000,
        help_text="The words of the borough's narrative that state the aim, as printed.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["aim", "borough__display_order"]
        verbose_name = "borough with the aim"
        verbose_name_plural = "boroughs with the aim"
        constraints = [
            models.UniqueConstraint(
                fields=["aim", "borough"],
                name="one_tag_per_borough_per_aim",
                violation_error_message="The borough is already listed for this aim",
            ),
        ]

    def __str__(self):
        return f"{self.borough}: {self.aim}"


class ThemeStatement(models.Model):
    """A benefit or a barrier the round's report states for London as a whole, under its theme:
    for 2017, the stakeholder feedback of Tables 1 and 2, in the tables' order. The themes page
    and summary.json list them; no borough's return is made up from them."""

    survey_round = models.ForeignKey(
        SurveyRound, on_delete=models.CASCADE, related_name="theme_statements"
    )
    kind = models.CharField("benefit or barrier", max_length=10, choices=Kind.choices)
    theme = models.CharField(max_length=20, choices=Theme.choices)
    text = models.TextField("the statement as printed", max_length=2000)
    order = models.PositiveSmallIntegerField(default=0, help_text="Its place in the report.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey_round", "kind", "order"]
        verbose_name = "theme statement"
        constraints = [
            models.UniqueConstraint(
                fields=["survey_round", "kind", "order"],
                name="one_theme_statement_per_place",
                violation_error_message="The round already has a statement in this place",
            ),
        ]

    def __str__(self):
        return f"{self.survey_round}: {self.get_kind_display()}, {self.get_theme_display()}"


for _model in (PublishedStatement, RoundAim, RoundAimBorough, ThemeStatement):
    add_field_rules(_model)
