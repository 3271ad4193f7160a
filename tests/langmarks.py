"""Find text in a page that is in one language while the element around it says another.

A page's ``<html lang>`` names its language; text in another language must sit in an element whose
``lang`` says so, or screen readers read Chinese with an English voice, fonts and line breaking go
wrong and translation tools translate it twice. ``unmarked_chinese`` walks the parsed page (text and the
human-readable attributes) and returns every run of Han characters whose nearest ``lang`` is not ``zh…``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Han ideographs (with extension A and the compatibility block), CJK punctuation and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# Elements without an end tag: they never enclose text, so they are not pushed on the stack.
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Text that is not the page's: code and data for machines, and what a visitor typed into a form
# (their language, whatever the page's is).
SKIPPED = frozenset({"script", "style", "template", "textarea"})
# Attributes a person reads or hears (alt text, tooltips, labels, hints).
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "aria-placeholder")


@dataclass(frozen=True)
class Finding:
    text: str
    tag: str  # the nearest element, e.g. <td class="name">
    lang: str  # the language that element inherits
    where: str  # "text" or the attribute's name

    def __str__(self) -> str:
        place = "" if self.where == "text" else f" (in its {self.where})"
        return f"{self.text!r} in {self.tag}{place}, whose language is {self.lang!r}"


@dataclass
class _Open:
    tag: str
    described: str
    lang: str


class LangWalker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.findings: list[Finding] = []
        self.texts: list[tuple[str, str]] = []  # every text with its language
        self.skipping = 0

    @property
    def lang(self) -> str:
        return self.stack[-1].lang if self.stack else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        lang = values.get("lang", values.get("xml:lang", self.lang))
        described = describe(tag, values)
        for name in READ_ATTRIBUTES:
            self._check(values.get(name, ""), described, lang, name)
        if tag == "meta" and values.get("name") == "description":
            self._check(values.get("content", ""), described, lang, "content")
        if tag in VOID:
            return
        self.stack.append(_Open(tag, described, lang))
        if tag in SKIPPED:
            self.skipping += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <path … /> in SVG: checked like a start tag, never left open.
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element; a stray end tag (none open) is ignored.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                for closed in self.stack[index:]:
                    if closed.tag in SKIPPED:
                        self.skipping -= 1
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        tag = self.stack[-1].described if self.stack else "(document)"
        if data.strip():
            self.texts.append((data.strip(), self.lang))
        self._check(data, tag, self.lang, "text")

    def _check(self, text: str, tag: str, lang: str, where: str) -> None:
        if lang.lower().startswith("zh"):
            return
        run = CJK.search(text)
        if run:
            self.findings.append(Finding(context(text, run.start()), tag, lang, where))


def describe(tag: str, attrs: dict[str, str]) -> str:
    shown = " ".join(
        f'{name}="{attrs[name]}"' for name in ("id", "class", "href") if attrs.get(name)
    )
    return f"<{tag}{' ' + shown if shown else ''}>"


def context(text: str, start: int) -> str:
    """The text from a little before its first Chinese character, shortened, so the message says
    which string it is."""
    shown = " ".join(text[max(0, start - 20) :].split())
    return shown if len(shown) <= 60 else shown[:59] + "…"


def walk(html: str) -> LangWalker:
    walker = LangWalker()
    walker.feed(html)
    walker.close()
    return walker


def unmarked_chinese(html: str) -> list[Finding]:
    return walk(html).findings


def text_langs(html: str) -> list[tuple[str, str]]:
    """Every text of the page (scripts and styles left out) with its nearest ``lang``."""
    return walk(html).texts
