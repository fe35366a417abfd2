"""One form per framework section, and the child-row formsets, with messages people understand."""

from decimal import Decimal

from crispy_forms_gds.choices import Choice
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from django.utils.text import capfirst

from pcmh.forms import InsideTemplateForm, inside_template_form, optional_marked
from surveys.choices import Answer, PostStatus
from surveys.models import (
    ANSWER_FIELD_NAMES,
    Barrier,
    Benefit,
    CareRole,
    Contact,
    FundingLine,
    OutcomeMeasure,
    ScopingReturn,
    SelfAssessment,
)
from surveys.numbers import money, parse_money, plain_decimal
from surveys.resources import SELF_ASSESSMENT_FIELDS
from surveys.rules import INVALID_CHARACTERS
from surveys.sections import CHOICE, QUESTIONS, ROWS, SECTIONS_BY_SLUG

ANSWER_FIELDS = set(ANSWER_FIELD_NAMES)
TEXTAREA_ROWS = 4
# GOV.UK pattern: numbers in a text input, so browsers never alter or block what was typed.
DECIMAL_INPUT = {"inputmode": "decimal", "spellcheck": "false"}


def _with_lf_newlines(data):
    """The posted data with every line break as the database keeps it ("\n").

    A browser submits a textarea's line breaks as CRLF: unchanged, a text saved with "\n" would
    come back changed (and count two characters a line break against its limit).
    """
    if data is None or not any("\r" in value for value in _values(data)):
        return data
    copy = data.copy()
    for key in copy:
        copy.setlist(key, [_lf(value) for value in data.getlist(key)])
    return copy


def _values(data):
    for key in data:
        yield from (v for v in data.getlist(key) if isinstance(v, str))


def _lf(value):
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def state_limits(form) -> None:
    """Say each text's limit in its hint, refuse a longer one with a message naming the field and
    the limit, and never let the browser cut a paste short (no `maxlength`); a NUL character is
    refused in the words of the rules (surveys/rules.py)."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        field.error_messages.setdefault("null_characters_not_allowed", INVALID_CHARACTERS)
        limit = field.max_length
        if not limit:
            continue
        field.widget.attrs.pop("maxlength", None)
        # A long answer's limit is said by its character count (pcmh.forms.inside_template_form).
        if not isinstance(field, forms.EmailField) and not isinstance(field.widget, forms.Textarea):
            hint = f"You can enter up to {limit:,} characters."
            field.help_text = f"{field.help_text} {hint}".strip() if field.help_text else hint
        field.error_messages.setdefault(
            "max_length", f"{short_label(form, name)} must be {limit:,} characters or fewer"
        )


def short_label(form, name: str) -> str:
    """What an error calls a field: its model field's short label ("Service name") even where
    the form asks a question ("What is the service called?")."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        try:
            return capfirst(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return capfirst(form.fields[name].label or "")


class KeepsWhatItIsGiven:
    """For every form of the service: line breaks as stored, limits stated, never cut."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(_with_lf_newlines(data), *args, **kwargs)
        state_limits(self)


class NumberInput(forms.TextInput):
    """A number in a text input (the GOV.UK pattern: browsers never alter or block what was
    typed), shown as people write it: "6.4", "17.5", "120", not "6.40" or "1.2E+2"."""

    width = "govuk-input--width-5"

    def __init__(self, attrs=None):
        super().__init__({**DECIMAL_INPUT, "class": self.width, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return plain_decimal(value)
        return super().format_value(value)


class MoneyInput(NumberInput):
    """An amount in pounds with thousands separators: "650,000", "1,250.50"."""

    width = "govuk-input--width-10"

    def format_value(self, value):
        if isinstance(value, Decimal):
            return money(value)
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """An amount in pounds as people write it: "£650,000", "650,000" and "650000" are 650000."""

    widget = MoneyInput

    def to_python(self, value):
        if isinstance(value, str):
            value = parse_money(value)
        return super().to_python(value)


class YesNoNotKnown(forms.NullBooleanSelect):
    """Django's NullBooleanSelect (its option values are the ones it renders selected), with
    the words of the service."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Not known"), ("true", "Yes"), ("false", "No")]


