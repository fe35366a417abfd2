"""django-import-export resources: returns and their child rows, keyed by round and borough slugs.

Only the listed framework fields are read from a file (never an id, a state or a version). Cells
that a spreadsheet would run as a formula are prefixed with ' on export, and the prefix is taken
off again on import, so an export re-imported changes nothing.
"""

import copy

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from import_export import fields, resources, widgets

from boroughs.models import Borough
from surveys import workflow
from surveys.answers import with_article
from surveys.fields import split_codes
from surveys.models import (
    Answer,
    Barrier,
    Benefit,
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    ScopingReturn,
    SelfAssessment,
    SurveyRound,
)
from surveys.numbers import parse_money, plain_decimal
from surveys.rules import INVALID_CHARACTERS
from surveys.sections import ANSWER, CHOICE, CODE_LIST, FIELD_NAMES, TEXT, kind_of

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A value that begins with the escape mark itself is escaped too, so that import can always take
# one mark off: `'=x` is written `''=x` and read back as `'=x`.
ESCAPED_STARTS = (*FORMULA_STARTS, "'")


def escape_formula(value):
    """Make a cell inert in a spreadsheet: `=1+1` is written as `'=1+1`."""
    if isinstance(value, str) and value.startswith(ESCAPED_STARTS):
        return "'" + value
    return value


def unescape_formula(value):
    """The value that `escape_formula` wrote as `value`."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(ESCAPED_STARTS):
        return value[1:]
    return value


class ChoiceWidget(widgets.Widget):
    """A coded value, accepted as its code or its label ("Yes" or "yes")."""

    def __init__(self, choices, what: str, empty: str = ""):
        super().__init__()
        self.choices = choices
        self.what = what
        self.empty = empty  # an empty cell: not answered, or the field's default
        self.lookup = {}
        for code, label in choices:
            self.lookup[code.lower()] = code
            self.lookup[str(label).lower()] = code

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if not text:
            return self.empty
        try:
            return self.lookup[text.lower()]
        except KeyError:
            allowed = ", ".join(str(label) for _, label in self.choices)
            raise ValueError(f"“{text[:50]}” is not {self.what}: use one of {allowed}") from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class MultiChoiceWidget(ChoiceWidget):
    def clean(self, value, row=None, **kwargs):
        parts = [part.strip() for part in split_codes(value)]
        return ",".join(super(MultiChoiceWidget, self).clean(p) for p in parts if p)


class YesNoWidget(widgets.Widget):
    """yes/no; an empty cell is `empty`: not known (None) for a field that may not be known, the
    field's default (False) for one that may not."""

    TRUE, FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}

    def __init__(self, empty=None):
        super().__init__()
        self.empty = empty

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if not text:
            return self.empty
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{str(value)[:50]}” is not yes or no")

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("yes" if value else "no")


class PlainDecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = parse_money(value)  # "£650,000" as a form reads it
        try:
            return super().clean(value, row, **kwargs)
        except Exception:
            raise ValueError(f"“{str(value)[:50]}” is not a number") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else plain_decimal(value)


def widget_for(model_field) -> widgets.Widget | None:
    """The widget that reads a column as the model field holds it and says in words what a bad
    value should have been; None where import-export's own widget does."""
    kind = kind_of(model_field)
    if kind == ANSWER:
        return ChoiceWidget(Answer.choices, "an answer")
    if kind == CHOICE:
        empty = "" if model_field.blank or not model_field.has_default() else model_field.default
        return ChoiceWidget(
            model_field.choices, with_article(str(model_field.verbose_name)), empty=empty
        )
    if kind == CODE_LIST:
        return MultiChoiceWidget(model_field.code_choices, with_article(model_field.item))
    if isinstance(model_field, models.DecimalField):
        return PlainDecimalWidget()
    if isinstance(model_field, models.BooleanField):
        return YesNoWidget(empty=None if model_field.null else model_field.default)
    return None


