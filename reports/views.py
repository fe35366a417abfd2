"""The report pages and downloads of a round: thin views over reports.queries."""

from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from boroughs.models import Region, Stp, is_steering_group
from pcmh import published_names
from pcmh.security_log import log_event
from reports import charts, exports, queries, workbook
from reports.csv import csv_response
from reports.profile import profile_parts
from reports.queries import changes, selfassessment
from reports.queries.rows import keep_publications, report_rounds
from surveys.choices import ReportGrouping, RoundState
from surveys.models import SurveyRound
from surveys.views import copy_of_return

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request, round_slug) -> queries.Report:
    """The round's report for this reader: 404 for a round they may not read. The report cache
    may have read the round already, as the report reads it (`request.report_round`, see
    reports.cache.published_version): it is not read again."""
    survey_round = getattr(request, "report_round", None)
    if not (
        survey_round is not None
        and survey_round.slug == round_slug
        and survey_round.readable_by(request.user)
    ):
        survey_round = get_object_or_404(
            report_rounds(SurveyRound.objects.readable_by(request.user)), slug=round_slug
        )
        keep_publications(survey_round)
    version = request.GET.get("version", "")
    try:
        if version and not (version.isdigit() and len(version) < 6):
            raise queries.NoSuchVersion(version)
        report = queries.report_for(survey_round, request.user, int(version) if version else None)
    except queries.NoSuchVersion:
        raise Http404(
            f"{survey_round} has no published version “{version}” of its report."
        ) from None
    # A published version shows the names it was published with, whatever was renamed since.
    published_names.show_as_published(report.publication.register if report.publication else None)
    return report


def _limited_to(request, report) -> list[str]:
    """The STP footprints a provisional report is limited to (empty: all of the register)."""
    user = request.user
    if not report.provisional or user.is_superuser:
        return []
    return [limit.stp.name for limit in user.reviewer_stps.select_related("stp")]


def _downloads(report) -> list[tuple[str, str, str]]:
    slug = report.survey_round.slug
    data_csv = [
        (
            export.filename,
            reverse("reports:data_csv", args=[slug, export.name]),
            f"{export.title}: every field, one row each",
        )
        for export in exports.EXPORT_FILES.values()
    ]
    return [
        (
            "tables.csv",
            reverse("reports:tables_csv", args=[slug]),
            "The STP tables: one row per borough",
        ),
        *data_csv,
        (
            "themes.csv",
            reverse("reports:themes_csv", args=[slug]),
            "The benefit and barrier themes: how many boroughs report each",
        ),
        (
            "data-dictionary.csv",
            reverse("reports:data_dictionary", args=[slug]),
            "What every column of these files means",
        ),
        (
            "returns.xlsx",
            reverse("reports:returns_xlsx", args=[slug]),
            "All of the above as one Excel workbook",
        ),
        (
            "summary.json",
            reverse("reports:summary_json", args=[slug]),
            "The summary's figures as JSON",
        ),
    ]


def _can_see_data_quality(request, report) -> bool:
    """A published round's data quality is public (it is about published data); an open or
    closed round's is the steering group's."""
    return not report.provisional or is_steering_group(request.user)


def _render(request, template, report, page, **context):
    context.update(
        report=report,
        round=report.survey_round,
        page=page,
        limited_to=_limited_to(request, report),
        can_see_data_quality=_can_see_data_quality(request, report),
    )
    return render(request, template, context, status=context.pop("status", 200))


def _figures(figure_sets, suffix=""):
    return [
        {
            "set": figure_set,
            "chart": charts.bar_chart(
                figure_set,
                chart_id=f"chart-{figure_set.key}{suffix}",
                patterned=figure_set.key == "status",
            ),
        }
        for figure_set in figure_sets
    ]


