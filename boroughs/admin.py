from django.contrib import admin

from boroughs.models import Borough, BoroughMembership, ReviewerStp, Stp


class ReadOnlyForSteeringGroup:
    """The register comes from a data migration: the steering group reads it, a superuser edits."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Stp)
class StpAdmin(ReadOnlyForSteeringGroup, admin.ModelAdmin):
    list_display = ["name", "code", "display_order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Borough)
class BoroughAdmin(ReadOnlyForSteeringGroup, admin.ModelAdmin):
    list_display = ["name", "stp", "covers", "gss_codes", "ods_code", "tile_x", "tile_y"]
    list_filter = ["stp"]
    search_fields = ["name", "covers", "gss_codes", "ods_code"]
    list_select_related = ["stp"]


@admin.register(BoroughMembership)
class BoroughMembershipAdmin(admin.ModelAdmin):
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
class ReviewerStpAdmin(admin.ModelAdmin):
    list_display = ["user", "stp"]
    list_filter = ["stp"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "stp"]
