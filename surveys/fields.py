"""Model field types of our own: a list of codes from a fixed set (model types, IT systems, the
sections saved), stored as "code,code" in a text column."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst


def split_codes(value) -> list[str]:
    """ "a,b" → ["a", "b"]; empty or None → []."""
    return [code for code in str(value or "").split(",") if code]


def code_in_list(name: str, code: str) -> Q:
    """The rows whose code list `name` (a lookup path to a "code,code" column) holds `code` as
    one of its items: the one place the stored form is matched in the database."""
    return (
        Q(**{name: code})
        | Q(**{f"{name}__startswith": f"{code},"})
        | Q(**{f"{name}__endswith": f",{code}"})
        | Q(**{f"{name}__contains": f",{code},"})
    )


class CodeListField(models.CharField):
    """A list of codes from `codes` (a `TextChoices` class, or a list of (code, label)), kept in
    one column as "code,code". The one place that splits, joins, labels and checks such lists.

    A form shows it as checkboxes (a list of codes); saving a form keeps the stored order of the
    codes still ticked, new ones after them in the order offered, so saving an unchanged form
    changes nothing. In migrations it is a plain `CharField`: the column is one.
    """

    def __init__(self, *args, codes=(), item="option", **kwargs):
        self.code_choices = list(getattr(codes, "choices", codes))
        self.item = item  # what one code is: "model type", as a message names it
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs

    # The codes and their labels

    def codes(self, value) -> list[str]:
        return split_codes(value)

    def labels(self, value) -> list[str]:
        """The codes' labels, in the stored order (an unknown code as itself)."""
        names = dict(self.code_choices)
        return [str(names.get(code, code)) for code in split_codes(value)]

    def join(self, chosen, stored: str = "") -> str:
        """The codes `chosen`, as stored: those in `stored` keep their order, the rest follow."""
        kept = [code for code in split_codes(stored) if code in chosen]
        return ",".join([*kept, *(code for code in chosen if code not in kept)])

    def with_code(self, value, code: str) -> str:
        """`value` with `code` added (sorted), as `sections_saved` records a section."""
        return ",".join(sorted({*split_codes(value), code}))

    def validate(self, value, model_instance):
        super().validate(value, model_instance)  # blank or not (no `choices` of its own)
        allowed = {code for code, _ in self.code_choices}
        if allowed and any(code not in allowed for code in split_codes(value)):
            raise ValidationError("Select only the options listed", code="invalid_choice")

    # Forms

    def value_from_object(self, obj):
        return split_codes(super().value_from_object(obj))

    def save_form_data(self, instance, data):
        if isinstance(data, list | tuple):
            data = self.join(data, getattr(instance, self.attname) or "")
        setattr(instance, self.attname, data or "")

    def formfield(self, **kwargs):
        """Checkboxes, one per code (the admin's text-input default for a CharField does not
        apply: a list is ticked, not typed)."""
        widget = kwargs.get("widget")
        multiple = getattr(widget, "allow_multiple_selected", False)
        return forms.MultipleChoiceField(
            choices=self.code_choices,
            required=False,
            widget=widget if multiple else forms.CheckboxSelectMultiple,
            label=kwargs.get("label") or capfirst(self.verbose_name),
            help_text=kwargs.get("help_text", "Select all that apply."),
            error_messages={"invalid_choice": "Select only the options listed"},
            disabled=kwargs.get("disabled", False),
        )