def _summary_context(request, report, suffix=""):
    figure_sets = queries.summary(report)
    prescribing = queries.prescribing(report)
    ages = queries.ages(report)
    aims = queries.aims(report)
    care_roles = queries.care_roles(report)
    values = queries.figure_values(
        report, sets=[*figure_sets, *prescribing], ages=ages, aims=aims, care_roles=care_roles
    )
    return {
        "figures": _figures(figure_sets, suffix),
        "care_roles": care_roles,
        "prescribing": prescribing,
        "ages": ages,
        "aims": aims,
        "statements": queries.published_statements(report, values),
        "quality_note_count": (
            queries.quality_note_count(report) if _can_see_data_quality(request, report) else None
        ),
        "downloads": _downloads(report),
    }


def _map_context(report, map_id="map", rows=None, part=False):
    """The map of `rows` (every borough's, unless given); `part`: of a region only, its key
    counting the tiles shown."""
    slug = report.survey_round.slug
    tiles = queries.tile_map(report, rows)
    present = {tile.status for tile in tiles}
    if not part:
        counts = {figure.key: figure.count for figure in queries.service_status(report).rows}
    else:  # a region's part: the tiles it shows
        counts = Counter(tile.status for tile in tiles)
    pairs = [
        *queries.CHOICE_FIELDS["status"].choices,
        (queries.NOT_ANSWERED, queries.NOT_ANSWERED_LABEL),
        (queries.NO_RETURN, queries.NO_RETURN_LABEL),
    ]
    legend = [
        {
            "status": status,
            "swatch": charts.legend_swatch(map_id, status),
            "label": label,
            "pattern": charts.pattern_name(status),
            "count": counts.get(status, 0),
        }
        for status, label in pairs
        if status in present or status not in charts.EXTRA_STATUSES
    ]
    return {
        "tiles": [(tile, charts.short_name(tile.borough)) for tile in tiles],
        "map_svg": charts.tile_map(
            tiles,
            map_id=map_id,
            href=lambda tile: reverse("reports:borough", args=[slug, tile.borough.slug]),
        ),
        "legend": legend,
    }


# Above this many units a report grouped by region shows one region a page (its map, its STP
# tables, the full report's profiles); London's 32 boroughs are always one page.
ONE_PAGE_UNITS = 100


def _region_part(request, report):
    """For a report grouped by region with more than ONE_PAGE_UNITS units (a national one):
    the report's regions and the one this page shows (`?region=`, else the first), each
    region a page of its own (one query); otherwise (None, []), the report on one page."""
    if report.survey_round.report_grouping != ReportGrouping.REGION:
        return None, []
    in_report = Q(stps__boroughs__in=report.boroughs.values("pk"))
    regions = list(
        Region.objects.annotate(units=Count("stps__boroughs", filter=in_report))
        .filter(units__gt=0)
        .order_by("display_order", "name")
    )
    if sum(region.units for region in regions) <= ONE_PAGE_UNITS:
        return None, []
    slug = request.GET.get("region")
    if slug is None:
        return (regions[0] if regions else None), regions
    chosen = next((region for region in regions if region.slug == slug), None)
    if chosen is None:
        raise Http404("This region is not part of this report.")
    return chosen, regions


def _region_links(request, regions, chosen) -> list[dict]:
    """The links to each region's page, keeping the rest of the query string."""
    links = []
    for region in regions:
        params = request.GET.copy()
        params["region"] = region.slug
        links.append(
            {"region": region, "url": f"?{params.urlencode()}", "current": region == chosen}
        )
    return links


def index(request):
    rounds = SurveyRound.objects.readable_by(request.user)
    return render(request, "reports/index.html", {"rounds": rounds})


def summary(request, round_slug):
    report = _report(request, round_slug)
    return _render(
        request, "reports/summary.html", report, "summary", **_summary_context(request, report)
    )


