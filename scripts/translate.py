#!/usr/bin/env python3
"""Fill in Chinese translations: ``scripts/translate.py FILE.json`` where FILE maps each English
msgid to its Chinese msgstr ({"Give a reason.": "请填写原因。"}). Entries are looked up in the zh
catalogue (run scripts/update_translations.sh first so they exist), translated and un-fuzzied;
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
    for msgid, msgstr in wanted.items():
        message = catalog.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
    with PO.open("wb") as f:
        write_po(f, catalog, width=None, sort_output=True, ignore_obsolete=True)
    for msgid in unknown:
        print(f"not in the catalogue (run scripts/update_translations.sh first): {msgid}")
    left = [m.id for m in catalog if m.id and (m.fuzzy or not m.string)]
    print(f"{len(left)} left to translate")
    for msgid in left:
        print("   ", msgid)
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
