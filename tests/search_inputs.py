"""Queries shared by the search page and search API tests: what must be found, and hostile input."""

from __future__ import annotations

# (query, kind, slug): the record must be among the first three results, on the page and in the API.
TOP3 = [
    ("梅河", "product", "meihe-dami"),
    ("mhdm", "product", "meihe-dami"),
    ("meihedami", "product", "meihe-dami"),
    ("Meihe rice", "product", "meihe-dami"),
    ("長白山人參", "product", "jilin-changbaishan-renshen"),  # traditional characters
    ("长白山人生", "product", "jilin-changbaishan-renshen"),  # an input-method slip: 生 for 参
    ("延边", "product", "yanbian-huangniurou"),
    ("吉致吉品", "brand", "jizhi-jipin"),
]

# Raw query strings (already URL-encoded where it matters): Whoosh syntax, sizes, bytes and scripts
# that must never reach a parser or a database as anything but text.
HOSTILE_QUERIES = [
    "q=title:x",
    "q=a+AND+OR",
    "q=*",
    "q=%3F",
    "q=~2",
    "q=%5Ba+TO+b%5D",
    "q=%22unbalanced",
    "q=(((",
    "q=" + "x" * 10_000,
    "q=" + "梅" * 10_000,
    "q=%00",
    "q=%E6%A2%85%00%E6%B2%B3",  # 梅 NUL 河
    "q=%01%02%1b%5B31m%7f%C2%85",  # control characters, an ANSI escape, NEL
    "q=%F0%9F%8D%9A%F0%9F%8C%BE",  # 🍚🌾
    "q=%E6%A2%85%E6%B2%B3rice%E3%82%86%ED%95%9C%CE%A9%C3%9F%D9%85",  # 梅河riceゆ한Ωßم
    "q=%E2%80%8B%E6%A2%85%E6%B2%B3%E2%80%8B",  # zero-width spaces around 梅河
    "q=%ff%fe%ed%a0%80",  # not UTF-8 at all
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "q=%EF%A8%8E",  # 﨎: a Han character that pypinyin cannot read (empty pinyin once crashed)
    "q=%E4%B6%BF%E4%B6%BE",  # 䶿䶾: the same, from Extension A
    "q=a&q=b&q=c",
    "q=%E6%A2%85%E6%B2%B3&page=-1",
    "q=%E6%A2%85%E6%B2%B3&page=0",
    "q=%E6%A2%85%E6%B2%B3&page=" + "9" * 30,
    "q=%E6%A2%85%E6%B2%B3&page=abc",
    "q=%E6%A2%85%E6%B2%B3&page=1e3",
    "q=%E6%A2%85%E6%B2%B3&page=%EF%BC%92",  # full-width 2
    "q=%E6%A2%85%E6%B2%B3&per_page=0",
    "q=%E6%A2%85%E6%B2%B3&per_page=51",
    "q=%E6%A2%85%E6%B2%B3&per_page=abc",
    "q=%E6%A2%85%E6%B2%B3&kind=zz",
    "q=%E6%A2%85%E6%B2%B3&kind=Product",
    "q=%E6%A2%85%E6%B2%B3&kind=story",
    "q=%E6%A2%85%E6%B2%B3&region=229999",
    "q=%E6%A2%85%E6%B2%B3&region=22",
    "q=%E6%A2%85%E6%B2%B3&region=%EF%BC%92%EF%BC%92%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90",
    "q=%E6%A2%85%E6%B2%B3&region=220000%0A",
    "q=%E6%A2%85%E6%B2%B3&category=nope",
    "q=%E6%A2%85%E6%B2%B3&category=GRAIN",
    "q=%E6%A2%85%E6%B2%B3&category=%00",
    "q=%E6%A2%85%E6%B2%B3&protection=xyz",
    "q=%E6%A2%85%E6%B2%B3&protection=" + "p" * 5000,
]

# The parameter each hostile query string gets wrong, where the strict API must answer 400.
BAD_FIELD = {
    "page=": "page",
    "per_page=": "per_page",
    "kind=": "kind",
    "region=": "region",
    "category=": "category",
    "protection=": "protection",
}


def bad_field(query: str) -> str | None:
    """The parameter that is not a plain q in this query string (the last one given)."""
    found = None
    for part in query.split("&"):
        for prefix, field in BAD_FIELD.items():
            if part.startswith(prefix):
                found = field
    return found