def stp_tables(request, round_slug, stp_slug=None):
    report = _report(request, round_slug)
    stp = None
    if stp_slug is not None:
        stp = get_object_or_404(Stp, slug=stp_slug)
    region, regions = (None, []) if stp is not None else _region_part(request, report)
    rows = None
    if region is not None:
        rows = queries.appendix_rows(report, report.boroughs.filter(stp__region=region))
    tables = queries.stp_tables(report, stp, rows=rows)
    if stp is not None and not tables:
        raise Http404("This STP footprint is not part of this report.")
    return _render(
        request,
        "reports/stp_tables.html",
        report,
        "stp",
        stp=stp,
        region=region,
        region_links=_region_links(request, regions, region),
        tables=tables,
        columns=[heading for _, heading in queries.APPENDIX_COLUMNS],
        # The footprints' links (grouped by region, the tables give them).
        stps=queries.report_stps(report)
        if report.survey_round.report_grouping != ReportGrouping.REGION
        else [],
    )


def tile_map(request, round_slug):
    report = _report(request, round_slug)
    region, regions = _region_part(request, report)
    rows = None
    if region is not None:
        rows = queries.appendix_rows(report, report.boroughs.filter(stp__region=region))
    return _render(
        request,
        "reports/map.html",
        report,
        "map",
        region=region,
        region_links=_region_links(request, regions, region),
        **_map_context(report, rows=rows, part=region is not None),
    )


# The borough list's page size: London's 32 boroughs on one page.
BOROUGHS_PER_PAGE = 100


def _page_links(request, page) -> dict:
    """A list's pages as links that keep its filters (GOV.UK pagination)."""

    def url(number):
        params = request.GET.copy()
        params["page"] = number
        return f"?{params.urlencode()}"

    paginator = page.paginator
    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "items": [
            {"ellipsis": True}
            if n == paginator.ELLIPSIS
            else {"number": n, "url": url(n), "current": n == page.number}
            for n in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
        ],
    }


