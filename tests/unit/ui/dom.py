"""A small HTML reader for page assertions: every element in document order with its attributes,
its text (descendants' included, whitespace collapsed) and its ancestors; used by the unit tests
on rendered pages and by the browser tests on Chromium's DOM dump."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Elements without a closing tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Element:
    """One element of a page."""

    tag: str
    attrs: dict[str, str]
    index: int
    ancestors: tuple[int, ...]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed."""
        return " ".join("".join(self.parts).split())

    @property
    def classes(self) -> set[str]:
        """The ``class`` attribute's names."""
        return set(self.attrs.get("class", "").split())


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(
            tag,
            {name: value or "" for name, value in attrs},
            len(self.elements),
            tuple(e.index for e in self.open),
        )
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self.open) - 1, -1, -1):
            if self.open[position].tag == tag:
                del self.open[position:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.parts.append(data)


class Page:
    """A parsed page: find elements by tag, class and attribute."""

    def __init__(self, html: str) -> None:
        reader = _Reader()
        reader.feed(html)
        reader.close()
        self.elements = reader.elements

    def select(
        self,
        tag: str | None = None,
        *,
        cls: str | None = None,
        attr: str | None = None,
        value: str | None = None,
        within: Element | None = None,
    ) -> list[Element]:
        """Elements (in document order) of ``tag`` with class ``cls``, having attribute ``attr``
        (equal to ``value`` when given), inside ``within`` when given."""
        found = []
        for element in self.elements:
            if tag is not None and element.tag != tag:
                continue
            if cls is not None and cls not in element.classes:
                continue
            if attr is not None and (
                attr not in element.attrs or (value is not None and element.attrs[attr] != value)
            ):
                continue
            if within is not None and within.index not in element.ancestors:
                continue
            found.append(element)
        return found

    def one(self, tag: str | None = None, **criteria: str | Element | None) -> Element:
        """The single element matching (see ``select``)."""
        found = self.select(tag, **criteria)  # type: ignore[arg-type]
        assert len(found) == 1, f"{len(found)} elements match {tag} {criteria}"
        return found[0]
