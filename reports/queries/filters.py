"""Who is behind a figure: the borough list's filters and the boroughs that match them."""

from __future__ import annotations

from dataclasses import dataclass

from boroughs.models import Stp
from reports.queries.counts import code_in_list
from reports.queries.report import (
    CHOICE_FIELDS,
    NO_RETURN,
    NO_RETURN_LABEL,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    Report,
    field_label,
)
from reports.queries.tables import AppendixRow, appendix_rows
from surveys.choices import CareRoleType, ItSystem
from surveys.models import CareRole


class BadFilter(ValueError):
    """A borough-list filter that names no question or no answer of it."""


@dataclass(frozen=True)
class BoroughFilter:
    name: str
    value: str
    label: str
    value_label: str


def _filter_choices() -> dict[str, tuple[str, dict[str, str]]]:
    """filter name → (question label, {value: answer label})."""
    extra = {NOT_ANSWERED: NOT_ANSWERED_LABEL, NO_RETURN: NO_RETURN_LABEL}
    filters = {
        name: (field_label(name), {**dict(choices.choices), **extra})
        for name, choices in CHOICE_FIELDS.items()
    }
    filters["it_system"] = ("IT system named", dict(ItSystem.choices))
    filters["care_role"] = ("Care role", dict(CareRoleType.choices))
    return filters


FILTERS = _filter_choices()


def parse_filters(params) -> list[BoroughFilter]:
    """The filters of a borough-list query string (`?status=established&shared_it=yes`).

    Raises BadFilter, with a sentence a person can read, for an unknown filter or value. The
    `stp` filter is checked against the register by `boroughs_matching`.
    """
    result = []
    for name in params:
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        for value in values:
            if name == "stp":
                result.append(BoroughFilter("stp", value, "STP footprint", value))
                continue
            if name not in FILTERS:
                allowed = ", ".join(["stp", *FILTERS])
                raise BadFilter(
                    f"“{name[:40]}” is not a filter of the borough list: use {allowed}."
                )
            label, choices = FILTERS[name]
            if value not in choices:
                allowed = ", ".join(choices)
                raise BadFilter(f"“{value[:40]}” is not a value of {name}: use one of {allowed}.")
            result.append(BoroughFilter(name, value, label, str(choices[value])))
    return result


def boroughs_matching(report: Report, filters: list[BoroughFilter]) -> list[AppendixRow]:
    """The boroughs behind a figure: those of the report whose counted return matches every
    filter (or, for the value "no_return", that have no counted return), in report order."""
    boroughs = report.boroughs
    returns = report.returns
    wants_no_return = False
    return_filters = 0
    for item in filters:
        if item.name == "stp":
            if not Stp.objects.filter(slug=item.value).exists():
                raise BadFilter(f"“{item.value[:40]}” is not an STP footprint of the register.")
            boroughs = boroughs.filter(stp__slug=item.value)
        elif item.value == NO_RETURN:
            wants_no_return = True
        elif item.name == "it_system":
            returns, return_filters = returns.filter(code_in_list("it_systems", item.value)), 1
        elif item.name == "care_role":
            with_role = CareRole.objects.filter(role=item.value).values("scoping_return_id")
            returns, return_filters = returns.filter(pk__in=with_role), 1
        else:
            value = "" if item.value == NOT_ANSWERED else item.value
            returns, return_filters = returns.filter(**{item.name: value}), 1
    if wants_no_return:
        boroughs = boroughs.exclude(pk__in=report.returns.values("borough_id"))
        if return_filters:
            boroughs = boroughs.none()
    elif return_filters:
        boroughs = boroughs.filter(pk__in=returns.values("borough_id"))
    return appendix_rows(report, boroughs)
