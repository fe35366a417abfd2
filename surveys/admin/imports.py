"""Import and export on the review screens: CSV and XLSX only, checked, previewed, all or nothing.

`describe_import_errors` is also how `load_2017_round` reports a fixture that does not import.
"""

import os
import zipfile
from datetime import datetime
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, BadRequest, ValidationError
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import CacheStorage

from pcmh.security_log import log_event

SPREADSHEET_FORMATS = [base_formats.CSV, base_formats.XLSX]


# An .xlsx is a zip: refuse one that would unpack to far more than the upload limit.
XLSX_MAX_EXPANSION = 20


class SpreadsheetImportForm(ImportForm):
    """The import form, refusing files over the size limit or of another type than .csv/.xlsx."""

    def __init__(self, formats, resources, **kwargs):
        self.format_classes = formats
        super().__init__(formats, resources, **kwargs)
        limit = filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)
        self.fields["import_file"].help_text = f"A .csv or .xlsx file of at most {limit}."

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}: files over {filesizeformat(limit)} "
                "are refused. Split it into smaller files."
            )
        extension = Path(upload.name).suffix.lower()
        if extension not in {".csv", ".xlsx"}:
            raise ValidationError(
                f"“{Path(upload.name).name[:80]}” is not a .csv or .xlsx file: only CSV and "
                "Excel (.xlsx) files can be imported."
            )
        if extension == ".xlsx":
            self._check_xlsx(upload, limit)
        upload.seek(0)
        return upload

    @staticmethod
    def _check_xlsx(upload, limit):
        try:
            with zipfile.ZipFile(upload) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise ValidationError("The file is not a valid Excel (.xlsx) workbook.") from None
        if unpacked > limit * XLSX_MAX_EXPANSION:
            raise ValidationError(
                "The workbook unpacks to more than "
                f"{filesizeformat(limit * XLSX_MAX_EXPANSION)}: it is refused."
            )

    def clean(self):
        data = super().clean()
        upload, chosen = data.get("import_file"), data.get("format")
        if upload and chosen not in (None, ""):
            expected = self.format_classes[int(chosen)]().get_extension()
            extension = Path(upload.name).suffix.lower().lstrip(".")
            if extension != expected:
                self.add_error(
                    "format",
                    f"The file is a .{extension} file: choose the {extension.upper()} format.",
                )
        return data


def describe_import_errors(result, limit: int = 5) -> str:
    """The first problems of an import, as "row 3 (line 4 of the file), training: …"."""
    problems = []
    for row in result.invalid_rows:
        where = f"row {row.number} (line {row.number + 1} of the file)"
        for column, texts in row.error_dict.items():
            column = "" if column == NON_FIELD_ERRORS else f", {column}"
            problems.append(f"{where}{column}: {' '.join(texts)}")
    for number, errors in result.row_errors():
        where = f"row {number} (line {number + 1} of the file)"
        problems.extend(f"{where}: {error.error}" for error in errors)
    problems.extend(str(error.error) for error in result.base_errors)
    shown = "; ".join(problems[:limit])
    more = len(problems) - limit
    return shown + (f"; and {more} more" if more > 0 else "")


PREVIEW_SALT = "surveys.admin.imports.preview"
PREVIEW_MAX_AGE = 24 * 3600  # seconds: the uploaded file is kept a day
PREVIEW_FIELDS = ("import_file_name", "original_file_name", "format", "resource")
PREVIEW_REFUSED = "The preview could not be confirmed: import the file again."


