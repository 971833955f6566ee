#!/usr/bin/env python3
"""Texts that TokenEstimate was not fitted on, to measure its error where it is used.

    python3 scripts/heldout-texts.py OUTPUT.json
    MISTRALKIT_HELDOUT_TEXTS=OUTPUT.json MISTRALKIT_TOKENIZER_DIR=... swift test --filter TokenEstimateTests

TokenEstimate's weights were fitted on the 42 natural texts of the exactness corpus
(scripts/tokenizer-fixtures.py, corpus[1...42]); none of these texts is among them. They come from
files a Debian machine has (the project machine's figures in TokenEstimate's documentation and
BENCHMARKS.md are from them), cut at paragraph breaks into pieces of about 1,200 characters:

- English prose: licence texts in /usr/share/common-licenses;
- code: Python's json, textwrap and csv modules, C headers, and Swift and shell from this repository;
- JSON: ISO code lists from the iso-codes package;
- other languages: GLib's message translations (glib20.mo) in 26 languages and scripts, joined.

OUTPUT.json is a list of {"category", "name", "text"}.
"""

import gettext
import glob
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
LANGUAGES = ["fr", "de", "es", "it", "pt_BR", "nl", "pl", "cs", "tr", "vi", "ru", "uk", "el", "ar", "he", "fa",
             "hi", "bn", "ta", "th", "ka", "hy", "zh_CN", "zh_TW", "ja", "ko"]


def paragraphs(text: str, size: int = 1200) -> list[str]:
    """Pieces of about `size` characters, cut at blank lines; pieces under 200 characters are dropped."""
    pieces, current = [], ""
    for paragraph in re.split(r"\n\s*\n", text):
        if current and len(current) + len(paragraph) > size:
            pieces.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
    if current.strip():
        pieces.append(current)
    return [piece for piece in pieces if len(piece) > 200]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    texts = []

    def add(category: str, name: str, pieces: list[str], most: int) -> None:
        for index, piece in enumerate(pieces[:most]):
            texts.append({"category": category, "name": f"{name}#{index}", "text": piece})

    for name in ["GPL-3", "Apache-2.0", "MPL-2.0", "GFDL-1.3", "Artistic"]:
        add("English prose", name, paragraphs(Path(f"/usr/share/common-licenses/{name}").read_text()), 6)
    python_json = Path(glob.glob("/usr/lib/python3*/json/decoder.py")[0])
    library = python_json.parent.parent
    for path in [python_json, library / "textwrap.py", library / "csv.py"]:
        add("code", path.name, paragraphs(path.read_text()), 5)
    for path in [Path("/usr/include/stdio.h"), Path("/usr/include/string.h")]:
        add("code", path.name, paragraphs(path.read_text()), 4)
    for relative in ["Sources/MistralKit/Client/MistralClient.swift", "Sources/MistralChat/Engine/ChatEngine.swift", "scripts/test.sh"]:
        add("code", Path(relative).name, paragraphs((REPOSITORY / relative).read_text()), 5)
    for name in ["iso_4217", "iso_15924"]:
        raw = Path(f"/usr/share/iso-codes/json/{name}.json").read_text()
        add("JSON", name, [raw[start:start + 1200] for start in range(0, 6000, 1200)], 5)
    for language in LANGUAGES:
        with open(f"/usr/share/locale/{language}/LC_MESSAGES/glib20.mo", "rb") as file:
            catalog = gettext.GNUTranslations(file)._catalog
        # Sentences rather than labels (over 30 bytes, so CJK ones count too), no header entry,
        # no format strings.
        messages = [text for key, text in sorted(catalog.items(), key=lambda item: str(item[0]))
                    if key and isinstance(text, str) and len(text.encode()) > 30 and "%" not in text]
        pieces, current = [], ""
        for message in messages:
            current += message + " "
            if len(current) > 600:
                pieces.append(current.strip())
                current = ""
        add("other languages", language, pieces[5:], 3)

    Path(sys.argv[1]).write_text(json.dumps(texts, ensure_ascii=False, indent=0))
    counts = Counter(text["category"] for text in texts)
    print(f"{len(texts)} texts: " + ", ".join(f"{count} {category}" for category, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
