from django.urls import path

from reports import views
from surveys.views import return_copy

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:round_slug>/", views.summary, name="summary"),
    path("<slug:round_slug>/stp/", views.stp_tables, name="stp_tables"),
    path("<slug:round_slug>/stp/<slug:stp_slug>/", views.stp_tables, name="stp_table"),
    path("<slug:round_slug>/map/", views.tile_map, name="map"),
    path("<slug:round_slug>/boroughs/", views.borough_list, name="boroughs"),
    path("<slug:round_slug>/boroughs/<slug:borough_slug>/", views.borough_profile, name="borough"),
    path("<slug:round_slug>/boroughs/<slug:borough_slug>/print/", return_copy, name="return_copy"),
    path(
        "<slug:round_slug>/boroughs/<slug:borough_slug>/return.xlsx",
        views.return_xlsx,
        name="return_xlsx",
    ),
    path("<slug:round_slug>/report/", views.full_report, name="report"),
    path("<slug:round_slug>/changes/", views.round_changes, name="changes"),
    path("<slug:round_slug>/changes.csv", views.changes_csv, name="changes_csv"),
    path("<slug:round_slug>/data-quality/", views.data_quality, name="data_quality"),
    path("<slug:round_slug>/tables.csv", views.tables_csv, name="tables_csv"),
    path("<slug:round_slug>/data-dictionary.csv", views.data_dictionary, name="data_dictionary"),
    path("<slug:round_slug>/returns.xlsx", views.returns_xlsx, name="returns_xlsx"),
    path("<slug:round_slug>/summary.json", views.summary_json, name="summary_json"),
    path("<slug:round_slug>/<slug:name>.csv", views.data_csv, name="data_csv"),
]
