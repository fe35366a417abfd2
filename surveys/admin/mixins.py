"""What the review screens share: borough scoping, the change history, pages to read only."""

from contextlib import contextmanager

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from boroughs.models import Borough, has_stp_limits
from surveys import workflow
from surveys.choices import ReturnState
from surveys.fields import CodeListField


def visible_borough_ids(request) -> frozenset:
    """The boroughs the signed-in user may see, once per request."""
    ids = getattr(request, "_pcmh_visible_boroughs", None)
    if ids is None:
        ids = frozenset(Borough.objects.for_user(request.user).values_list("pk", flat=True))
        request._pcmh_visible_boroughs = ids
    return ids


def is_limited_reviewer(user) -> bool:
    return has_stp_limits(user)


class BoroughScopedAdmin:
    """Lists and object permissions limited to the boroughs the user may see."""

    borough_path = "borough"  # the lookup from the model to its Borough

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.borough_path}__in": Borough.objects.for_user(request.user)})
        )

    def borough_id_of(self, obj):
        return obj.borough_id

    def may_see(self, request, obj) -> bool:
        return obj is None or self.borough_id_of(obj) in visible_borough_ids(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_see(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_see(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_see(request, obj)


class LabelledChangeHelper(HistoricalRecordContextHelper):
    """Show a change's old and new values as people read them: labels, not stored codes."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if value in ("", None):
            return "(blank)"
        field = self.model._meta.get_field(change.field)
        if isinstance(field, CodeListField):
            return ", ".join(field.labels(value))
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return value


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's list of changes (old → new per field), without its revert."""

    def get_historical_record_context_helper(self, request, historical_record):
        return LabelledChangeHelper(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def save_model(self, request, obj, form, change):
        # A page saved as it was given changes nothing: not saved, so no history record of no
        # change (the rows of its inlines are saved only where they changed, as Django does).
        if change and not form.has_changed():
            return
        super().save_model(request, obj, form, change)

    def history_view(self, request, object_id, extra_context=None):
        self._check_ids(object_id)
        with self._hidden_as_missing(request):
            return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POST to this view as a revert, past every check we make on
        # saves: a past version is only ever shown.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        self._check_ids(object_id, version_id)
        with self._hidden_as_missing(request):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_ids(self, object_id, version_id=None):
        """An id that cannot be one ("abc") is a page that does not exist, not a server error."""
        history_pk = self.model.history.model._meta.pk
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                history_pk.to_python(version_id)
        except ValidationError:
            raise Http404("No such record.") from None

    @contextmanager
    def _hidden_as_missing(self, request):
        """A record the user may not see is, to them, one that does not exist: 404, as for a
        missing id, so that ids cannot be probed (403 only where the whole list is closed)."""
        try:
            yield
        except PermissionDenied:
            if self.has_view_or_change_permission(request):
                raise Http404("No such record.") from None
            raise


class ReadOnlyAdmin:
    """Pages to read only: nothing is added, changed or deleted through them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def correcting(request) -> bool:
    """Whether the reviewer chose "Correct an answer" on a return's admin page (`?correct=1`,
    kept by the form's POST to the same address)."""
    return request.GET.get("correct") == "1"


# A return in these states is read on its admin page, changed only by correcting an answer.
REVIEWED_STATES = (ReturnState.SUBMITTED, ReturnState.ACCEPTED)


def changeable(request, scoping_return) -> bool:
    """Whether the workflow lets the steering group change the return (or a return not yet
    chosen) now; the admin's permissions then say which of its members may. A submitted or
    accepted return is shown to read unless the reviewer is correcting an answer."""
    if scoping_return is None:
        return True
    if scoping_return.state in REVIEWED_STATES and not correcting(request):
        return False
    return not workflow.edit_refusal(
        scoping_return, request.user, reviewing=True, correcting=correcting(request)
    )
