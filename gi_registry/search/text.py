"""Text folding and tokenising shared by indexing and querying.

Everything here is a pure function of its input, so the index and the query side cannot drift apart:
both fold full-width forms, case and traditional characters the same way, and cut Chinese into the
same character bigrams (see docs/search.md for the measurement that chose bigrams over jieba).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import zhconv

from gi_registry.naming import name_pinyin

# Given its own default name, zhconv opens the dictionary without closing it (a ResourceWarning);
# given a path, it uses a with-block.
zhconv.loaddict(str(Path(zhconv.__file__).with_name("zhcdict.json")))
# Every conversion starts at one of these characters; text without any needs no conversion (most
# text is simplified already, and the converter's longest-match scan is the slow part of indexing).
_CONVERTIBLE = frozenset(key[0] for key in zhconv.zhconv.getdict("zh-hans") if key)

# Runs of Han characters, and runs of Latin letters or digits; everything else separates words.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_RE = re.compile(rf"[{_HAN}]+|[0-9a-z]+")
HAN_RE = re.compile(rf"[{_HAN}]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Every toneless Mandarin syllable (ü written v), from pypinyin's character table.
SYLLABLES = frozenset(
    [
        "a",
        "ai",
        "an",
        "ang",
        "ao",
        "ba",
        "bai",
        "ban",
        "bang",
        "bao",
        "bei",
        "ben",
        "beng",
        "bi",
        "bian",
        "biang",
        "biao",
        "bie",
        "bin",
        "bing",
        "bo",
        "bong",
        "bu",
        "ca",
        "cai",
        "can",
        "cang",
        "cao",
        "ce",
        "cei",
        "cen",
        "ceng",
        "cha",
        "chai",
        "chan",
        "chang",
        "chao",
        "che",
        "chen",
        "cheng",
        "chi",
        "chong",
        "chou",
        "chu",
        "chua",
        "chuai",
        "chuan",
        "chuang",
        "chui",
        "chun",
        "chuo",
        "ci",
        "cong",
        "cou",
        "cu",
        "cuan",
        "cui",
        "cun",
        "cuo",
        "da",
        "dai",
        "dan",
        "dang",
        "dao",
        "de",
        "dei",
        "den",
        "deng",
        "di",
        "dia",
        "dian",
        "diao",
        "die",
        "din",
        "ding",
        "diu",
        "dong",
        "dou",
        "du",
        "duan",
        "dui",
        "dun",
        "duo",
        "e",
        "ei",
        "en",
        "eng",
        "er",
        "fa",
        "fan",
        "fang",
        "fei",
        "fen",
        "feng",
        "fiao",
        "fo",
        "fou",
        "fu",
        "ga",
        "gai",
        "gan",
        "gang",
        "gao",
        "ge",
        "gei",
        "gen",
        "geng",
        "gong",
        "gou",
        "gu",
        "gua",
        "guai",
        "guan",
        "guang",
        "gui",
        "gun",
        "guo",
        "ha",
        "hai",
        "han",
        "hang",
        "hao",
        "he",
        "hei",
        "hen",
        "heng",
        "hong",
        "hou",
        "hu",
        "hua",
        "huai",
        "huan",
        "huang",
        "hui",
        "hun",
        "huo",
        "ji",
        "jia",
        "jian",
        "jiang",
        "jiao",
        "jie",
        "jin",
        "jing",
        "jiong",
        "jiu",
        "ju",
        "juan",
        "jue",
        "jun",
        "ka",
        "kai",
        "kan",
        "kang",
        "kao",
        "ke",
        "kei",
        "ken",
        "keng",
        "kong",
        "kou",
        "ku",
        "kua",
        "kuai",
        "kuan",
        "kuang",
        "kui",
        "kun",
        "kuo",
        "la",
        "lai",
        "lan",
        "lang",
        "lao",
        "le",
        "lei",
        "len",
        "leng",
        "li",
        "lia",
        "lian",
        "liang",
        "liao",
        "lie",
        "lin",
        "ling",
        "liu",
        "lo",
        "long",
        "lou",
        "lu",
        "luan",
        "lun",
        "luo",
        "lv",
        "lve",
        "ma",
        "mai",
        "man",
        "mang",
        "mao",
        "me",
        "mei",
        "men",
        "meng",
        "mi",
        "mian",
        "miao",
        "mie",
        "min",
        "ming",
        "miu",
        "mo",
        "mou",
        "mu",
        "na",
        "nai",
        "nan",
        "nang",
        "nao",
        "ne",
        "nei",
        "nen",
        "neng",
        "ni",
        "nia",
        "nian",
        "niang",
        "niao",
        "nie",
        "nin",
        "ning",
        "niu",
        "nong",
        "nou",
        "nu",
        "nuan",
        "nun",
        "nuo",
        "nv",
        "nve",
        "o",
        "ou",
        "pa",
        "pai",
        "pan",
        "pang",
        "pao",
        "pei",
        "pen",
        "peng",
        "pi",
        "pian",
        "piao",
        "pie",
        "pin",
        "ping",
        "po",
        "pou",
        "pu",
        "qi",
        "qia",
        "qian",
        "qiang",
        "qiao",
        "qie",
        "qin",
        "qing",
        "qiong",
        "qiu",
        "qu",
        "quan",
        "que",
        "qun",
        "ran",
        "rang",
        "rao",
        "re",
        "ren",
        "reng",
        "ri",
        "rong",
        "rou",
        "ru",
        "rua",
        "ruan",
        "rui",
        "run",
        "ruo",
        "sa",
        "sai",
        "san",
        "sang",
        "sao",
        "se",
        "sen",
        "seng",
        "sha",
        "shai",
        "shan",
        "shang",
        "shao",
        "she",
        "shei",
        "shen",
        "sheng",
        "shi",
        "shou",
        "shu",
        "shua",
        "shuai",
        "shuan",
        "shuang",
        "shui",
        "shun",
        "shuo",
        "si",
        "song",
        "sou",
        "su",
        "suan",
        "sui",
        "sun",
        "suo",
        "ta",
        "tai",
        "tan",
        "tang",
        "tao",
        "te",
        "tei",
        "teng",
        "ti",
        "tian",
        "tiao",
        "tie",
        "ting",
        "tong",
        "tou",
        "tu",
        "tuan",
        "tui",
        "tun",
        "tuo",
        "wa",
        "wai",
        "wan",
        "wang",
        "wei",
        "wen",
        "weng",
        "wo",
        "wong",
        "wu",
        "xi",
        "xia",
        "xian",
        "xiang",
        "xiao",
        "xie",
        "xin",
        "xing",
        "xiong",
        "xiu",
        "xu",
        "xuan",
        "xue",
        "xun",
        "ya",
        "yan",
        "yang",
        "yao",
        "ye",
        "yi",
        "yin",
        "ying",
        "yo",
        "yong",
        "you",
        "yu",
        "yuan",
        "yue",
        "yun",
        "za",
        "zai",
        "zan",
        "zang",
        "zao",
        "ze",
        "zei",
        "zen",
        "zeng",
        "zha",
        "zhai",
        "zhan",
        "zhang",
        "zhao",
        "zhe",
        "zhei",
        "zhen",
        "zheng",
        "zhi",
        "zhong",
        "zhou",
        "zhu",
        "zhua",
        "zhuai",
        "zhuan",
        "zhuang",
        "zhui",
        "zhun",
        "zhuo",
        "zi",
        "zong",
        "zou",
        "zu",
        "zuan",
        "zui",
        "zun",
        "zuo",
    ]
)
_MAX_SYLLABLE = max(map(len, SYLLABLES))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Canonical form for matching: NFKC (full-width → ASCII), lower case, simplified characters."""
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text)).lower()
    if not _CONVERTIBLE.isdisjoint(text):
        text = zhconv.convert(text, "zh-hans")
    return text


