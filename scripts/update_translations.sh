#!/usr/bin/env bash
# Extract every UI string (Python under bwq_lab/, Jinja templates under templates/) into
# bwq_lab/translations/messages.pot, merge it into each catalogue (zh), and compile the .mo files.
# New or changed strings then appear in bwq_lab/translations/zh/LC_MESSAGES/messages.po with an
# empty (or "fuzzy") msgstr: translate them, remove the "fuzzy" flags, and run this script again.
# tests/test_translations.py fails until the catalogue is complete and up to date.
set -euo pipefail

cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
DIR=bwq_lab/translations
POT="$DIR/messages.pot"

"$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 -k lazy_pgettext:1c,2 \
    --ignore-dirs='.* _* instance static migrations node_modules build' \
    --add-location=file --sort-output --no-wrap \
    --project="BWQ Lab" --copyright-holder="BWQ Lab" -c TRANSLATORS: \
    -o "$POT.new" .
# keep the template (and its creation date) when no string changed: no churn in git
if [ -f "$POT" ] && diff -q <(grep -v '^"POT-Creation-Date: ' "$POT") \
        <(grep -v '^"POT-Creation-Date: ' "$POT.new") >/dev/null; then
    rm "$POT.new"
else
    mv "$POT.new" "$POT"
fi

if [ -f "$DIR/zh/LC_MESSAGES/messages.po" ]; then
    "$PYBABEL" -q update -i "$POT" -d "$DIR" --no-wrap --ignore-obsolete --no-fuzzy-matching
else
    "$PYBABEL" -q init -i "$POT" -d "$DIR" -l zh --no-wrap
fi
"$PYBABEL" compile -d "$DIR" --statistics

# what is left to translate
.venv/bin/python - "$DIR" <<'PY'
import sys
from pathlib import Path

from babel.messages.pofile import read_po

for po in sorted(Path(sys.argv[1]).glob("*/LC_MESSAGES/messages.po")):
    with po.open("rb") as f:
        catalog = read_po(f)
    todo = [m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))]
    print(f"{po}: {len(todo)} to translate")
    for msgid in todo:
        print("   ", msgid if isinstance(msgid, str) else msgid[0])
PY
