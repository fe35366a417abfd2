from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pcmh import two_factor, views

admin.site.site_header = "PCMH Returns: steering group"
admin.site.site_title = "PCMH Returns admin"
admin.site.index_title = "Review and data"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
    path("privacy/", views.privacy, name="privacy"),
    path("accounts/keep-alive/", views.keep_alive, name="keep_alive"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("returns/", include("surveys.urls")),
    path("reports/", include("reports.urls")),
    # Before the admin's own: its "View on site" redirect, limited to what the user may see.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(views.view_on_site),
    ),
    path("admin/", admin.site.urls),
]

handler400 = "pcmh.views.bad_request"
handler403 = "pcmh.views.permission_denied"
handler404 = "pcmh.views.page_not_found"
handler500 = "pcmh.views.server_error"