def _age_field(name: str, example: str) -> forms.DecimalField:
    label = str(ScopingReturn._meta.get_field(name).verbose_name)
    message = f"Enter the {label} as a number, for example {example}"
    return forms.DecimalField(
        label=QUESTIONS[name].question,
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("120"),
        help_text=QUESTIONS[name].hint,
        widget=NumberInput,
        error_messages={
            "invalid": message,
            "max_digits": message,
            "max_decimal_places": (
                f"Enter the {label} with at most one decimal place, for example 17.5"
            ),
            "max_whole_digits": f"Enter the {label} between 0 and 120",
            "min_value": f"Enter the {label} between 0 and 120",
            "max_value": f"Enter the {label} between 0 and 120",
        },
    )


class SectionForm(KeepsWhatItIsGiven, forms.ModelForm):
    """Base of the section forms: radios for answers, checkboxes for lists, plain English."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ANSWER_FIELDS:
                # "Not stated" is how a source recorded nothing: offered only where it is the
                # saved answer, so that saving the page keeps it.
                choices = [c for c in Answer.choices if c[0] != Answer.NOT_STATED]
                current = getattr(self.instance, name, "")
                if current == Answer.NOT_STATED:
                    choices.insert(3, (Answer.NOT_STATED, "Not stated (as recorded)"))
                self.fields[name] = forms.ChoiceField(
                    label=field.label,
                    help_text=field.help_text,
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": "Select one of the answers listed"},
                )
            elif isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = TEXTAREA_ROWS
            if QUESTIONS[name].kind == CHOICE:
                field.widget = forms.RadioSelect(choices=field.choices[1:])
                field.choices = field.choices[1:]
                field.error_messages["invalid_choice"] = "Select one of the options listed"
        optional_marked(self, [name for name in self.fields if not QUESTIONS[name].required])
        inside_template_form(self)

    # Lists of codes are the model's CodeListField (checkboxes, stored order kept); the rules
    # across fields are the model's too (surveys/rules.py), checked by _post_clean.


def section_form_class(slug: str, framework_version: str = ""):
    """The lead's form of a section: the questions a round of `framework_version` asks (every
    question of the section when none is given)."""
    section = SECTIONS_BY_SLUG[slug]
    asked = section.questions_in(framework_version) if framework_version else section.questions
    if not asked:
        return None
    meta = {
        "model": ScopingReturn,
        "fields": tuple(q.name for q in asked),
        # The lead's form asks the catalogue's questions; errors name the short label.
        "labels": {q.name: q.question for q in section.questions},
        "help_texts": {q.name: q.hint for q in section.questions if q.hint},
    }
    attrs = {"Meta": type("Meta", (), meta)}
    if "min_age" in meta["fields"]:
        attrs["min_age"] = _age_field("min_age", "18 or 17.5")
        attrs["max_age"] = _age_field("max_age", "65")
    return type(f"{slug.title().replace('-', '')}Form", (SectionForm,), attrs)


class ChildForm(KeepsWhatItIsGiven, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2
        optional_marked(self, [name for name, field in self.fields.items() if not field.required])
        inside_template_form(self)


class DefaultedChoiceField(forms.TypedChoiceField):
    """A choice with a default (a care role's post status): a row that does not send it has the
    default, so an empty row left as it was offered stays empty."""

    def __init__(self, *, default, **kwargs):
        self.default = default
        super().__init__(initial=default, **kwargs)

    def to_python(self, value):
        return super().to_python(value) or self.default

    def has_changed(self, initial, data):
        return super().has_changed(initial or self.default, data or self.default)


class CareRoleForm(ChildForm):
    post_status = DefaultedChoiceField(
        label="Is the role in post?",
        help_text="A role that is planned, proposed or being considered is not counted as staff "
        "in post.",
        choices=PostStatus.choices,
        default=PostStatus.NOT_STATED,
        required=False,
        error_messages={
            "invalid_choice": "Select whether the role is in post, planned or not stated"
        },
    )
    wte = forms.DecimalField(
        label="Whole-time equivalent",
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("999"),
        widget=NumberInput,
        error_messages={
            "invalid": "Enter the whole-time equivalent as a number, for example 1 or 0.5",
            "max_decimal_places": (
                "Enter the whole-time equivalent with at most 2 decimal places, for example 0.75"
            ),
            "min_value": "Enter a whole-time equivalent of 0 or more",
            "max_value": "Enter a whole-time equivalent below 1,000",
            "max_digits": "Enter a whole-time equivalent below 1,000",
        },
    )
    is_new = forms.NullBooleanField(label="New role", required=False, widget=YesNoNotKnown)

    class Meta:
        model = CareRole
        fields = [
            "role",
            "role_other",
            "post_status",
            "wte",
            "wte_approximate",
            "band",
            "employer",
            "is_new",
            "notes",
        ]
        labels = {"wte_approximate": "The whole-time equivalent is approximate"}
        help_texts = {
            "wte_approximate": "Tick if it is given as approximate, for example “about 45”."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Choose a role"), *self.fields["role"].choices[1:]]


class ContactForm(ChildForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "organisation", "email"]
        error_messages = {
            "email": {"invalid": "Enter an e-mail address like name@nhs.net"},
            "name": {"required": "Enter the contact's name"},
        }


class OutcomeMeasureForm(ChildForm):
    class Meta:
        model = OutcomeMeasure
        fields = ["name", "notes"]
        labels = {"name": "Measure"}
        error_messages = {"name": {"required": "Enter the name of the measure"}}


class FundingLineForm(ChildForm):
    amount = MoneyField(
        label="Amount (£)",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            "invalid": "Enter the amount in pounds as a number, for example 350,000",
            "min_value": "Enter an amount of £0 or more",
            "max_decimal_places": "Enter the amount in pounds and pence, for example 1250.50",
            "max_digits": "Enter an amount below £10,000,000,000",
            "max_whole_digits": "Enter an amount below £10,000,000,000",
        },
    )
    recurrent = forms.NullBooleanField(label="Recurrent", required=False, widget=YesNoNotKnown)

    class Meta:
        model = FundingLine
        fields = ["amount", "financial_year", "recurrent", "source", "notes"]


class SelfAssessmentForm(ChildForm):
    """One guidance area of Section 11: its level (each level's descriptor as the radio's hint),
    the evidence, the next step and its target date. The area itself is fixed."""

    class Meta:
        model = SelfAssessment
        fields = SELF_ASSESSMENT_FIELDS
        widgets = {
            "area": forms.HiddenInput,
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "level": "Where does the service stand?",
            "evidence": "What is the evidence for this level?",
            "next_step": "What is your next step?",
            "target_date": "By when?",
        }
        help_texts = {"target_date": "The date you aim to have taken the next step by."}
        error_messages = {
            "target_date": {
                "invalid": "Enter the target date as a real date, for example 31/3/2027"
            }
        }

    def __init__(self, *args, levels=(), draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        field.widget = forms.RadioSelect()
        field.empty_label = None
        field.choices = [Choice(level.slug, level.name) for level in levels]
        field.error_messages["invalid_choice"] = "Select one of the levels listed"
        if draft:
            field.help_text = "Draft: the steering group has not yet approved these descriptors."
        # Submitting needs a level (surveys.completeness), so it is not marked optional.
        field.label = self._meta.labels["level"]
        # The area is the row's own hidden input (the page names it in the legend).
        self.helper.layout.fields = [
            f for f in self.helper.layout.fields if "area" not in getattr(f, "fields", ())
        ]


class SavedRow(forms.ModelChoiceField):
    """A posted row's id, found among the rows its formset read (Django's own field asks the
    database again for each row): an id not among them is refused as Django refuses an id
    that does not exist."""

    def __init__(self, formset, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formset = formset

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            found = self.formset._existing_object(self.formset.model._meta.pk.to_python(value))
        except ValidationError:
            found = None
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class ChildRows(BaseInlineFormSet):
    """A return's child rows, each named by its row ("Care role 2") in its errors."""

    row_label = ""

    def add_saved_row_field(self, form):
        """The row's id looked up among the rows read once (not by a query per row)."""
        name = self._pk_field.name
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, SavedRow):
            form.fields[name] = SavedRow(
                self,
                field.queryset,
                initial=field.initial,
                required=False,
                widget=field.widget,
            )

    def full_clean(self):
        super().full_clean()
        for number, row in enumerate(self.forms, start=1):
            for name, errors in (row._errors or {}).items():
                row._errors[name] = ErrorList(
                    [f"{self.row_label} {number}: {message}" for message in errors],
                    renderer=errors.renderer,
                )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        self.add_saved_row_field(form)
        # Rows are removed with their "Remove" button (`edit_rows`), which sets this.
        form.fields["DELETE"].widget = forms.HiddenInput()

    def removed(self, row) -> bool:
        """Whether a saved row is marked to be removed when the section is saved."""
        return row in self.initial_forms and row["DELETE"].value() in (True, "on", "True")


