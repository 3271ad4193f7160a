"""Content in the chosen language: English names and texts where a record has them, Chinese otherwise.

Templates use the filters registered here:

- ``record|name``: ``name_en`` on an English page when set, else ``name_zh`` (or ``name``); a region's
  English name is its romanised form (``romanised_region``), where one can be made safely.
- ``record|localized('summary')``: the same rule for any field pair ``summary`` / ``summary_en``
  (``title``/``title_en``, ``body``/``body_en``, ``place``/``place_en`` …).
- ``region|full_name``: 吉林省通化市梅河口市, or "Meihekou City, Tonghua City, Jilin Province".
- ``value|day``: a date (or a UTC timestamp, shown as the registry's day) in the page's language.
- ``value|listed_day``: a date as lists show it: 2026-11-29 on a Chinese page, Nov 29, 2026 in English.
- ``text|own_lang`` and ``text|lang_attr``: record text that stays Chinese on an English page marked as
  Chinese, wrapped in ``<span lang="zh-CN">`` or as `` lang="zh-CN"`` for the element that holds it
  (an attribute value, an ``<option>``). Screen readers, fonts, line breaking and translation tools
  follow the mark.

``vocab`` in templates is ``TranslatedVocab``: the same dictionaries with their Chinese labels passed
through gettext, so ``vocab.PROTECTION_KINDS[kind]`` is English on an English page. vocab.py itself stays
a leaf without web code; its labels reach the catalogue through ``i18n.extract``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import Flask, request
from flask_babel import format_date, get_locale, gettext
from markupsafe import Markup, escape
from pypinyin import Style, lazy_pinyin

from gi_registry import vocab
from gi_registry.i18n import DEFAULT_LOCALE, HTML_LANG, LANGUAGE_NAMES, LOCALES
from gi_registry.localtime import local_date
from gi_registry.models import Region
from gi_registry.placenames import short_region_name


def current_locale() -> str:
    """``zh_CN`` or ``en``. (Babel spells zh_CN as zh_Hans_CN once parsed, hence the language test.)"""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else DEFAULT_LOCALE


def is_english() -> bool:
    return current_locale() == "en"


def localized(record: Any, field: str) -> Any:
    """``field_en`` of ``record`` on an English page when it is set, else the Chinese field
    (``field_zh`` where the model names it so, else ``field``)."""
    if record is None:
        return ""
    if is_english():
        english = getattr(record, f"{field}_en", None)
        if english:
            return english
    chinese = f"{field}_zh"
    return getattr(record, chinese if hasattr(record, chinese) else field)


def display_name(record: Any) -> str:
    if isinstance(record, Region):
        return region_name(record)
    return localized(record, "name")


def region_name(region: Region) -> str:
    if is_english():
        return romanised_region(region.name) or region.name
    return region.name


def region_short_name(region: Region) -> str:
    """通化 for 通化市, Tonghua on an English page: for charts and maps, where the kind is implied."""
    short = short_region_name(region.name)
    if is_english() and romanised_region(region.name):
        return _pinyin(short)
    return short


def region_full_name(region: Region) -> str:
    if not is_english():
        return region.full_name
    names = [region_name(r) for r in reversed(region.lineage()) if r.name != "市辖区"]
    return ", ".join(names)


# --- Romanised division names (GB/T 16159 pinyin, as the State Council's English names use them)

# pypinyin reads these place names with the wrong syllable out of context.
PLACE_READINGS = {
    "长白": "Changbai",
    "长岭": "Changling",
    "朝阳": "Chaoyang",
    "珲春": "Hunchun",
    "前郭尔罗斯": "Qian Gorlos",  # the Mongolian name, as the county itself writes it
}
# Peoples of autonomous divisions, as their official English names give them. A division of a
# people not listed keeps its Chinese name rather than an English name with the people left out.
PEOPLES = {
    "朝鲜族": "Korean",
    "满族": "Manchu",
    "蒙古族": "Mongol",
    "回族": "Hui",
    "藏族": "Tibetan",
    "维吾尔": "Uygur",
    "壮族": "Zhuang",
    "苗族": "Miao",
    "彝族": "Yi",
    "土家族": "Tujia",
    "侗族": "Dong",
    "瑶族": "Yao",
}
AUTONOMOUS = re.compile(r"(?P<people>.+?)自治(?P<kind>州|县|旗|区)$")
AUTONOMOUS_KINDS = {"州": "Prefecture", "县": "County", "旗": "Banner", "区": "Region"}
SUFFIXES = (
    ("省", "Province"),
    ("市", "City"),
    ("县", "County"),
    ("区", "District"),
    ("旗", "Banner"),
)
# 开发区, 新区, 示范区 …: names that are descriptions, not places; no made-up English for them.
DESCRIPTIVE = re.compile(r"(开发|新|示范|试验|管理|工业|食品|经济|产业)区$")
# A syllable starting with a, o or e after another gets an apostrophe (集安 Ji'an, 乾安 Qian'an).
VOWEL_START = re.compile(r"^[aoe]")


@lru_cache(maxsize=4096)
def romanised_region(name: str) -> str | None:
    """延边朝鲜族自治州 → "Yanbian Korean Autonomous Prefecture", 梅河口市 → "Meihekou City";
    None where no safe English form exists (development zones, peoples not listed)."""
    if DESCRIPTIVE.search(name) or name == "市辖区":
        return None
    short = short_region_name(name)
    autonomous = AUTONOMOUS.search(name)
    if autonomous:
        people = (
            autonomous["people"][len(short) :] if autonomous["people"].startswith(short) else ""
        )
        english_people = PEOPLES.get(people) if people else None
        if people and not english_people:
            return None
        kind = AUTONOMOUS_KINDS[autonomous["kind"]]
        return " ".join(
            part for part in (_pinyin(short), english_people, "Autonomous", kind) if part
        )
    suffix = next((english for chinese, english in SUFFIXES if name.endswith(chinese)), "")
    if short == name:  # a two-character name such as 泾县 keeps its suffix as part of the name
        suffix = ""
    return f"{_pinyin(short)} {suffix}".strip()


def _pinyin(name: str) -> str:
    if name in PLACE_READINGS:
        return PLACE_READINGS[name]
    syllables = lazy_pinyin(name, style=Style.NORMAL, v_to_u=True)
    word = syllables[0] + "".join(("'" + s) if VOWEL_START.match(s) else s for s in syllables[1:])
    return word[:1].upper() + word[1:]


# --- Vocabulary labels


class TranslatedVocab:
    """``gi_registry.vocab`` for templates: every label dictionary through gettext, built once per
    language and dictionary (labels are fixed for the life of the process)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], dict[str, str]] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(vocab, name)
        if not isinstance(value, dict):
            return value
        key = (current_locale(), name)
        labels = self._cache.get(key)
        if labels is None:
            labels = self._cache[key] = {code: gettext(label) for code, label in value.items()}
        return labels


