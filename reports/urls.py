from django.urls import path

from reports import views
from reports.cache import cached_when_published
from surveys.views import return_copy

# A published round's pages and downloads, from the cache (reports/cache.py).
page = cached_when_published()
download = cached_when_published(download=True)

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:round_slug>/", page(views.summary), name="summary"),
    path("<slug:round_slug>/stp/", page(views.stp_tables), name="stp_tables"),
    path("<slug:round_slug>/stp/<slug:stp_slug>/", page(views.stp_tables), name="stp_table"),
    path("<slug:round_slug>/map/", page(views.tile_map), name="map"),
    path("<slug:round_slug>/boroughs/", page(views.borough_list), name="boroughs"),
    path(
        "<slug:round_slug>/boroughs/<slug:borough_slug>/",
        page(views.borough_profile),
        name="borough",
    ),
    path("<slug:round_slug>/boroughs/<slug:borough_slug>/print/", return_copy, name="return_copy"),
    path(
        "<slug:round_slug>/boroughs/<slug:borough_slug>/return.xlsx",
        views.return_xlsx,
        name="return_xlsx",
    ),
    path("<slug:round_slug>/report/", page(views.full_report), name="report"),
    path("<slug:round_slug>/changes/", page(views.round_changes), name="changes"),
    path("<slug:round_slug>/changes.csv", download(views.changes_csv), name="changes_csv"),
    path("<slug:round_slug>/data-quality/", page(views.data_quality), name="data_quality"),
    path(
        "<slug:round_slug>/self-assessment/",
        page(views.self_assessment),
        name="self_assessment",
    ),
    path("<slug:round_slug>/themes/", page(views.themes), name="themes"),
    path("<slug:round_slug>/themes.csv", download(views.themes_csv), name="themes_csv"),
    path("<slug:round_slug>/tables.csv", download(views.tables_csv), name="tables_csv"),
    path(
        "<slug:round_slug>/data-dictionary.csv",
        download(views.data_dictionary),
        name="data_dictionary",
    ),
    path(
        "<slug:round_slug>/returns.xlsx",
        cached_when_published(download=True, export_log="returns.xlsx")(views.returns_xlsx),
        name="returns_xlsx",
    ),
    path("<slug:round_slug>/summary.json", download(views.summary_json), name="summary_json"),
    path(
        "<slug:round_slug>/<slug:name>.csv",
        cached_when_published(download=True, export_log="{name}.csv")(views.data_csv),
        name="data_csv",
    ),
]