class SelfAssessmentRows(ChildRows):
    """Section 11's rows: one per guidance area of the toolkit, in its order, none added or
    removed; an area left without a level or an answer saves no row."""

    fixed = True

    def __init__(self, data=None, *args, instance=None, **kwargs):
        from toolkit import versions

        self.areas = versions.areas()
        have = set()
        if instance is not None and instance.pk:
            have = set(instance.self_assessments.values_list("area_id", flat=True))
        missing = [area for area in self.areas if area.slug not in have]
        self.extra = len(missing)
        kwargs["initial"] = [{"area": area.slug} for area in missing]
        version = instance.survey_round.toolkit_version if instance is not None else None
        self.version = version
        self.draft = version is None or version.is_draft
        self.descriptors = versions.descriptors(version)
        self.levels = versions.levels()
        super().__init__(data, *args, instance=instance, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("area")

    def add_fields(self, form, index):
        BaseInlineFormSet.add_fields(self, form, index)  # no "Remove": an area stays

    def full_clean(self):
        BaseInlineFormSet.full_clean(self)
        for row in self.forms:
            name = row.guidance_area.name if row.guidance_area else self.row_label
            for field, errors in (row._errors or {}).items():
                row._errors[field] = ErrorList(
                    [f"{name}: {message}" for message in errors], renderer=errors.renderer
                )

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "levels": self.levels, "draft": self.draft}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        slug = form["area"].value()
        form.guidance_area = next((a for a in self.areas if a.slug == slug), None)
        form.fields["level"].choices = [
            Choice(level.slug, level.name, hint=self.descriptors.get(slug, {}).get(level.slug, ""))
            for level in self.levels
        ]
        return form

    @property
    def in_order(self):
        """The rows in the toolkit's order of its areas (the forms keep their prefixes)."""
        order = {area.slug: n for n, area in enumerate(self.areas)}
        return sorted(self.forms, key=lambda form: order.get(form["area"].value(), len(order)))


