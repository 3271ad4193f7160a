"""Languages of the site: Chinese (zh_CN) first, English second.

The chosen language is remembered in a cookie; without one, the browser's Accept-Language decides
between the two, and Chinese wins ties and everything else.
"""

from __future__ import annotations

from pathlib import Path

from flask import request

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE) or DEFAULT_LOCALE
