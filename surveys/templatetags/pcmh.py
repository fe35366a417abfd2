from django import template

register = template.Library()


def _form_errors(form):
    items = [(None, message) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        field = form[name]
        anchor = field.id_for_label or field.auto_id
        for message in errors:
            items.append((anchor, f"{field.label}: {message}" if form.prefix else message))
    return items


@register.simple_tag
def error_items(form=None, formsets=None):
    """(anchor, message) pairs for an error summary: the form's errors, then each formset's."""
    items = _form_errors(form) if form is not None and form.is_bound else []
    for formset in formsets or []:
        if not formset.is_bound:
            continue
        items.extend((None, message) for message in formset.non_form_errors())
        for row in formset.forms:
            items.extend(_form_errors(row))
    return items
