#!/usr/bin/env python3
"""Fill in Chinese translations: ``scripts/translate.py FILE.json`` where FILE maps each English
msgid to its Chinese msgstr ({"Give a reason.": "请填写原因。"}). Entries are looked up in the zh
catalogue ("context|msgid" for pgettext entries; a list of forms for a plural entry) (run scripts/update_translations.sh first so they exist), translated and un-fuzzied;
the catalogue is written back in the same layout (no wrapping) and the script lists what is left.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "bwq_lab" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def main(path: str) -> int:
    wanted: dict[str, str] = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh")
    unknown = []
    for key, msgstr in wanted.items():
        # "context|msgid" for pgettext entries; a list for a plural entry's forms
        context, _, msgid = key.rpartition("|") if "|" in key else (None, "", key)
        message = catalog.get(msgid, context=context or None)
        if message is None and isinstance(msgstr, list):
            message = next((m for m in catalog if isinstance(m.id, tuple) and m.id[0] == msgid), None)
        if isinstance(msgstr, list):
            msgstr = tuple(msgstr)
        if message is None:
            unknown.append(key)
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
    with PO.open("wb") as f:
        write_po(f, catalog, width=None, sort_output=True, ignore_obsolete=True)
    for msgid in unknown:
        print(f"not in the catalogue (run scripts/update_translations.sh first): {msgid}")
    left = [
        m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    print(f"{len(left)} left to translate")
    for msgid in left:
        print("   ", msgid)
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