class ThemedRowForm(ChildForm):
    """A benefit seen or a barrier met, in the lead's words, with its themes."""

    class Meta:
        fields = ["text", "themes"]
        error_messages = {
            "text": {"required": "Enter what it is, in a sentence or two"},
            "themes": {"required": "Select at least one theme"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].required = True
        self.fields["themes"].error_messages["required"] = "Select at least one theme"
        self.fields["themes"].help_text = "Select all that apply."
        self.fields["themes"].label = "Themes"


class BenefitForm(ThemedRowForm):
    class Meta(ThemedRowForm.Meta):
        model = Benefit
        labels = {"text": "Benefit seen"}


class BarrierForm(ThemedRowForm):
    class Meta(ThemedRowForm.Meta):
        model = Barrier
        labels = {"text": "Barrier met"}


def _formset(model, form, label):
    formset = inlineformset_factory(
        ScopingReturn,
        model,
        form=form,
        formset=ChildRows,
        extra=1,  # always at least one empty row to fill
        can_delete=True,
        max_num=100,
        validate_max=True,
    )
    formset.row_label = label
    return formset


def shown_unchecked(form, formsets) -> None:
    """Show the forms again with what was typed, unchecked: a row was added or removed, and
    nothing is saved or refused then."""
    for formset in formsets:
        formset._errors, formset._non_form_errors = [], ErrorList()
    for one in [form, *[row for formset in formsets for row in formset.forms]]:
        if one is not None:
            one._errors, one.cleaned_data = ErrorDict(), {}


def edit_rows(data, relations) -> QueryDict | None:
    """The posted data with a row added or removed, when "Add another" or "Remove" was pressed
    (nothing is saved then: the page is shown again with what was typed); otherwise None.

    "add" names a formset's prefix; "remove" and "restore" name a row, "<prefix>-<index>". A saved
    row is marked to be removed when the section is saved (and can be restored); a new row is
    taken out. An empty row to fill always remains.
    """
    if data is None or not ({"add", "remove", "restore"} & set(data)):
        return None
    edited = data.copy()
    for key in ("add", "remove", "restore"):
        edited.pop(key, None)
    action = next(key for key in ("add", "remove", "restore") if key in data)
    prefix, _, index = data[action].rpartition("-") if action != "add" else (data["add"], "", "")
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
        initial = int(data.get(f"{prefix}-INITIAL_FORMS", ""))
        index = int(index) if action != "add" else total
    except ValueError:
        return edited  # not a row of this page: shown again unchanged
    if prefix not in relations or not 0 <= index <= total or total > FORMSETS[prefix].max_num:
        return edited
    if action == "add" and total < FORMSETS[prefix].max_num:
        edited[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    elif action == "restore" and index < initial:
        edited.pop(f"{prefix}-{index}-DELETE", None)
    elif action == "remove" and index < initial:
        edited[f"{prefix}-{index}-DELETE"] = "on"
    elif action == "remove" and index < total:
        rows = [f"{prefix}-{n}-" for n in range(total)]
        for key in [k for k in data if k.startswith(tuple(rows[index:]))]:
            edited.pop(key)
        for later in range(index + 1, total):  # the later new rows move up by one
            for key in [k for k in data if k.startswith(rows[later])]:
                edited.setlist(key.replace(rows[later], rows[later - 1], 1), data.getlist(key))
        edited[f"{prefix}-TOTAL_FORMS"] = str(max(total - 1, initial + 1))
    return edited


FORMSETS = {
    "care_roles": _formset(CareRole, CareRoleForm, ROWS["care_roles"].one),
    "contacts": _formset(Contact, ContactForm, ROWS["contacts"].one),
    "measures": _formset(OutcomeMeasure, OutcomeMeasureForm, ROWS["measures"].one),
    "funding_lines": _formset(FundingLine, FundingLineForm, ROWS["funding_lines"].one),
    "self_assessments": inlineformset_factory(
        ScopingReturn,
        SelfAssessment,
        form=SelfAssessmentForm,
        formset=SelfAssessmentRows,
        can_delete=False,
        max_num=100,
    ),
    "benefits": _formset(Benefit, BenefitForm, ROWS["benefits"].one),
    "barriers": _formset(Barrier, BarrierForm, ROWS["barriers"].one),
}
FORMSETS["self_assessments"].row_label = ROWS["self_assessments"].one


class DeclarationForm(InsideTemplateForm, KeepsWhatItIsGiven, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    declaration = forms.BooleanField(
        label="I confirm that this return is accurate to the best of my knowledge and that the "
        "steering group may publish it.",
        error_messages={"required": "Confirm the declaration to submit the return"},
    )


class CommentForm(InsideTemplateForm, KeepsWhatItIsGiven, forms.Form):
    text = forms.CharField(
        label="Add a comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={
            "required": "Enter a comment",
            "max_length": "Keep the comment to 5,000 characters or fewer",
        },
    )


class QueryReplyForm(InsideTemplateForm, KeepsWhatItIsGiven, forms.Form):
    """A lead's reply to the steering group's query on one answer."""

    text = forms.CharField(
        label="Your reply",
        help_text="Say what you checked or changed. If the answer needs to change, change it "
        "in the section too.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={
            "required": "Enter your reply to the query",
            "max_length": "Keep the reply to 5,000 characters or fewer",
        },
    )


def posted_version(data) -> int:
    """The return's version a page posted back (its hidden `version`), or -1 when it sent none
    or not a number, so that the save is refused as stale rather than failing."""
    try:
        return int(data.get("version", ""))
    except ValueError:
        return -1
