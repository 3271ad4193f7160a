"""Every staff page, opened with real arguments, in Chinese and in English: the checks no single
feature's tests make for all of them.

The pages are enumerated from the URL map, with the arguments of tests/test_staff.py's ARGUMENTS
(on its World: the sample registry plus a pending organisation, listings, a batch, a guidance
request and a misuse report), so a page added later is covered without touching this file. Each
answer must be 200, have a title of its own and the staff navigation, leak no template or Python
residue ("None", "undefined", ``{{``, ``%(``), carry a CSRF token in every POST form, and in English
mark every Chinese text as Chinese. One app for the module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from tests.conftest import _app_from
from tests.factories import make_user
from tests.langmarks import text_langs, unmarked_chinese
from tests.test_staff import ADMIN_ONLY, ARGUMENTS, World, build_world, post, staff_rules

LANGS = ("zh_CN", "en")
# Residue of a template or a format string that reached the page.
LEAKS = re.compile(r"\bNone\b|\bundefined\b|\{\{|\}\}|\{%|%\(|\)s\b")
# A field or variable name shown as text ("product_text"), not part of a path, address or slug.
RAW_NAME = re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z]+)+(?![\w./@-])")


@pytest.fixture(scope="module")
def world(sample_template, databases, tmp_path_factory) -> Iterator[World]:
    apps = _app_from(sample_template, databases, tmp_path_factory.mktemp("staff-pages"))
    app = next(apps)
    world = build_world(app)
    with app.app_context():
        world.admin_id = make_user("admin@example.org", role="admin").id
    # Something in every list: an answered request, so record text shows on its pages too.
    staff = world.client(world.staff_id)
    url = f"/staff/guidance/{world.code}"
    post(staff, f"{url}/answer", {"answer": "请带营业执照来站。"}, form_url=url)
    yield world
    next(apps, None)  # drop the database


def get_pages(world: World) -> list[tuple[str, str]]:
    """(endpoint, url) of every staff GET page with each of its argument sets. A route with
    arguments that ARGUMENTS does not list fails here, naming it."""
    pages, missing = [], []
    with world.app.test_request_context():
        adapter = world.app.url_map.bind("localhost")
        for rule in staff_rules(world.app):
            if "GET" not in rule.methods:
                continue
            arguments = ARGUMENTS.get(rule.endpoint)
            if arguments is None:
                if rule.arguments:
                    missing.append(rule.endpoint)
                    continue
                arguments = lambda w: [{}]  # noqa: E731
            for values in arguments(world):
                pages.append((rule.endpoint, adapter.build(rule.endpoint, values)))
    assert not missing, f"add these routes to ARGUMENTS in tests/test_staff.py: {missing}"
    return pages


class Forms(HTMLParser):
    """The page's forms: (method, action, has a csrf_token field) for each. A form with a prefix
    names it "<prefix>-csrf_token", which Flask-WTF accepts as well."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            method = (values.get("method") or "get").lower()
            self.forms.append([method, values.get("action") or "", False])
        elif tag == "input" and (values.get("name") or "").endswith("csrf_token") and self.forms:
            self.forms[-1][2] = True


def forms_without_token(html: str) -> list[str]:
    parser = Forms()
    parser.feed(html)
    return [
        f"form action={action!r}"
        for method, action, token in parser.forms
        if method == "post" and not token
    ]


def leaks(html: str) -> list[str]:
    found = [
        text for text, _lang in text_langs(html) if LEAKS.search(text) or RAW_NAME.search(text)
    ]
    found += re.findall(
        r'(?:value|content|title|alt|placeholder|aria-label)="(?:None|undefined)"', html
    )
    return found


def page_problems(url: str, html: str, lang: str) -> list[str]:
    problems = []
    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.S)
    if not title or " · " not in title.group(1):
        problems.append("no title of its own")
    if 'class="staff-nav' not in html:
        problems.append("no staff navigation")
    expected = '<html lang="en"' if lang == "en" else '<html lang="zh'
    if expected not in html:
        problems.append(f"not in {lang}")
    problems += [f"leaked {text!r}" for text in leaks(html)]
    problems += [f"{form} has no csrf_token" for form in forms_without_token(html)]
    if lang == "en":
        problems += [f"unmarked Chinese: {finding}" for finding in unmarked_chinese(html)]
    return [f"{lang} {url}: {problem}" for problem in problems]


def test_every_staff_page_opens_whole_in_both_languages(world):
    staff, admin = world.client(world.staff_id), world.client(world.admin_id)
    pages = get_pages(world)
    problems, checked = [], 0
    for lang in LANGS:
        for client in (staff, admin):
            client.set_cookie("lang", lang)
        for endpoint, url in pages:
            if endpoint in ADMIN_ONLY:
                assert staff.get(url).status_code == 403, url
                answer = admin.get(url)
            else:
                answer = staff.get(url)
            assert answer.status_code == 200, f"{lang} {url}: {answer.status_code}" + (
                " (admin only? add it to ADMIN_ONLY in tests/test_staff.py)"
                if answer.status_code == 403
                else ""
            )
            if answer.mimetype != "text/html":  # labels, a label sheet, an evidence photo
                continue
            checked += 1
            problems += page_problems(url, answer.text, lang)
    assert checked >= 2 * 25
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_a_route_missing_from_the_table_fails(world, monkeypatch):
    """The enumeration names a new route with arguments that nobody gave arguments for."""
    monkeypatch.delitem(ARGUMENTS, "staff.product_edit")
    with pytest.raises(AssertionError, match=r"staff\.product_edit"):
        get_pages(world)


def test_the_checks_find_what_they_look_for():
    bad = (
        '<html lang="en"><head><title>x</title></head><body><p>None</p><p>{{ name }}</p>'
        '<form method="post" action="/a"><input name="q"></form><p>待办</p>'
        "<p>contact_phone、/read/m_jingji/1</p></body></html>"
    )
    found = "\n".join(page_problems("/x", bad, "en"))
    for expected in ("title", "staff navigation", "'None'", "{{ name }}", "csrf_token", "待办"):
        assert expected in found, expected
    assert "contact_phone" in found
    assert not RAW_NAME.search("/board/read/m_jingji/393037 a_b@example.org")
