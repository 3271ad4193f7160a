"""Every showcase page can be reached by following links from the home page, in both languages."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

HREF = re.compile(r'href="([^"]+)"')
# One page of each kind the showcase offers (a pattern, since records are reached through lists).
REQUIRED = {
    "GI products": r"^/products$",
    "a GI product": r"^/products/[a-z0-9-]+$",
    "brands": r"^/brands$",
    "a brand": r"^/brands/[a-z0-9-]+$",
    "producers": r"^/producers$",
    "a producer": r"^/producers/[a-z0-9-]+$",
    "regions and the map": r"^/regions$",
    "a region": r"^/regions/\d{6}$",
    "statistics": r"^/stats$",
    "GI-mark verification": r"^/verify$",
    "how to report misuse": r"^/verify/report$",
    "stories": r"^/stories$",
    "a story": r"^/stories/[a-z0-9-]+$",
    "events": r"^/events$",
    "an event": r"^/events/[a-z0-9-]+$",
    "guidance stations": r"^/stations$",
    "a guidance station": r"^/stations/[a-z0-9-]+$",
    "a guidance request form": r"^/stations/[a-z0-9-]+/ask$",
    "open data": r"^/data/$",
    "the API description": r"^/api/v1/openapi\.json$",
}


def internal_links(html: str) -> set[str]:
    links = set()
    for href in HREF.findall(html):
        url = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/static/", "/media/", "/lang/")):
            continue
        if parts.path.endswith((".zip", ".json", ".atom", ".xml", ".csv")):
            links.add(parts.path)  # a download or a feed: reached, not read
            continue
        links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def crawl(client, depth: int) -> set[str]:
    """Paths reachable from / within ``depth`` clicks (pages without a query string are expanded)."""
    seen, queue = {"/"}, deque([("/", 0)])
    while queue:
        path, level = queue.popleft()
        if level == depth:
            continue
        response = client.get(path)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        if response.status_code != 200 or not html:
            continue
        for link in internal_links(html) - seen:
            seen.add(link)
            if "?" not in link:
                queue.append((link, level + 1))
    return {urlsplit(p).path for p in seen}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_kind_of_page_is_reachable_from_the_home_page(client, language):
    client.set_cookie("lang", language)
    reached = crawl(client, depth=3)
    missing = [
        name
        for name, pattern in REQUIRED.items()
        if not any(re.match(pattern, path) for path in reached)
    ]
    assert not missing, f"not reachable from / in {language}: {missing}"
    html_lang = {"zh_CN": "zh-CN", "en": "en"}[language]
    assert f'<html lang="{html_lang}"' in client.get("/").get_data(as_text=True)
