"""What a browser would submit from a rendered page: read from the HTML, never from the form."""

from html.parser import HTMLParser

from django.http import QueryDict

_TEXT_INPUTS = {"", "text", "hidden", "email", "number", "tel", "url", "search", "password", "date"}


class _Forms(HTMLParser):
    """Each <form> of a page: its action, its method and its successful controls, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "id": attrs.get("id") or "",
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "controls": [],  # (name, value), as the browser would send them
                "buttons": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        disabled = "disabled" in attrs
        if tag == "input" and name and not disabled:
            kind = (attrs.get("type") or "").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["controls"].append((name, attrs.get("value", "on")))
            elif kind in ("submit", "image", "button", "reset"):
                self._form["buttons"].append((name, attrs.get("value", "")))
            elif kind in _TEXT_INPUTS:
                self._form["controls"].append((name, attrs.get("value", "")))
        elif tag == "button" and name and not disabled:
            if (attrs.get("type") or "submit").lower() == "submit":
                self._form["buttons"].append((name, attrs.get("value", "")))
        elif tag == "select" and name and not disabled:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            selected = "selected" in attrs
            self._option = {"value": attrs.get("value"), "selected": selected, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name and not disabled:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]  # a single select with nothing selected sends its first option
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self._form["controls"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            # The HTML parser keeps the newline that a browser drops after <textarea>.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            # A browser submits a textarea's line breaks as CRLF.
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
            self._form["controls"].append((self._textarea["name"], text))
            self._textarea = None


def page_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_data(
    html: str, *, button: str | None = None, form_with: str = "version", form_id: str = ""
) -> QueryDict:
    """The data a browser would post from the page's form with the id `form_id`, or else the
    first that has a control named `form_with`, pressing the submit button named `button` (none
    pressed if None)."""
    forms = [
        f
        for f in page_forms(html)
        if (f["id"] == form_id if form_id else any(n == form_with for n, _ in f["controls"]))
    ]
    assert forms, f"no form {form_id or form_with!r} on the page"
    form = forms[0]
    data = QueryDict(mutable=True)
    for name, value in form["controls"]:
        data.appendlist(name, value)
    if button is not None:
        pressed = [(n, v) for n, v in form["buttons"] if n == button]
        assert pressed, f"no submit button named {button!r} in the form"
        data.appendlist(*pressed[0])
    return data


def response_form_data(response, **kwargs) -> QueryDict:
    return form_data(response.content.decode(), **kwargs)


def as_post(data: QueryDict) -> dict:
    """For the test client, which sends only a QueryDict's last value of each name."""
    return dict(data.lists())