def fold_long(text: str) -> str:
    """``fold`` without the cache, for descriptions that are seen once."""
    return fold.__wrapped__(text)


def words(text: str) -> list[str]:
    """Han runs and Latin/digit runs of already folded text, in order."""
    return WORD_RE.findall(text)


def is_han(word: str) -> bool:
    return bool(HAN_RE.match(word))


def bigrams(word: str) -> list[str]:
    """长白山 → [长白, 白山]; a single character stays itself."""
    if len(word) < 2:
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def split_syllables(word: str) -> list[str] | None:
    """Cut a run of Latin letters into pinyin syllables: meihedami → mei he da mi.

    Prefers the fewest syllables (xian stays one syllable rather than xi an); returns None when the
    word is not pinyin at all (rice, ginseng).
    """
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            head, current = best[start], best[end]
            shorter = current is None or (head is not None and len(head) + 1 < len(current))
            if head is not None and shorter and word[start:end] in SYLLABLES:
                best[end] = [*head, word[start:end]]
    return best[len(word)]


# Input-method confusions that Chinese users make all the time: flat and retroflex initials,
# front and back nasals, and n/l. Folding both sides makes 长白山人生 meet 长白山人参.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@lru_cache(maxsize=8192)
def fuzzy_syllable(syllable: str) -> str:
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


def syllables_of(text: str) -> list[str]:
    """Pinyin syllables of folded text: Han through pypinyin (phrase-aware), Latin cut as pinyin."""
    out: list[str] = []
    for word in words(text):
        if is_han(word):
            out.extend(name_pinyin(word)[0].split())
        else:
            out.extend(split_syllables(word) or [word])
    return out
