from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.contrib.auth import forms as auth_forms


def inside_template_form(form) -> None:
    """Render `form` with crispy-forms' GOV.UK template pack inside a <form> of the template's
    own, which carries the one CSRF token and the buttons. A long answer with a limit has GOV.UK
    Frontend's character count (the server still refuses a longer one, in words)."""
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.disable_csrf = True
    form.helper.label_size = form.helper.legend_size = "s"  # questions in bold, as on GOV.UK
    form.helper.layout = Layout(*(_laid_out(name, field) for name, field in form.fields.items()))


class Textarea(forms.Textarea):
    """Django's, without an empty `aria-describedby` (set for crispy-forms-gds, which adds the
    character count's message to it; the admin renders the same form without it)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if not context["widget"]["attrs"].get("aria-describedby"):
            context["widget"]["attrs"].pop("aria-describedby", None)
        return context


def _laid_out(name: str, field) -> Field:
    if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", None):
        rows = int(field.widget.attrs.get("rows", 5))
        # crispy-forms-gds 2.0.1 reads this before setting it when there is no hint (KeyError).
        field.widget.__class__ = Textarea
        field.widget.attrs.setdefault("aria-describedby", "")
        return Field.textarea(name, rows=rows, max_characters=field.max_length)
    return Field(name)


def optional_marked(form, optional) -> None:
    """ "(optional)" after the label of each field named in `optional`, as the GOV.UK question
    pages ask (and no asterisk on the others)."""
    for name in optional:
        field = form.fields[name]
        if field.label and not str(field.label).endswith("(optional)"):
            field.label = f"{field.label} (optional)"


class InsideTemplateForm:
    """Render with crispy-forms; the template supplies the <form> and the button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inside_template_form(self)


class LoginForm(InsideTemplateForm, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }


class PasswordChangeForm(InsideTemplateForm, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(InsideTemplateForm, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(InsideTemplateForm, auth_forms.SetPasswordForm):
    pass