def borough_list(request, round_slug):
    report = _report(request, round_slug)
    try:
        filters = queries.parse_filters(request.GET)
        boroughs = queries.matching_boroughs(report, filters)
    except queries.BadFilter as error:
        return _render(
            request, "reports/bad_filter.html", report, "boroughs", error=str(error), status=400
        )
    paginator = Paginator(
        boroughs.select_related("stp").order_by(*queries.REPORT_ORDER), BOROUGHS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return _render(
        request,
        "reports/boroughs.html",
        report,
        "boroughs",
        filters=filters,
        rows=queries.appendix_rows_of(report, list(page.object_list)),
        figure=queries.Figure("", "", paginator.count, report.borough_total),
        columns=[heading for _, heading in queries.APPENDIX_COLUMNS],
        page_of_boroughs=page,
        pagination=_page_links(request, page) if paginator.num_pages > 1 else None,
    )


def borough_profile(request, round_slug, borough_slug):
    report = _report(request, round_slug)
    previous = _previous_report(request, report)
    # The page links to the return's copies: a return the reader's report counts is always one
    # `copyable_returns` gives them (accepted in a published round; before that, the steering
    # group's report counts only the boroughs they may see), so no query is asked again.
    scoping_return, then = queries.borough_returns(report, borough_slug, previous)
    if scoping_return is not None:
        borough = scoping_return.borough
    else:
        borough = get_object_or_404(report.boroughs.select_related("stp"), slug=borough_slug)
    # Before the changes: it names both returns' self-assessment rows' areas and levels.
    benchmark = selfassessment.profile_benchmark(report, scoping_return, then)
    return _render(
        request,
        "reports/profile.html",
        report,
        "profile",
        borough=borough,
        scoping_return=scoping_return,
        benchmark=benchmark,
        parts=profile_parts(scoping_return) if scoping_return else [],
        changes=changes.profile_changes(
            scoping_return, then, previous.survey_round if previous else None
        ),
    )


def full_report(request, round_slug):
    """The whole report on one page; for a report grouped by region, its summary on the first
    page (no `?region=`) and each region's map, tables and profiles on a page of its own."""
    report = _report(request, round_slug)
    region, regions = _region_part(request, report)
    summary_page = region is None or "region" not in request.GET
    context = {
        "region": region if not summary_page else None,
        "region_links": _region_links(request, regions, None if summary_page else region),
        "columns": [heading for _, heading in queries.APPENDIX_COLUMNS],
        "summary_part": summary_page,
        "units_part": not regions or not summary_page,
    }
    if summary_page:
        context.update(_summary_context(request, report, suffix="-report"))
    if context["units_part"]:
        boroughs = report.boroughs if region is None else report.boroughs.filter(stp__region=region)
        returns = queries.profiles(report, boroughs=boroughs)
        rows = queries.appendix_rows(report, boroughs, returns=returns)
        context.update(
            tables=queries.stp_tables(report, rows=rows),
            profiles=[
                {
                    "borough": row.borough,
                    "return": returns.get(row.borough.pk),
                    "parts": profile_parts(returns[row.borough.pk])
                    if row.borough.pk in returns
                    else [],
                }
                for row in rows
            ],
            **_map_context(report, map_id="report-map", rows=rows, part=region is not None),
        )
    return _render(request, "reports/full_report.html", report, "report", **context)


def themes(request, round_slug):
    """The benefit and barrier themes, each ranked by the boroughs reporting it, with the
    boroughs' statements (at national size one region's a page) and the round's own under
    each theme."""
    report = _report(request, round_slug)
    region, regions = _region_part(request, report)
    rankings = queries.theme_rankings(report, region)
    return _render(
        request,
        "reports/themes.html",
        report,
        "themes",
        region=region,
        region_links=_region_links(request, regions, region),
        rankings=[
            {
                "ranking": ranking,
                "chart": charts.bar_chart(ranking.figure_set(), chart_id=f"chart-{ranking.key}")
                if ranking.reported
                else None,
            }
            for ranking in rankings
        ],
        round_statements=any(ranking.has_round_statements for ranking in rankings),
        reported=any(ranking.reported for ranking in rankings),
    )


def self_assessment(request, round_slug):
    """Section 11 across the round: the boroughs' levels by guidance area (a heatmap grouped by
    STP footprint, with each footprint's medians; at national size one region a page), the
    spread per area, the shares per principle; for a round without the toolkit, a sentence
    saying so."""
    report = _report(request, round_slug)
    region, regions = (
        _region_part(request, report) if report.survey_round.uses_toolkit else (None, [])
    )
    found = selfassessment.self_assessment(report, region)
    return _render(
        request,
        "reports/self_assessment.html",
        report,
        "self_assessment",
        assessment=found,
        region=region,
        region_links=_region_links(request, regions, region),
        distribution=[
            {
                "area": area,
                "set": figure_set,
                "chart": charts.bar_chart(figure_set, chart_id=f"chart-{figure_set.key}"),
            }
            for area, figure_set in found.distribution
        ]
        if found
        else [],
    )


def data_quality(request, round_slug):
    report = _report(request, round_slug)
    if not _can_see_data_quality(request, report):
        raise Http404("Only the steering group sees the data quality of an unpublished round.")
    url = reverse("reports:data_quality", args=[report.survey_round.slug])
    try:
        filters = queries.note_filters(report, request.GET)
    except queries.BadFilter as error:
        return _render(
            request,
            "reports/bad_filter.html",
            report,
            "data_quality",
            error=str(error),
            crumb="Data quality",
            back_url=url,
            back_text="Show every data-quality note",
            status=400,
        )
    return _render(
        request,
        "reports/data_quality.html",
        report,
        "data_quality",
        not_stated=queries.not_stated(report),
        filters=filters,
        notes=queries.filtered_notes(report, filters),
        incomplete=queries.incomplete_returns(report),
    )


def _previous_report(request, report):
    """The report of the round's previous round, or None: no previous round, or one this
    reader may not read."""
    previous_round = report.survey_round.previous_round
    if previous_round is None or not (
        previous_round.state == RoundState.PUBLISHED or is_steering_group(request.user)
    ):
        return None
    return queries.report_for(previous_round, request.user)


def _comparison(request, report, region=None):
    """The report compared with its round's previous round, or None (see _previous_report)."""
    previous = _previous_report(request, report)
    return changes.compare(report, previous, region) if previous else None


def round_changes(request, round_slug):
    """What changed since the previous round: status transitions, answers that moved, the
    headline figures and care-role WTE side by side, per STP too (at national size the
    boroughs behind each change and the footprints' matrices one region a page)."""
    report = _report(request, round_slug)
    region, regions = _region_part(request, report)
    comparison = _comparison(request, report, region)
    return _render(
        request,
        "reports/changes.html",
        report,
        "changes",
        comparison=comparison,
        region=region,
        region_links=_region_links(request, regions, region) if comparison else [],
        level_changes=selfassessment.level_changes(report, comparison.previous, region)
        if comparison
        else None,
    )


def changes_csv(request, round_slug):
    """changes.csv: every field of every borough that changed since the previous round."""
    report = _report(request, round_slug)
    comparison = _comparison(request, report)
    if comparison is None:
        raise Http404("This round has no previous round to compare with.")
    return csv_response(
        exports.export_filename(report, "changes", "csv"),
        changes.CHANGES_HEADER,
        changes.changed_fields(report, comparison.previous),
    )


# --- Downloads -------------------------------------------------------------------------------


def tables_csv(request, round_slug):
    report = _report(request, round_slug)
    return csv_response(
        exports.export_filename(report, "tables", "csv"),
        exports.TABLES_HEADER,
        exports.table_rows(report),
    )


def data_csv(request, round_slug, name):
    export = exports.EXPORT_FILES.get(name)
    if export is None:
        raise Http404("No such download.")
    report = _report(request, round_slug)
    log_event("export", request, round=round_slug, file=f"{name}.csv")
    return csv_response(
        exports.export_filename(report, name.replace("_", "-"), "csv"),
        export.header,
        export.rows(report),
    )


def themes_csv(request, round_slug):
    """themes.csv: one row per theme, the boroughs reporting it as a benefit and as a barrier."""
    report = _report(request, round_slug)
    return csv_response(
        exports.export_filename(report, "themes", "csv"),
        queries.THEMES_HEADER,
        queries.theme_rows(report),
    )


def data_dictionary(request, round_slug):
    report = _report(request, round_slug)
    return csv_response(
        exports.export_filename(report, "data-dictionary", "csv"),
        exports.DICTIONARY_HEADER,
        exports.dictionary_rows(),
    )


def returns_xlsx(request, round_slug):
    report = _report(request, round_slug)
    log_event("export", request, round=round_slug, file="returns.xlsx")
    return FileResponse(
        workbook.workbook_file(report),
        as_attachment=True,
        filename=exports.export_filename(report, "returns", "xlsx"),
        content_type=XLSX_TYPE,
    )


def return_xlsx(request, round_slug, borough_slug):
    """One borough's return as a workbook, for whoever may have its printable copy."""
    scoping_return = copy_of_return(request, round_slug, borough_slug)
    log_event("export", request, round=round_slug, borough=borough_slug, file="return.xlsx")
    return FileResponse(
        workbook.return_workbook_file(scoping_return),
        as_attachment=True,
        filename=exports.return_filename(scoping_return),
        content_type=XLSX_TYPE,
    )


def summary_json(request, round_slug):
    report = _report(request, round_slug)
    themes = queries.themes_json(report)  # first: its counts join the summary's one query
    data = queries.summary_json(report)
    data["themes"] = themes
    data["self_assessment"] = selfassessment.summary_json(report)
    previous = _previous_report(request, report)
    data["previous_round"] = previous.survey_round.slug if previous else None
    data["changes"] = changes.changes_json_between(report, previous) if previous else None
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    filename = exports.export_filename(report, "summary", "json")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
