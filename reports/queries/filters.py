"""Who is behind a figure: the borough list's filters and the boroughs that match them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet

from boroughs.models import Stp
from reports.models import RoundAimBorough
from reports.queries.counts import POST_STATUS_FILTERS, code_in_list
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
from surveys.choices import CareRoleType, ItSystem, ModelType, PostStatus
from surveys.models import CareRole
from surveys.numbers import plain_decimal


class BadFilter(ValueError):
    """A borough-list filter that names no question or no answer of it."""


@dataclass(frozen=True)
class BoroughFilter:
    name: str
    value: str
    label: str
    value_label: str


ROLE_AT_STATUS = {
    PostStatus.IN_POST: "Care role in post",
    PostStatus.PLANNED: "Care role planned or proposed",
    PostStatus.NOT_STATED: "Care role whose post status is not stated",
}


def _filter_choices() -> dict[str, tuple[str, dict[str, str]]]:
    """filter name → (question label, {value: answer label})."""
    extra = {NOT_ANSWERED: NOT_ANSWERED_LABEL, NO_RETURN: NO_RETURN_LABEL}
    filters = {
        name: (field_label(name), {**dict(choices.choices), **extra})
        for name, choices in CHOICE_FIELDS.items()
    }
    filters["it_system"] = ("IT system named", dict(ItSystem.choices))
    filters["care_role"] = ("Care role", dict(CareRoleType.choices))
    for status, name in POST_STATUS_FILTERS.items():
        filters[name] = (ROLE_AT_STATUS[status], dict(CareRoleType.choices))
    filters["model_type"] = ("Model type", {**dict(ModelType.choices), NOT_ANSWERED: "None given"})
    return filters


# Filters whose values are not a fixed list: an age (or "not_answered"), and a service aim of
# the round (checked against the round by `boroughs_matching`).
AGE_FILTERS = {"min_age": "Minimum age", "max_age": "Maximum age"}
AIM_FILTER = "aim"


def _age_filter(name: str, value: str) -> BoroughFilter:
    label = AGE_FILTERS[name]
    if value == NOT_ANSWERED:
        return BoroughFilter(name, value, label, "None given")
    try:
        age = Decimal(value)
    except (InvalidOperation, ValueError):
        age = None
    if age is None or not age.is_finite() or not 0 <= age <= 120:
        raise BadFilter(
            f"“{value[:40]}” is not an age for {name}: use a number from 0 to 120, for example "
            f"17.5, or {NOT_ANSWERED}."
        )
    return BoroughFilter(name, plain_decimal(age), label, plain_decimal(age))


FILTERS = _filter_choices()
STATUS_OF_FILTER = {name: status for status, name in POST_STATUS_FILTERS.items()}


# What else the borough list's query string may carry: its page, the published version read.
NOT_FILTERS = frozenset({"page", "version"})


def parse_filters(params) -> list[BoroughFilter]:
    """The filters of a borough-list query string (`?status=established&shared_it=yes`).

    Raises BadFilter, with a sentence a person can read, for an unknown filter or value. The
    `stp` filter is checked against the register, and `aim` against the round's service aims,
    by `boroughs_matching`.
    """
    result = []
    for name in params:
        if name in NOT_FILTERS:
            continue
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        for value in values:
            if name == "stp":
                result.append(BoroughFilter("stp", value, "STP footprint", value))
                continue
            if name == AIM_FILTER:
                result.append(BoroughFilter(AIM_FILTER, value, "Service aim", value))
                continue
            if name in AGE_FILTERS:
                result.append(_age_filter(name, value))
                continue
            if name not in FILTERS:
                allowed = ", ".join(["stp", *FILTERS, *AGE_FILTERS, AIM_FILTER])
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
    filter (or, for the value "no_return", that have no counted return), in report order,
    with their appendix rows (`matching_boroughs`)."""
    return appendix_rows(report, matching_boroughs(report, filters))


def matching_boroughs(report: Report, filters: list[BoroughFilter]) -> QuerySet:
    """The boroughs of the report whose counted return matches every filter (or, for the value
    "no_return", that have no counted return), as a query of boroughs not yet run.

    An `aim` filter's value is checked against the round and given the aim's name to show."""
    boroughs = report.boroughs
    returns = report.returns
    wants_no_return = False
    return_filters = 0
    for item in list(filters):
        if item.name == "stp":
            if not Stp.objects.filter(slug=item.value).exists():
                raise BadFilter(f"“{item.value[:40]}” is not an STP footprint of the register.")
            boroughs = boroughs.filter(stp__slug=item.value)
        elif item.value == NO_RETURN:
            wants_no_return = True
        elif item.name == "it_system":
            returns, return_filters = returns.filter(code_in_list("it_systems", item.value)), 1
        elif item.name == "care_role":
            with_role = CareRole.all_rows.filter(role=item.value).values("scoping_return_id")
            returns, return_filters = returns.filter(pk__in=with_role), 1
        elif item.name in STATUS_OF_FILTER:
            with_role = CareRole.all_rows.filter(
                role=item.value, post_status=STATUS_OF_FILTER[item.name]
            ).values("scoping_return_id")
            returns, return_filters = returns.filter(pk__in=with_role), 1
        elif item.name == "model_type" and item.value != NOT_ANSWERED:
            returns, return_filters = returns.filter(code_in_list("model_types", item.value)), 1
        elif item.name == "model_type":
            returns, return_filters = returns.filter(model_types=""), 1
        elif item.name in AGE_FILTERS:
            age = None if item.value == NOT_ANSWERED else Decimal(item.value)
            lookup = {f"{item.name}__isnull": True} if age is None else {item.name: age}
            returns, return_filters = returns.filter(**lookup), 1
        elif item.name == AIM_FILTER:
            aim = report.survey_round.aims.filter(key=item.value).first()
            if aim is None:
                raise BadFilter(f"“{item.value[:40]}” is not a service aim of this round.")
            filters[filters.index(item)] = replace(item, value_label=aim.name)  # as headed
            tagged = RoundAimBorough.objects.filter(
                aim__survey_round=report.survey_round, aim__key=item.value
            ).values("borough_id")
            returns, return_filters = returns.filter(borough__in=tagged), 1
        else:
            value = "" if item.value == NOT_ANSWERED else item.value
            returns, return_filters = returns.filter(**{item.name: value}), 1
    if wants_no_return:
        boroughs = boroughs.exclude(pk__in=report.returns.values("borough_id"))
        if return_filters:
            boroughs = boroughs.none()
    elif return_filters:
        boroughs = boroughs.filter(pk__in=returns.values("borough_id"))
    return boroughs
