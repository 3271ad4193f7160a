"""A Babel extractor for gi_registry/vocab.py: every dictionary label becomes a message.

vocab.py is a leaf that templates, the importer and the services all read, so its labels stay plain
Chinese strings with no gettext marker (a marker would tie the leaf to the web layer, and a label added
without one would silently stay Chinese). This extractor takes every string value of a dictionary
literal in the module instead; templates show them through ``i18n.content.TranslatedVocab``.
babel.cfg maps vocab.py to it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any


def extract_vocab(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    tree = ast.parse(fileobj.read().decode("utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield value.lineno, None, value.value, []
