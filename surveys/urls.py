from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.your_returns, name="your_returns"),
    path("review/", views.dashboard, name="dashboard"),
    path("<slug:round_slug>/<slug:borough_slug>/", views.return_page, name="return"),
    path("<slug:round_slug>/<slug:borough_slug>/start/", views.start_return, name="start"),
    path("<slug:round_slug>/<slug:borough_slug>/check/", views.check_answers, name="check"),
    path("<slug:round_slug>/<slug:borough_slug>/submit/", views.submit_return, name="submit"),
    path("<slug:round_slug>/<slug:borough_slug>/submitted/", views.submitted, name="submitted"),
    path("<slug:round_slug>/<slug:borough_slug>/comment/", views.add_comment, name="comment"),
    path(
        "<slug:round_slug>/<slug:borough_slug>/queries/<int:query_id>/reply/",
        views.reply_to_query,
        name="reply_to_query",
    ),
    path(
        "<slug:round_slug>/<slug:borough_slug>/section/<slug:section>/unchanged/",
        views.confirm_unchanged,
        name="confirm_unchanged",
    ),
    path(
        "<slug:round_slug>/<slug:borough_slug>/section/<slug:section>/",
        views.section,
        name="section",
    ),
]
