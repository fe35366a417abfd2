"""The steering group's pages for the toolkit: principles, guidance areas and levels, and the
versions of the descriptors, with "Approve" and "Copy into a new draft".

A version's descriptors are edited only while it is a draft that no published round used
(`ToolkitVersion.edit_refusal`): otherwise they are shown to read, and the page says how to
change them (copy the version into a new draft). Every change is kept in the history.
"""

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_object_actions import DjangoObjectActions, action

from surveys.admin.mixins import HistoryAdmin, is_limited_reviewer
from surveys.forms import KeepsWhatItIsGiven
from toolkit import versions
from toolkit.models import Descriptor, GuidanceArea, Level, Principle, ToolkitVersion


class AllLondonEdits:
    """Edited by the steering group of all London; read by every member of it."""

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and not is_limited_reviewer(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_limited_reviewer(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_limited_reviewer(request.user)


@admin.register(Principle)
class PrincipleAdmin(AllLondonEdits, HistoryAdmin):
    list_display = ["name", "order"]


@admin.register(GuidanceArea)
class GuidanceAreaAdmin(AllLondonEdits, HistoryAdmin):
    list_display = ["name", "principle", "order"]
    list_filter = ["principle"]


@admin.register(Level)
class LevelAdmin(AllLondonEdits, HistoryAdmin):
    list_display = ["name", "rank"]

    def get_readonly_fields(self, request, obj=None):
        # A level's rank and slug are what returns store and medians compare.
        return ["slug", "rank"] if obj else []


# The descriptors' inline formset's prefix ("descriptors"), and the controls of its rows that
# only an editable page has (the read-only page has each row's id and version, hidden).
DESCRIPTORS = Descriptor._meta.get_field("version").remote_field.get_accessor_name()
EDITED_DESCRIPTOR = re.compile(rf"^{DESCRIPTORS}-\d+-(area|level|text|DELETE)$")


def _edits_descriptors(data) -> bool:
    return any(EDITED_DESCRIPTOR.match(name) for name in data)


def _say_once(request, level, text):
    """Add the message unless one already waiting says it (a refusal just given)."""
    if not any(text in str(message) for message in messages.get_messages(request)):
        messages.add_message(request, level, text)


class DescriptorForm(KeepsWhatItIsGiven, admin.options.forms.ModelForm):
    class Meta:
        model = Descriptor
        fields = ["area", "level", "text"]


class DescriptorInline(admin.TabularInline):
    model = Descriptor
    form = DescriptorForm
    extra = 0
    fields = ["area", "level", "text"]

    def _editable(self, obj) -> bool:
        return obj is None or obj.edit_refusal() is None

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


@admin.register(ToolkitVersion)
class ToolkitVersionAdmin(AllLondonEdits, DjangoObjectActions, HistoryAdmin):
    list_display = ["number", "name", "state", "approved_at", "approved_by"]
    list_filter = ["state"]
    inlines = [DescriptorInline]
    fields = ["number", "name", "note", "state", "based_on", "approved_at", "approved_by"]
    readonly_fields = ["state", "based_on", "approved_at", "approved_by"]
    change_actions = ["approve", "copy_as_draft"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.edit_refusal():
            fields += ["number", "name"]
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        refusal = obj.edit_refusal() if obj is not None else None
        if (
            refusal
            and request.method == "POST"
            and _edits_descriptors(request.POST)
            and self.has_change_permission(request, obj)
        ):
            # A page opened while the version could be edited, saved once it cannot: Django
            # would drop the descriptors' changes and say the version was changed.
            messages.error(request, f"Nothing was saved. {refusal}")
            return HttpResponseRedirect(request.get_full_path())
        if obj is not None and request.method == "GET":
            if refusal:
                _say_once(request, messages.INFO, refusal)
            elif obj.is_draft:
                messages.warning(
                    request,
                    f"{obj} is a draft: wherever its descriptors are shown they are marked "
                    "Draft until it is approved.",
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_change_actions(self, request, object_id, form_url):
        if not self.has_change_permission(request) and not request.user.is_superuser:
            return []
        if is_limited_reviewer(request.user):
            return []
        obj = self.get_object(request, object_id)
        found = ["copy_as_draft"]
        if obj is not None and obj.is_draft and obj.edit_refusal() is None:
            found.insert(0, "approve")
        return found

    def _refuse_unless_editor(self, request, obj):
        if not self.has_change_permission(request, obj):
            raise PermissionDenied

    @action(
        label="Approve",
        description="Approve this version: its descriptors lose 'Draft'",
        methods=("POST",),
        button_type="form",
    )
    def approve(self, request, obj):
        self._refuse_unless_editor(request, obj)
        # A draft a published round used is refused (`versions.approve`): the button is not
        # offered then, but a page opened before the round was published still has it.
        try:
            versions.approve(version=obj, by=request.user)
        except versions.VersionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Version {obj.number} is approved.")

    @action(
        label="Copy into a new draft",
        description="A new draft version with these descriptors, to edit",
        methods=("POST",),
        button_type="form",
    )
    def copy_as_draft(self, request, obj):
        self._refuse_unless_editor(request, obj)
        draft = versions.copy_as_draft(version=obj, by=request.user)
        messages.success(request, f"{draft} is a copy of version {obj.number}: edit it here.")
        return HttpResponseRedirect(reverse("admin:toolkit_toolkitversion_change", args=[draft.pk]))
