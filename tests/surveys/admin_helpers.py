"""Driving the admin through the test client as a person would: forms, actions, import, export."""

import csv
import io

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys import workflow
from tests.factories import complete_return

FORMAT_INDEX = {"csv": "0", "xlsx": "1"}  # the admin's import and export formats, in order


def admin_url(name, *args):
    return reverse(f"admin:surveys_{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def submitted_return(borough, lead, **kwargs):
    scoping_return = complete_return(borough=borough, **kwargs)
    return workflow.submit(scoping_return=scoping_return, by=lead, notify=False)


def run_action(client, action, returns, **extra):
    """Choose an action for the selected returns on the change list and press Go."""
    data = {
        "action": action,
        ACTION_CHECKBOX_NAME: [str(r.pk) for r in returns],
        "index": "0",
        **extra,
    }
    return client.post(admin_url("scopingreturn_changelist"), data)


def confirm_action(client, action, returns, *, follow=False, **fields):
    """Submit an action's intermediate page (its form posts back to the change list)."""
    data = {
        "action": action,
        ACTION_CHECKBOX_NAME: [str(r.pk) for r in returns],
        "apply": "1",
        **fields,
    }
    return client.post(admin_url("scopingreturn_changelist"), data, follow=follow)


def change_form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def export(client, model_name, resource_class, file_format="csv", query=""):
    """Open the export page from the change list (keeping its filters) and export every column."""
    url = admin_url(f"{model_name}_export") + query
    prefix = resource_class.__name__.lower()
    data = {"format": FORMAT_INDEX[file_format], "resource": "0"}
    data.update({f"{prefix}_{name}": "on" for name in resource_class().get_export_order()})
    return client.post(url, data)


def upload(client, model_name, content, file_name, file_format="csv"):
    """The import form's first step: upload a file and see the dry-run preview."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(
        admin_url(f"{model_name}_import"),
        {
            "resource": "0",
            "format": FORMAT_INDEX[file_format],
            "import_file": SimpleUploadedFile(file_name, content),
        },
    )


def confirm_import(client, model_name, preview):
    """The import's second step: confirm the previewed file."""
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(admin_url(f"{model_name}_process_import"), data)


def rows_of(csv_text):
    """The rows of an exported CSV file, as dicts by column."""
    return list(csv.DictReader(io.StringIO(csv_text)))


def csv_of(rows):
    """A CSV file of `rows` (dicts by column), to upload."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
