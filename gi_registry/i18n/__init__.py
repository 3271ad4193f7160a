"""Languages of the site: Chinese (zh_CN) first, English second (docs/i18n.md).

A page has one URL in both languages. The language is the visitor's explicit choice, remembered in
the ``lang`` cookie set by ``/lang/<code>``; without one the page is Chinese, whatever the browser's
Accept-Language says, so that a page without the cookie is the same for everyone (caches, crawlers,
a link shared in WeChat). HTML pages therefore vary by ``Cookie`` only.

The JSON API answers in Chinese: its messages are part of a contract that clients compare.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, request

TRANSLATIONS_DIR = Path(__file__).parent.parent / "translations"
DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
LANGUAGE_COOKIE = "lang"
# What each language is called in itself (the switch shows it so), and its BCP 47 tag for lang=.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if request.path.startswith("/api/"):
        return DEFAULT_LOCALE
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    from gi_registry.i18n import content

    content.init_templates(app)

    @app.after_request
    def vary_by_language(response: Response) -> Response:
        # A cache must not hand one visitor's English page to another who chose nothing.
        if response.mimetype == "text/html":
            response.vary.add("Cookie")
        return response


from gi_registry.i18n import views  # noqa: E402, F401  (routes on bp)
