"""The admin site's own pages and third-party screens, fixed where upstream's fail: a server
error, or HTML that is not valid (tests/trust/test_admin_html.py checks every admin page)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.utils import timezone

# The admin's "Change password" page in the admin's layout: the site's own page, which shadows
# Django's template of the same name, put a second <form> inside its own around Django's form.
admin.site.password_change_template = "admin/password_change_form.html"  # noqa: S105 (a template)


class FixedAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes 8.3's list of access attempts, with its "Clean up expired attempts" action
    working: upstream's fails with an AttributeError (a server error), as the database handler
    reads `request.axes_attempt_time`, which axes only sets on the requests that sign in."""

    @admin.action(description=AccessAttemptAdmin.cleanup_expired_attempts.short_description)
    def cleanup_expired_attempts(self, request, queryset):
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


class PasswordHashWidget(auth_forms.ReadOnlyPasswordHashWidget):
    """Django 5.2's summary of a user's password hash, without the `disabled` attribute that its
    field (always disabled) puts on the widget's <div>, where HTML has no such attribute."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        return context


class UserChangeForm(auth_forms.UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordHashWidget()


class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, FixedAccessAttemptAdmin)
admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
