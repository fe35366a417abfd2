"""A page's error summary as a person and a screen reader meet it: its items, links and targets."""

from html.parser import HTMLParser


class ErrorSummary(HTMLParser):
    """A page's element ids, its title, and the items and links of its error summary."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.title = ""
        self.found = False
        self.focusable = False
        self.items: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._depth = 0  # open <div>s inside the summary, 0 when outside it
        self._in_title = False
        self._href: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "title":
            self._in_title = True
        if tag == "div" and self._depth:
            self._depth += 1
        elif tag == "div" and "govuk-error-summary" in attrs.get("class", "").split():
            self.found, self._depth = True, 1
            # GOV.UK Frontend's error summary module moves focus to it when the page loads.
            self.focusable = attrs.get("data-module") == "govuk-error-summary"
        elif self._depth and tag == "li":
            self.items.append("")
        elif self._depth and tag == "a":
            self._href, self._text = attrs.get("href", ""), []

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "div" and self._depth:
            self._depth -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._depth and self.items:
            self.items[-1] += data
        if self._href is not None:
            self._text.append(data)

    @property
    def messages(self) -> list[str]:
        return [" ".join(item.split()) for item in self.items]

    def broken_links(self) -> list[str]:
        """Summary links whose target is not an element of this page."""
        return [
            href for href, _ in self.links if not href.startswith("#") or href[1:] not in self.ids
        ]
