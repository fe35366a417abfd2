from django import template

from surveys import numbers

register = template.Library()


def _anchor(field) -> str | None:
    """The id an error summary links to: the field's input, or the first of its options.

    Radios and checkbox lists have no element with the field's own id (id_training), only one
    per option, numbered from 1 by the GOV.UK template pack (id_training_1, ...): Django gives
    them no id_for_label, so link the first option, as the GOV.UK error summary asks.
    """
    if field.id_for_label:
        return field.id_for_label
    return f"{field.auto_id}_1" if field.auto_id else None


def _form_errors(form):
    items = [(None, message) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        field = form[name]
        anchor = _anchor(field)
        for message in errors:
            # A child row's messages name their row already ("Care role 2: ...").
            items.append((anchor, message))
    return items


@register.simple_tag
def error_items(form=None, formsets=None, extra=()):
    """(anchor, message) pairs for an error summary: the form's errors, each formset's, then
    `extra` ones (anchor, message) of the page's own."""
    items = _form_errors(form) if form is not None and form.is_bound else []
    for formset in formsets or []:
        if not formset.is_bound:
            continue
        # Errors about the rows as a whole link to the formset's heading.
        anchor = f"{formset.prefix}-title"
        items.extend((anchor, message) for message in formset.non_form_errors())
        for row in formset.forms:
            items.extend(_form_errors(row))
    return [*items, *extra]


@register.inclusion_tag("includes/nav_item.html", takes_context=True)
def nav_item(context, url: str, label: str):
    """One item of the service navigation, marked current on its own pages and those below it
    (`aria-current`, and bold for forced colours, as the component asks)."""
    request = context.get("request")  # none on the error pages, rendered without a request
    path = request.path if request is not None else ""
    return {"url": url, "label": label, "current": bool(path) and path.startswith(url)}


@register.filter
def money(value) -> str:
    """An amount in pounds as people write it: "650,000", "1,250.50"; empty when none."""
    return "" if value is None else numbers.money(value)


@register.filter
def thousands(value) -> str:
    """A whole number as people read it: "10,000"."""
    return f"{value:,}" if isinstance(value, int) else str(value)


@register.filter
def decimal(value) -> str:
    """A whole-time equivalent or an age as people write it: "6.4", not "6.40"."""
    return "" if value is None else numbers.plain_decimal(value)


@register.filter
def removed(formset, row) -> bool:
    """Whether a saved child row is marked to be removed when its section is saved."""
    return formset.removed(row)


@register.filter
def duration_words(value) -> str:
    """A `timedelta` as a person says it: "1 hour", "1 hour 30 minutes", "45 minutes"."""
    if value is None:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.filter
def days_left_words(days) -> str:
    """A round's days left (SurveyRound.days_left) as the lead reads them beside its date."""
    if days is None:
        return ""
    if days < 0:
        return "the closing date has passed"
    if days == 0:
        return "closes today"
    return f"{days} day{'' if days == 1 else 's'} left"
