"""Django's user admin, with the sign-in dates shown as a record rather than as inputs.

Nobody should type a user's last sign-in or joining date; read-only, they also lose the stock
split date/time inputs, which have no labels (WCAG 1.3.1, axe `label`).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class PcmhUserAdmin(UserAdmin):
    readonly_fields = ("last_login", "date_joined")
