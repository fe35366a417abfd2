from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import BLANK_CHOICE_DASH

from boroughs.models import Borough, BoroughMembership, Region, ReviewerStp, Stp


class ReadOnlyForSteeringGroup:
    """The register comes from a data migration: the steering group reads it, a superuser edits."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ValidAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, with a first option of no value, "---------" as in Django's
    plain selects: HTML requires one in a required <select>, where Django's widget has none, and
    refuses an option with no text, which Django's widget gives to optional fields."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options.pop(0)
        options.insert(0, self.create_option(name, "", BLANK_CHOICE_DASH[0][1], False, 0))
        return groups


class ValidAutocompleteAdmin:
    """Autocomplete fields with ValidAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = ValidAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Region)
class RegionAdmin(ReadOnlyForSteeringGroup, admin.ModelAdmin):
    list_display = ["name", "code", "display_order"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Stp)
class StpAdmin(ReadOnlyForSteeringGroup, admin.ModelAdmin):
    list_display = ["name", "region", "code", "display_order"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    list_select_related = ["region"]
    prepopulated_fields = {"slug": ["name"]}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region":
            # London is chosen to begin with (the field's default), under a "choose" option a
            # required list starts with, and without the hidden copy of a callable default.
            field.empty_label = "Choose a region"
            field.show_hidden_initial = False
        return field


@admin.register(Borough)
class BoroughAdmin(ReadOnlyForSteeringGroup, admin.ModelAdmin):
    list_display = ["name", "stp", "covers", "gss_codes", "ods_code", "tile_x", "tile_y"]
    list_filter = ["stp__region", "stp"]
    search_fields = ["name", "covers", "gss_codes", "ods_code"]
    list_select_related = ["stp"]


@admin.register(BoroughMembership)
class BoroughMembershipAdmin(ValidAutocompleteAdmin, admin.ModelAdmin):
    list_display = ["user", "borough", "role"]
    list_filter = ["borough__stp", "role"]
    search_fields = ["user__username", "user__email", "borough__name"]
    autocomplete_fields = ["user", "borough"]
    list_select_related = ["user", "borough"]

    def get_queryset(self, request):
        # A reviewer limited to some STP footprints sees only the leads of their boroughs.
        queryset = super().get_queryset(request)
        return queryset.filter(borough__in=Borough.objects.for_user(request.user))


@admin.register(ReviewerStp)
class ReviewerStpAdmin(ValidAutocompleteAdmin, admin.ModelAdmin):
    list_display = ["user", "stp"]
    list_filter = ["stp"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "stp"]
