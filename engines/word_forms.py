"""One word's singular, for matching titles written in either number ("nurses" / "nurse").

A crude rule on purpose: it must fold the plural a person or a SOC title uses onto the singular ESCO
uses, and never change a word that is already singular in a way two sides would not share ("ss",
short words). Irregular plurals ("firemen") are left as written; `inflect` handles more, but its
choices ("analyses" -> "analysis", "data" -> "datum") would move existing matches for no measured gain.
"""

from __future__ import annotations


def singular(word: str) -> str:
    """ "nannies" -> "nanny", "nurses" -> "nurse"; "class", "bus" and three-letter words unchanged."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word