class PreviewedImportForm(ConfirmImportForm):
    """The confirm step: what the preview showed (the file, its format and resource) and when,
    signed by the server, so that a changed hidden field confirms nothing and the "changed since
    the preview" guard (`previewed_at`, read by the resources) cannot be switched off."""

    preview = forms.CharField(widget=forms.HiddenInput())

    @staticmethod
    def sign(initial: dict, previewed_at: datetime) -> str:
        fields = {name: str(initial.get(name) or "") for name in PREVIEW_FIELDS}
        return signing.dumps(
            {**fields, "previewed_at": previewed_at.isoformat()}, salt=PREVIEW_SALT
        )

    def clean(self):
        data = super().clean()
        try:
            signed = signing.loads(
                self.data.get("preview", ""), salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE
            )
        except signing.BadSignature:
            raise ValidationError(PREVIEW_REFUSED) from None
        if any(str(self.data.get(name) or "") != signed[name] for name in PREVIEW_FIELDS):
            raise ValidationError(PREVIEW_REFUSED)
        data["previewed_at"] = datetime.fromisoformat(signed["previewed_at"])
        return data


class SpreadsheetExportForm(SelectableFieldsExportForm):
    """The export form, its field checkboxes without upstream's `resource-id` attribute: not
    valid HTML, and read by no script (templates/admin/import_export/export.html)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("resource-id", None)


class SpreadsheetImportExportMixin(ImportExportMixin):
    """django-import-export limited to CSV and XLSX, one transaction, all or nothing."""

    import_formats = SPREADSHEET_FORMATS
    export_formats = SPREADSHEET_FORMATS
    import_form_class = SpreadsheetImportForm
    confirm_form_class = PreviewedImportForm
    export_form_class = SpreadsheetExportForm
    import_error_display = ("message",)

    def process_import(self, request, **kwargs):
        name = os.path.basename(request.POST.get("import_file_name", ""))
        if self.has_import_permission(request) and name and not self._waiting(name):
            # Already imported by a first click, or swept after a day: nothing is imported.
            return self._back_to_import(
                request,
                "Nothing was imported: the uploaded file is no longer available (it was imported "
                "already, or its preview is more than a day old). Upload the file again.",
            )
        if request.method == "POST" and self.has_import_permission(request):
            confirm_form = self.create_confirm_form(request)
            if not confirm_form.is_valid():
                return self._back_to_import(request, f"Nothing was imported. {PREVIEW_REFUSED}")
        return super().process_import(request, **kwargs)

    def _back_to_import(self, request, message: str):
        self.message_user(request, message, messages.ERROR)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))

    def _waiting(self, name: str) -> bool:
        """Whether the upload of a preview is still where the confirmation will read it."""
        storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
        if isinstance(storage, CacheStorage):
            return cache.get(storage.CACHE_PREFIX + name) is not None
        return os.path.exists(storage.get_full_path())

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        return {**initial, "preview": PreviewedImportForm.sign(initial, timezone.now())}

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        # A row that fails validation at the confirm step (the data changed since the preview)
        # rolls back the whole file, not just that row.
        kwargs["rollback_on_validation_errors"] = True
        if isinstance(form, PreviewedImportForm):
            kwargs["previewed_at"] = form.cleaned_data["previewed_at"]
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            log_event(
                "import_refused",
                request,
                model=self.model._meta.label_lower,
                invalid_rows=len(result.invalid_rows),
                row_errors=len(result.row_errors()),
            )
            return self._back_to_import(
                request, f"Nothing was imported: {describe_import_errors(result)}."
            )
        totals = result.totals
        log_event(
            "import",
            request,
            model=self.model._meta.label_lower,
            new=totals.get("new", 0),
            updated=totals.get("update", 0),
            skipped=totals.get("skip", 0),
        )
        return super().process_result(result, request)

    def get_export_queryset(self, request):
        # The export page applies the list's filters from its address; one the list does not
        # have is a bad request (the list itself drops it, with its "?e=1" warning).
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters:
            raise BadRequest("A filter the list does not have.") from None

    def get_export_data(self, file_format, request, queryset, **kwargs):
        log_event(
            "export",
            request,
            model=self.model._meta.label_lower,
            rows=queryset.count(),
            format=file_format.get_title(),
        )
        return super().get_export_data(file_format, request, queryset, **kwargs)
