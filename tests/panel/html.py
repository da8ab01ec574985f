"""A tiny HTML reader for the panel tests: text of an element by id, table rows, links."""
from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []

    def text(self) -> str:
        parts = []
        for c in self.children:
            parts.append(c.text() if isinstance(c, _Node) else c)
        return " ".join(" ".join(parts).split())

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, _Node):
                yield from c.iter()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = _Node("#root", [])

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(_Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.children.append(data)


class Page:
    """A parsed page."""

    def __init__(self, html: str | bytes):
        builder = _Builder()
        builder.feed(html.decode() if isinstance(html, bytes) else html)
        self.root = builder.root

    def find(self, id: str):
        return next((n for n in self.root.iter() if n.attrs.get("id") == id), None)

    def text(self, id: str | None = None) -> str:
        """Whitespace-normalised text of the element with this id ('' if absent), or of the page."""
        node = self.root if id is None else self.find(id)
        return node.text() if node is not None else ""

    def rows(self, table_id: str) -> list[list[str]]:
        """Cell texts of each body row of a table."""
        table = self.find(table_id)
        if table is None:
            return []
        body = next((n for n in table.iter() if n.tag == "tbody"), table)
        return [[td.text() for td in tr.children if isinstance(td, _Node) and td.tag in ("td", "th")]
                for tr in body.iter() if tr.tag == "tr"]

    def attr(self, id: str, name: str) -> str | None:
        node = self.find(id)
        return node.attrs.get(name) if node is not None else None

    def all(self, tag: str, **attrs) -> list:
        return [n for n in self.root.iter()
                if n.tag == tag and all(n.attrs.get(k) == v for k, v in attrs.items())]

    def hrefs(self) -> list[str]:
        return [n.attrs["href"] for n in self.root.iter() if n.tag == "a" and n.attrs.get("href")]
