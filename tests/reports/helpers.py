"""Reading report responses in tests."""

import csv
import io
import re
from html.parser import HTMLParser

from django.urls import reverse


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8"))))


class Page(HTMLParser):
    """The parts of a page the tests look at: tables, links, headings, attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self.h1: list[str] = []
        self.title = ""
        self.style_attributes = 0
        self.svgs: list[dict] = []
        self._stack: list[str] = []
        self._text: list[str] | None = None
        self._link: str | None = None
        self._link_text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.style_attributes += 1
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "th_without_scope": 0})
        elif tag == "caption":
            self._text = []
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []
            if tag == "th" and "scope" not in attrs:
                self.tables[-1]["th_without_scope"] += 1
        elif tag in {"h1", "title"}:
            self._text = []
        elif tag == "a" and "href" in attrs:
            self._link, self._link_text = attrs["href"], []
        elif tag == "svg":
            self.svgs.append(attrs)
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "caption" and self._text is not None:
            self.tables[-1]["caption"] = "".join(self._text).strip()
            self._text = None
        elif tag in {"td", "th"} and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None
        elif tag == "h1" and self._text is not None:
            self.h1.append(re.sub(r"\s+", " ", "".join(self._text)).strip())
            self._text = None
        elif tag == "title" and self._text is not None:
            self.title = self.title or "".join(self._text).strip()
            self._text = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link, "".join(self._link_text).strip()))
            self._link = None

    def handle_data(self, data):
        for part in (self._text, self._cell, self._link_text if self._link else None):
            if part is not None:
                part.append(data)

    def table(self, caption_start: str) -> dict:
        return next(t for t in self.tables if t["caption"].startswith(caption_start))


def label_of(cell: str) -> str:
    """An STP table cell's classification, without the words shown under it ("In the return's
    words: …") or a footnote mark."""
    return cell.split(" In the return's words:")[0].split("*")[0].strip()


def page(response) -> Page:
    return Page(body(response).decode("utf-8"))


PAGES = ["summary", "stp_tables", "map", "boroughs", "report"]
DOWNLOADS = ["tables_csv", "data_dictionary", "returns_xlsx", "summary_json"]


def urls(slug):
    """Every page and download of a round."""
    return [
        *(reverse(f"reports:{name}", args=[slug]) for name in PAGES + DOWNLOADS),
        reverse("reports:stp_table", args=[slug, "north-central-london"]),
        reverse("reports:borough", args=[slug, "camden"]),
        *(reverse("reports:data_csv", args=[slug, name]) for name in ("returns", "contacts")),
    ]
