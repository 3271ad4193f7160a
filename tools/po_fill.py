"""Fill English translations into the catalogue from a JSON file, then keep the file as `update` writes it.

    python tools/po_fill.py my-strings.json

The JSON maps a Chinese message id to its English: ``{"请先登录。": "Please sign in first."}``. A
message with a context is keyed ``"context\\u0004id"`` (gettext's own joining character); a plural
message takes a list ``["1 listing", "%(num)s listings"]``. Entries already translated are left alone
unless ``--force``. Helps when two branches both added strings: take one side's catalogue, run
`tools/translations update`, then fill each side's strings again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path("gi_registry/translations/en/LC_MESSAGES/messages.po")


def fill(strings: dict, force: bool) -> tuple[int, list[str]]:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    filled, missing = 0, []
    for key, english in strings.items():
        context, _, msgid = key.rpartition("\u0004")
        message = catalog.get(msgid, context=context or None)
        if message is None:
            missing.append(key)
            continue
        if isinstance(message.id, tuple):  # plural: (singular, plural) ids
            english = tuple(english) if isinstance(english, list) else (english, english)
        if force or not any(
            message.string if isinstance(message.string, tuple) else [message.string]
        ):
            message.string = english
            filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True, ignore_obsolete=True)
    return filled, missing


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--force"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    filled, missing = fill(json.loads(Path(args[0]).read_text("utf-8")), "--force" in sys.argv)
    print(
        f"filled {filled}; not in the catalogue (run `tools/translations update` first): {missing}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