def text_columns(model, names) -> frozenset[str]:
    """Of `names`, the model's free-text fields (read as typed, spaces and line breaks kept)."""
    return frozenset(
        name
        for name in names
        if isinstance(field := model._meta.get_field(name), models.CharField | models.TextField)
        and kind_of(field) == TEXT
        and not isinstance(field, models.EmailField)
    )


class PcmhResource(resources.ModelResource):
    """Shared behaviour: formula escaping, the round/borough key, the importing user, and each
    column read by the widget its model field needs (`widget_for`)."""

    round = fields.Field(column_name="round", attribute=None, readonly=True)
    borough = fields.Field(column_name="borough", attribute=None, readonly=True)

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    # The links this import found itself (_resolve_key, _parent): full_clean need not query
    # the database again, per row, to see that they exist.
    FOUND_BY_IMPORT = ("survey_round", "borough", "scoping_return")

    @classmethod
    def not_validated(cls) -> frozenset[str]:
        """The fields full_clean leaves as they are: those the import found itself, and those
        no column sets (who changed the return last, say: one query a row to see they exist)."""
        if "_not_validated" not in cls.__dict__:  # once per resource class
            columns = set(cls._meta.fields)
            every = {field.name for field in cls._meta.model._meta.concrete_fields}
            cls._not_validated = frozenset({*cls.FOUND_BY_IMPORT, *(every - columns)})
        return cls._not_validated

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """import-export's own (4.4), but for not_validated() left out of full_clean (the
        model's clean, its rules across fields, still runs)."""
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            try:
                instance.full_clean(
                    exclude=[*errors, *self.not_validated()], validate_unique=validate_unique
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        widget = widget_for(django_field)
        if widget is None:
            return super().field_from_django_field(field_name, django_field, readonly)
        return cls.DEFAULT_RESOURCE_FIELD(
            attribute=field_name,
            column_name=field_name,
            widget=widget,
            readonly=readonly,
            default=django_field.default,
        )

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        # An empty XLSX cell is None, not "": read text fields as text, as CharFields are, so
        # an empty cell is an empty answer rather than a NULL the database refuses.
        if f.get_internal_type() == "TextField":
            return widgets.CharWidget
        return super().widget_from_django_field(f, default)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        text = self.text_columns()
        for key in list(row.keys()):
            value = row[key]
            if isinstance(value, str):
                value = unescape_formula(value.strip() if key not in text else value)
                if "\x00" in value:
                    raise ValidationError({key: INVALID_CHARACTERS})
                row[key] = value
        self._key = self._resolve_key(row)

    NOT_TEXT: frozenset = frozenset()

    @classmethod
    def text_columns(cls) -> frozenset[str]:
        """The columns read as typed: free text, not codes, numbers or e-mail addresses."""
        if "_text_columns" not in cls.__dict__:  # once per resource class
            model = cls._meta.model
            names = {f.name for f in model._meta.concrete_fields} & set(cls._meta.fields)
            cls._text_columns = text_columns(model, names) - cls.NOT_TEXT
        return cls._text_columns

    @staticmethod
    def _slugs(row) -> tuple[str, str]:
        """The round and borough a row names, as written in its key columns."""
        return str(row.get("round") or "").strip(), str(row.get("borough") or "").strip()

    def _resolve_key(self, row):
        round_slug, borough_slug = self._slugs(row)
        errors = {}
        survey_round = self._rounds().get(round_slug)
        if survey_round is None:
            errors["round"] = f"Unknown round “{round_slug[:50]}”"
        borough = self._boroughs().get(borough_slug)
        if borough is None:
            errors["borough"] = f"Unknown borough “{borough_slug[:50]}”"
        if errors:
            raise ValidationError(errors)
        if borough.pk not in self._allowed_boroughs():
            raise ValidationError({"borough": f"You cannot import returns for {borough}"})
        return survey_round, borough

    # Read once per import, not once per row.

    def _rounds(self) -> dict:
        if getattr(self, "_round_by_slug", None) is None:
            self._round_by_slug = {r.slug: r for r in SurveyRound.objects.all()}
        return self._round_by_slug

    def _boroughs(self) -> dict:
        if getattr(self, "_borough_by_slug", None) is None:
            self._borough_by_slug = {b.slug: b for b in Borough.objects.all()}
        return self._borough_by_slug

    def before_import(self, dataset, **kwargs):
        """Read the returns that the file's rows name, in one query (not one or two per row)."""
        super().before_import(dataset, **kwargs)
        rounds, boroughs = set(), set()
        for row in dataset.dict:
            round_slug, borough_slug = self._slugs(row)
            rounds.add(self._rounds().get(round_slug))
            boroughs.add(self._boroughs().get(borough_slug))
        rounds.discard(None)
        boroughs.discard(None)
        returns = ScopingReturn.objects.select_related("survey_round", "borough").filter(
            survey_round__in=rounds, borough__in=boroughs
        )
        self._returns = {(r.survey_round_id, r.borough_id): r for r in returns}

    def _return_for(self, survey_round, borough):
        """The return of the round and borough as it is now in this import, or None."""
        found = self._returns.get((survey_round.pk, borough.pk))
        # A copy: a row that fails leaves the next row of the same return what the database holds.
        return copy.copy(found) if found is not None else None

    def _remember(self, scoping_return):
        self._returns[(scoping_return.survey_round_id, scoping_return.borough_id)] = scoping_return

    def _allowed_boroughs(self) -> set:
        if getattr(self, "_allowed", None) is None:
            user = getattr(self, "_user", None)
            boroughs = Borough.objects.for_user(user) if user is not None else Borough.objects
            self._allowed = set(boroughs.values_list("pk", flat=True))
        return self._allowed

    def import_data(self, dataset, *args, previewed_at=None, **kwargs):
        """`previewed_at`: when the steering group saw this file's preview, at the confirm step.
        A return changed since then is refused, so nobody's later work is overwritten unseen."""
        limit = settings.IMPORT_MAX_ROWS
        if len(dataset) > limit:
            # Refused before a row is read: one file never ties up a worker for long.
            result = self.get_result_class()()
            result.append_base_error(
                self.get_error_result_class()(
                    ValidationError(
                        f"The file has {len(dataset):,} rows: files of more than {limit:,} rows "
                        "are refused. Split it into smaller files."
                    )
                )
            )
            return result
        self._user = kwargs.get("user")
        self._round_by_slug = self._borough_by_slug = self._allowed = None
        self._previewed_at = previewed_at
        self._claimed: set[int] = set()
        self._returns: dict = {}
        return super().import_data(dataset, *args, **kwargs)

    def _check_unchanged_since_preview(self, scoping_return):
        previewed_at = getattr(self, "_previewed_at", None)
        if previewed_at is None or scoping_return.pk in getattr(self, "_claimed", ()):
            return
        if scoping_return.updated_at > previewed_at:
            raise ValidationError(
                {
                    "borough": f"{scoping_return.borough}'s return was changed by "
                    f"{workflow.last_change(scoping_return)}, after the preview: import the "
                    "file again to see what it changes"
                }
            )

    @staticmethod
    def _refuse_if_not_changeable(scoping_return, user):
        refusal = workflow.edit_refusal(scoping_return, user, reviewing=True)
        if refusal:
            # The workflow's sentence, as one clause of the import's list of problems.
            said = refusal[:1].lower() + refusal[1:].rstrip(".")
            raise ValidationError({"borough": f"{scoping_return.borough}: {said}"})

    def _save_return(self, scoping_return, *, user, fields, reason):
        """Save through the same versioned update as a form: a change made meanwhile wins and
        the row is refused with who made it."""
        self._check_unchanged_since_preview(scoping_return)
        try:
            saved = workflow.save_changes(
                scoping_return=scoping_return,
                version=scoping_return.version,
                by=user,
                fields=fields,
                reason=reason,
                current=True,  # as _return_for gave it, with the row's values set
            )
        except workflow.StaleVersion as stale:
            raise ValidationError(
                {
                    "borough": f"{scoping_return.borough}'s return was changed by "
                    f"{workflow.last_change(stale.current)} while the file was imported: "
                    "import it again"
                }
            ) from None
        self._claimed.add(scoping_return.pk)
        self._remember(saved)

    # Where each exported row's return, round and borough are found (one query, not three a row).
    EXPORT_RELATED: tuple[str, ...] = ()

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related(*self.EXPORT_RELATED) if self.EXPORT_RELATED else queryset

    def dehydrate_round(self, obj):
        return self._return_of(obj).survey_round.slug

    def dehydrate_borough(self, obj):
        return self._return_of(obj).borough.slug


RETURN_FIELDS = list(FIELD_NAMES)


class ScopingReturnResource(PcmhResource):
    state = fields.Field(attribute="state", column_name="state", readonly=True)
    EXPORT_RELATED = ("survey_round", "borough")

    class Meta:
        model = ScopingReturn
        fields = ["round", "borough", *RETURN_FIELDS, "state"]
        export_order = ["round", "borough", *RETURN_FIELDS, "state"]
        import_id_fields = ["round", "borough"]

    def _return_of(self, obj):
        return obj

    def get_instance(self, instance_loader, row):
        return self._return_for(*self._key)

    def init_instance(self, row=None):
        survey_round, borough = self._key
        return ScopingReturn(survey_round=survey_round, borough=borough)

    def save_instance(self, instance, is_create, row, **kwargs):
        user = kwargs.get("user")
        answers = {name: getattr(instance, name) for name in RETURN_FIELDS}
        if is_create:
            started, created = workflow.start_return(
                survey_round=instance.survey_round,
                borough=instance.borough,
                by=user,
                answers=answers,
                reason="Imported",
            )
            if not created:
                raise ValidationError(
                    {"borough": f"{instance.borough}'s return was started meanwhile: import again"}
                )
            instance.pk = started.pk
            self._remember(started)
            return
        self._refuse_if_not_changeable(instance, user)
        self._save_return(
            instance,
            user=user,
            fields=answers,
            reason="Imported",
        )


class ChildResource(PcmhResource):
    """A child row of a return, found by its return's round and borough and its key columns."""

    key_fields: tuple[str, ...] = ()
    EXPORT_RELATED = ("scoping_return__survey_round", "scoping_return__borough")

    class Meta(PcmhResource.Meta):
        import_id_fields = []

    def _return_of(self, obj):
        return obj.scoping_return

    def before_import(self, dataset, **kwargs):
        """And the rows of those returns, in one query: each file row is matched in memory."""
        super().before_import(dataset, **kwargs)
        model = self._meta.model
        rows = model.objects.filter(scoping_return__in=[r.pk for r in self._returns.values()])
        self._rows: dict = {}
        for child in rows.order_by(*model._meta.ordering, "pk"):  # the first, as .first() gave
            self._rows.setdefault(self._row_key(child.scoping_return_id, child), child)

    def _row_key(self, parent_pk, values) -> tuple:
        attributes = [self.fields[name].attribute for name in self.key_fields]
        if isinstance(values, dict):
            return (parent_pk, *(values[a] for a in attributes))
        return (parent_pk, *(getattr(values, a) for a in attributes))

    def _parent(self):
        survey_round, borough = self._key
        parent = self._return_for(survey_round, borough)
        if parent is None:
            raise ValidationError(
                {"borough": f"{borough} has no return in {survey_round}: import the return first"}
            )
        return parent

    def _key_values(self, row):
        values = {}
        for name in self.key_fields:
            field = self.fields[name]
            values[field.attribute] = field.clean(row)
        return values

    def get_instance(self, instance_loader, row):
        parent = self._parent()
        try:
            lookup = self._key_values(row)
        except ValueError:
            return None  # the field's own error is reported by import_instance
        found = self._rows.get(self._row_key(parent.pk, lookup))
        if found is None:
            return None
        found = copy.copy(found)  # as _return_for's
        found.scoping_return = parent
        return found

    def init_instance(self, row=None):
        return self._meta.model(scoping_return=self._parent())

    def save_instance(self, instance, is_create, row, **kwargs):
        parent = instance.scoping_return
        self._refuse_if_not_changeable(parent, kwargs.get("user"))
        self._claim(parent, kwargs.get("user"))
        instance._history_user = kwargs.get("user")
        super().save_instance(instance, is_create, row, **kwargs)
        # A later row of the file with the same key columns finds this one as it is now saved,
        # as it would in the database.
        self._rows[self._row_key(parent.pk, instance)] = instance

    def _claim(self, parent, user):
        """Take the return's next version before changing its rows, as a form save does: a lead
        whose form was opened before the import is then told, instead of saving over it. The
        claim holds the return's row lock until the import's transaction ends."""
        if parent.pk not in self._claimed:
            model = self._meta.model._meta.verbose_name_plural
            self._save_return(parent, user=user, fields={}, reason=f"Imported {model}")


# A care role's columns, in the order of care_roles.csv (the export reads them too).
CARE_ROLE_FIELDS = [
    "role",
    "role_other",
    "wte",
    "band",
    "employer",
    "is_new",
    "notes",
    "post_status",
    "wte_approximate",
]


class CareRoleResource(ChildResource):
    key_fields = ("role", "role_other", "band", "employer", "notes")
    TEXT_COLUMNS = frozenset({"role_other", "band", "employer", "notes"})

    class Meta:
        model = CareRole
        fields = ["round", "borough", *CARE_ROLE_FIELDS]


class ContactResource(ChildResource):
    key_fields = ("name",)

    class Meta:
        model = Contact
        fields = ["round", "borough", "name", "job_title", "organisation", "email"]


class OutcomeMeasureResource(ChildResource):
    key_fields = ("name",)

    class Meta:
        model = OutcomeMeasure
        fields = ["round", "borough", "name", "notes"]


class FundingLineResource(ChildResource):
    key_fields = ("financial_year", "source", "notes")

    class Meta:
        model = FundingLine
        fields = ["round", "borough", "amount", "financial_year", "recurrent", "source", "notes"]


# Section 11's columns, in the order of self_assessments.csv (the export reads them too).
SELF_ASSESSMENT_FIELDS = ["area", "level", "evidence", "next_step", "target_date"]
THEMED_FIELDS = ["text", "themes"]


class SelfAssessmentResource(ChildResource):
    key_fields = ("area",)

    class Meta:
        model = SelfAssessment
        fields = ["round", "borough", *SELF_ASSESSMENT_FIELDS]


class BenefitResource(ChildResource):
    key_fields = ("text",)

    class Meta:
        model = Benefit
        fields = ["round", "borough", *THEMED_FIELDS]


class BarrierResource(ChildResource):
    key_fields = ("text",)

    class Meta:
        model = Barrier
        fields = ["round", "borough", *THEMED_FIELDS]


class DataQualityNoteResource(ChildResource):
    key_fields = ("field", "narrative")

    NOT_TEXT = frozenset({"field"})  # the name of a field, not free text

    class Meta:
        model = DataQualityNote
        fields = ["round", "borough", "field", "narrative", "appendix", "note"]


# The 2017 fixture files, in the order they are loaded.
FIXTURE_RESOURCES = [
    ("returns.csv", ScopingReturnResource),
    ("care_roles.csv", CareRoleResource),
    ("contacts.csv", ContactResource),
    ("outcome_measures.csv", OutcomeMeasureResource),
    ("funding_lines.csv", FundingLineResource),
    ("data_quality_notes.csv", DataQualityNoteResource),
]
