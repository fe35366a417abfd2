"""The report's figures: one function per figure set, each computed by aggregation in the database.

The pages, the CSV files and the JSON read these functions, so their numbers cannot disagree.
Every function takes a `Report`: the round, the boroughs that make the denominator and the returns
that are counted. The number of queries of each function is fixed: it does not grow with the
number of boroughs or returns.

One module per family of figures: which returns count (`report`), counts of one question
(`counts`), boroughs row by row (`tables`), data quality (`quality`) and who is behind a figure
(`filters`). Everything is importable from `reports.queries`.
"""

from reports.queries.counts import (
    ANSWER_FIELDS_JSON_ORDER,
    Figure,
    FigureSet,
    RoleFigure,
    care_roles,
    code_in_list,
    it_systems,
    medicines_management,
    outcome_measures,
    prescribing,
    recurrent_funding,
    scope,
    service_status,
    shared_it,
    summary,
    summary_json,
    training,
)
from reports.queries.filters import (
    FILTERS,
    BadFilter,
    BoroughFilter,
    boroughs_matching,
    parse_filters,
)
from reports.queries.quality import (
    incomplete_returns,
    not_stated,
    quality_notes,
)
from reports.queries.report import (
    APPENDIX_ANSWER_FIELDS,
    CHOICE_FIELDS,
    NO_RETURN,
    NO_RETURN_LABEL,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    PRESCRIBING_FIELDS,
    REPORT_ORDER,
    RETURN_REPORT_ORDER,
    Report,
    field_label,
    percent,
    report_for,
)
from reports.queries.tables import (
    APPENDIX_COLUMNS,
    APPENDIX_RETURN_FIELDS,
    AppendixRow,
    StpTable,
    Tile,
    appendix_rows,
    profiles,
    report_stps,
    stp_tables,
    tile_map,
)

__all__ = [
    "APPENDIX_ANSWER_FIELDS",
    "ANSWER_FIELDS_JSON_ORDER",
    "APPENDIX_COLUMNS",
    "APPENDIX_RETURN_FIELDS",
    "AppendixRow",
    "BadFilter",
    "BoroughFilter",
    "CHOICE_FIELDS",
    "FILTERS",
    "Figure",
    "FigureSet",
    "NOT_ANSWERED",
    "NOT_ANSWERED_LABEL",
    "NO_RETURN",
    "NO_RETURN_LABEL",
    "PRESCRIBING_FIELDS",
    "REPORT_ORDER",
    "RETURN_REPORT_ORDER",
    "Report",
    "RoleFigure",
    "StpTable",
    "Tile",
    "appendix_rows",
    "boroughs_matching",
    "care_roles",
    "code_in_list",
    "field_label",
    "incomplete_returns",
    "it_systems",
    "medicines_management",
    "not_stated",
    "outcome_measures",
    "parse_filters",
    "percent",
    "prescribing",
    "profiles",
    "quality_notes",
    "recurrent_funding",
    "report_for",
    "report_stps",
    "scope",
    "service_status",
    "shared_it",
    "stp_tables",
    "summary",
    "summary_json",
    "tile_map",
    "training",
]
