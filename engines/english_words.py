"""How often English words are written: SymSpell's frequency dictionary (82,765 words, counts from
Google Books Ngrams intersected with SCOWL), shipped as a data file in the `symspellpy` wheel (MIT).

Only the file is read: the package itself is a spelling corrector, and the chat's speller corrects into
the careers' vocabulary instead (engines/chat/entities.py). It uses these counts to leave real words
alone ("sounding" is no typo of "shunting")."""

from __future__ import annotations

from functools import cache

from engines.package_data import package_file

_FILE = "frequency_dictionary_en_82_765.txt"


@cache
def english_word_frequencies() -> dict[str, int]:
    """Lower-case word -> how often it is written."""
    path = package_file("symspellpy", _FILE)
    if not path.is_file():
        raise LookupError(f"symspellpy's word frequencies are missing ({path})")
    out: dict[str, int] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, count = line.split()
            out[word] = int(count)
    return out
