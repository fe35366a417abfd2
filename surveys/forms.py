"""One form per framework section, and the child-row formsets, with messages people understand."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import inlineformset_factory

from surveys.models import (
    Answer,
    CareRole,
    Contact,
    FundingLine,
    ItSystem,
    ModelType,
    OutcomeMeasure,
    ScopingReturn,
)
from surveys.sections import SECTIONS_BY_SLUG

ANSWER_FIELDS = {
    f.name for f in ScopingReturn._meta.fields if f.choices and list(f.choices) == Answer.choices
}
MULTI_FIELDS = {"model_types": ModelType.choices, "it_systems": ItSystem.choices}
TEXTAREA_ROWS = 4
# GOV.UK pattern: numbers in a text input, so browsers never alter or block what was typed.
DECIMAL_INPUT = {"inputmode": "decimal", "spellcheck": "false"}


def _no_form_tag(form):
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.disable_csrf = True


def _age_field(label: str, example: str) -> forms.DecimalField:
    message = f"Enter the {label} as a number, for example {example}"
    return forms.DecimalField(
        label=label.capitalize(),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("120"),
        help_text="In years. Leave empty if there is no limit.",
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
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


class SectionForm(forms.ModelForm):
    """Base of the section forms: radios for answers, checkboxes for lists, plain English."""

    def __init__(self, *args, reviewer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _no_form_tag(self)
        for name, field in self.fields.items():
            if name in ANSWER_FIELDS:
                choices = [c for c in Answer.choices if reviewer or c[0] != Answer.NOT_STATED]
                current = getattr(self.instance, name, "")
                if current == Answer.NOT_STATED and not reviewer:
                    choices.insert(3, (Answer.NOT_STATED, "Not stated (as recorded)"))
                self.fields[name] = forms.ChoiceField(
                    label=field.label[:1].upper() + field.label[1:],
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": "Select one of the answers listed"},
                )
            elif name in MULTI_FIELDS:
                self.fields[name] = forms.MultipleChoiceField(
                    label=field.label[:1].upper() + field.label[1:],
                    required=False,
                    choices=MULTI_FIELDS[name],
                    widget=forms.CheckboxSelectMultiple,
                    help_text="Select all that apply.",
                    error_messages={"invalid_choice": "Select only the options listed"},
                )
                self.initial[name] = [c for c in getattr(self.instance, name, "").split(",") if c]
            elif isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = TEXTAREA_ROWS
            if name in ("status", "scope"):
                field.widget = forms.RadioSelect(choices=field.choices[1:])
                field.choices = field.choices[1:]
                field.error_messages["invalid_choice"] = "Select one of the options listed"
            if getattr(field, "max_length", None) and name not in MULTI_FIELDS:
                field.error_messages["max_length"] = (
                    f"{field.label} must be {field.max_length} characters or fewer"
                )

    def clean(self):
        data = super().clean()
        for name in MULTI_FIELDS:
            if name in data:
                data[name] = ",".join(data[name] or [])
        if "other" in (data.get("model_types") or "").split(",") and not data.get("model_other"):
            self.add_error("model_other", "Describe the other model type")
        if "other" in (data.get("it_systems") or "").split(",") and not data.get(
            "it_systems_other"
        ):
            self.add_error("it_systems_other", "Name the other IT system")
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_age", "The maximum age must be the same as or above the minimum age"
            )
        return data

    def _post_clean(self):
        # Strip NUL bytes: Postgres text cannot hold them and they are never meant.
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, "Remove the invalid characters from this answer")
        super()._post_clean()


def section_form_class(slug: str):
    section = SECTIONS_BY_SLUG[slug]
    if not section.fields:
        return None
    attrs = {"Meta": type("Meta", (), {"model": ScopingReturn, "fields": section.fields})}
    if "min_age" in section.fields:
        attrs["min_age"] = _age_field("minimum age", "18 or 17.5")
        attrs["max_age"] = _age_field("maximum age", "65")
    return type(f"{slug.title().replace('-', '')}Form", (SectionForm,), attrs)


class ChildForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2

    def _post_clean(self):
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, "Remove the invalid characters from this answer")
        super()._post_clean()


YES_NO_UNKNOWN = [("", "Not known"), ("true", "Yes"), ("false", "No")]


class CareRoleForm(ChildForm):
    wte = forms.DecimalField(
        label="Whole-time equivalent",
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("999"),
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
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
    is_new = forms.NullBooleanField(
        label="New role", required=False, widget=forms.Select(choices=YES_NO_UNKNOWN)
    )

    class Meta:
        model = CareRole
        fields = ["role", "role_other", "wte", "band", "employer", "is_new", "notes"]

    def clean(self):
        data = super().clean()
        if data.get("role") == "other" and not data.get("role_other"):
            self.add_error("role_other", "Name the other role")
        return data


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
    amount = forms.DecimalField(
        label="Amount (£)",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        error_messages={
            "invalid": "Enter the amount in pounds as a number, for example 350000",
            "min_value": "Enter an amount of £0 or more",
            "max_decimal_places": "Enter the amount in pounds and pence, for example 1250.50",
            "max_digits": "Enter an amount below £10,000,000,000",
            "max_whole_digits": "Enter an amount below £10,000,000,000",
        },
    )
    recurrent = forms.NullBooleanField(
        label="Recurrent", required=False, widget=forms.Select(choices=YES_NO_UNKNOWN)
    )

    class Meta:
        model = FundingLine
        fields = ["amount", "financial_year", "recurrent", "source", "notes"]


def _formset(model, form, label):
    formset = inlineformset_factory(
        ScopingReturn,
        model,
        form=form,
        extra=2,
        can_delete=True,
        max_num=100,
        validate_max=True,
    )
    formset.row_label = label
    return formset


FORMSETS = {
    "care_roles": _formset(CareRole, CareRoleForm, "Role"),
    "contacts": _formset(Contact, ContactForm, "Contact"),
    "measures": _formset(OutcomeMeasure, OutcomeMeasureForm, "Measure"),
    "funding_lines": _formset(FundingLine, FundingLineForm, "Funding line"),
}
FORMSET_TITLES = {
    "care_roles": "Care roles",
    "contacts": "Contacts",
    "measures": "Outcome measures used",
    "funding_lines": "Funding lines",
}


class DeclarationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    declaration = forms.BooleanField(
        label="I confirm that this return is accurate to the best of my knowledge and that the "
        "steering group may publish it.",
        error_messages={"required": "Confirm the declaration to submit the return"},
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Add a comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={
            "required": "Enter a comment",
            "max_length": "Keep the comment to 5,000 characters or fewer",
        },
    )