translated_vocab = TranslatedVocab()


def label(table: str, code: str) -> str:
    """A vocabulary label in the page's language: ``label("PROTECTION_KINDS", "agri_gi")``."""
    return getattr(translated_vocab, table).get(code, code)


# --- Dates


def day(value: date | datetime | None) -> str:
    """A date as the page's language writes it: 2026年11月29日, Nov 29, 2026. A timestamp (stored in
    UTC) is shown as the registry's day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value)
    return format_date(value, "medium")


def listed_day(value: date | datetime | None) -> str:
    """A date in a list or a table: ISO on a Chinese page (as the register prints dates), the
    locale's medium form on an English one (Nov 29, 2026), never 年月日 in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value)
    return day(value) if is_english() else value.isoformat()


# --- Marking the language of record text

# Han ideographs: the test of "this text is Chinese" for record text, which is either Chinese or
# English (no record field mixes the two; the sample's English fields hold no Han character).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHINESE_TAG = HTML_LANG[DEFAULT_LOCALE]


def needs_chinese_mark(value: Any) -> bool:
    return bool(value) and is_english() and HAN.search(str(value)) is not None


def lang_attr(value: Any) -> Markup:
    """`` lang="zh-CN"`` for the element holding ``value`` when that is Chinese on an English page."""
    return Markup(f' lang="{CHINESE_TAG}"') if needs_chinese_mark(value) else Markup("")


def own_lang(value: Any) -> Markup:
    """``value`` escaped, in a ``<span lang="zh-CN">`` when it is Chinese on an English page."""
    if value is None:
        return Markup("")
    if needs_chinese_mark(value):
        return Markup('<span lang="%s">%s</span>') % (CHINESE_TAG, value)
    return escape(value)


# --- The switch


def language_links() -> list[dict[str, Any]]:
    """Each language with its own name, its lang tag, the switch URL back to this page, and
    whether it is the current one."""
    here = request.full_path.rstrip("?") if request.query_string else request.path
    current = current_locale()
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "lang": HTML_LANG[code],
            "current": code == current,
            "next": here,
        }
        for code in LOCALES
    ]


def init_templates(app: Flask) -> None:
    app.jinja_env.filters.update(
        name=display_name,
        localized=localized,
        full_name=region_full_name,
        day=day,
        listed_day=listed_day,
        own_lang=own_lang,
        lang_attr=lang_attr,
    )
    app.jinja_env.globals.update(
        vocab=translated_vocab,
        html_lang=lambda: HTML_LANG[current_locale()],
        is_english=is_english,
        language_links=language_links,
    )
