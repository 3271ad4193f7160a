"""The index schema and its analyzers.

Text reaches the index already folded (``text.fold``), so the analyzers only cut. Chinese is cut into
overlapping character bigrams: every substring of two or more characters of a name or text is then
findable (额尔古纳 from 额尔, 长白山 from 白山), which a word segmenter cannot promise for names it has
never seen. ``jieba`` is kept as an alternative for the analyzer comparison in docs/search.md.
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import (
    LowercaseFilter,
    RegexTokenizer,
    StemmingAnalyzer,
    Token,
    Tokenizer,
)

from gi_registry.search import text

# Bump when fields or analysis change: `search check` then reports the index as stale until a rebuild.
SCHEMA_VERSION = 3


class HanTokenizer(Tokenizer):
    """Han runs → character bigrams (plus single characters when ``unigrams``); Latin runs → words.

    ``segmenter="jieba"`` swaps bigrams for jieba's search mode; only the analyzer benchmark uses it.
    """

    def __init__(self, unigrams: bool = False, segmenter: str = "bigram"):
        self.unigrams = unigrams
        self.segmenter = segmenter

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.unigrams == self.unigrams
            and other.segmenter == self.segmenter
        )

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in text.WORD_RE.finditer(value):
            word = match.group()
            pieces = self.cut(word) if text.is_han(word) else [(word, 0)]
            for piece, offset in pieces:
                token.text = piece
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = piece
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + match.start() + offset
                    token.endchar = token.startchar + len(piece)
                yield token

    def cut(self, word: str) -> list[tuple[str, int]]:
        if self.segmenter == "jieba":
            return jieba_pieces(word)
        pieces = [(gram, i) for i, gram in enumerate(text.bigrams(word))]
        if self.unigrams and len(word) > 1:
            pieces.extend((char, i) for i, char in enumerate(word))
        return pieces


def jieba_pieces(word: str) -> list[tuple[str, int]]:
    import jieba  # imported late: only the analyzer comparison needs it

    pieces, offset = [], 0
    for piece in jieba.cut_for_search(word, HMM=True):
        found = word.find(piece, offset if piece in word[offset:] else 0)
        pieces.append((piece, max(found, 0)))
    return pieces


def han_analyzer(unigrams: bool = False, segmenter: str = "bigram"):
    # No LowercaseFilter: documents and queries arrive folded (lower case) already, and a filter
    # stage costs a generator step per token on 115,000 documents.
    return HanTokenizer(unigrams=unigrams, segmenter=segmenter)


# One whole value per line: exact and prefix matching on whole names (name, pinyin, initials).
def line_analyzer():
    return RegexTokenizer(r"[^\n]+") | LowercaseFilter()


def syllable_analyzer():
    return RegexTokenizer(r"\S+")


def build_schema(segmenter: str = "bigram") -> fields.Schema:
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),
        kind=fields.ID(stored=True),
        slug=fields.STORED(),
        title=fields.STORED(),
        subtitle=fields.STORED(),
        places=fields.STORED(),  # short names of a product's own regions, to show why a place matched
        snippet=fields.STORED(),
        digest=fields.STORED(),
        # Names and aliases: the strongest evidence, with single characters for one-letter queries.
        name=fields.TEXT(analyzer=han_analyzer(True, segmenter), phrase=False, field_boost=4.0),
        name_key=fields.TEXT(analyzer=line_analyzer(), phrase=False),
        py=fields.TEXT(analyzer=syllable_analyzer(), field_boost=3.0),
        py_fuzzy=fields.TEXT(analyzer=syllable_analyzer()),
        py_key=fields.TEXT(analyzer=line_analyzer(), phrase=False),
        initials=fields.TEXT(analyzer=line_analyzer(), phrase=False),
        en=fields.TEXT(analyzer=StemmingAnalyzer(), phrase=False, field_boost=2.0),
        regions=fields.TEXT(analyzer=han_analyzer(False, segmenter), phrase=False, field_boost=2.0),
        region_key=fields.TEXT(analyzer=line_analyzer(), phrase=False),
        region_py=fields.TEXT(analyzer=syllable_analyzer(), field_boost=1.5),
        category_text=fields.TEXT(analyzer=han_analyzer(False, segmenter), phrase=False),
        body=fields.TEXT(analyzer=han_analyzer(False, segmenter), phrase=False),
        # Facets and filters.
        category=fields.ID(),
        region=fields.KEYWORD(),  # own regions and everything above them
        region_own=fields.KEYWORD(),  # own regions only: "covers" for a filter below them
        protection=fields.KEYWORD(),
        listing_kind=fields.ID(),
        verified=fields.ID(),
    )
