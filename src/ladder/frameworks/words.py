"""The words of a text as the ladder search compares them, whatever their Unicode spelling.

Plain Python, free of Django: the search indexes lines and reads queries with it, and the front
matter checks with it that a synonym has a word to find. One function folds every spelling of a
word to one form, so that an index, a query and the marks on a result always agree:

- compatibility forms read as the plain letters: full-width "ＥＦ" is "EF", "ﬁ" is "fi";
- case is folded fully, not just lowered: "Straße", "STRASSE" and "strasse" are one word;
- accents go, however they are encoded: "résumé" typed as one character per letter (NFC) or as
  letters followed by combining accents (NFD) is "resume"; so do the strokes Unicode does not
  count as accents ("Łódź" is "lodz");
- invisible format characters inside a word (soft hyphen, zero-width space or joiner) are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The combining accents of the Latin, Greek and Cyrillic alphabets, which a search ignores. Marks
# of other scripts (Devanagari vowel signs, say) spell a different word, so they stay.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Letters whose mark is part of their shape, so that Unicode gives them no accent to take off.
_MARKED_SHAPES = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t"}
    | {"æ": "ae", "œ": "oe"}
)


def fold(text: str) -> str:
    """`text` with compatibility forms, case, accents and format characters folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return unicodedata.normalize("NFKC", text.translate(_MARKED_SHAPES))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order: "Sub-teams' résumés" is [sub, teams, resumes]."""
    return [word for _, _, word in word_spans(text)]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Each folded word of `text` with where it is written: (start, end, word).

    A run of characters that fold to letters or digits ("É", "ｅ", "™"), with the marks and
    format characters among them, is folded as a whole and split into words where its folded
    form has other characters ("½" folds to "1⁄2": two words). Each word of a run is where the run
    is written. Runs end at what folds to neither (spaces, punctuation), which no Unicode
    normalisation joins to a letter, so a text and its every normal form have the same words.
    """
    spans, start = [], None
    for index, char in enumerate(text + " "):
        if _in_word(char):
            if start is None:
                start = index
        elif start is not None:
            spans += [(start, index, word) for word in _split(fold(text[start:index]))]
            start = None
    return spans


def _split(folded: str) -> list[str]:
    found, start = [], None
    for index, char in enumerate(folded + " "):
        if _is_word_char(char):
            if start is None:
                start = index
        elif start is not None:
            found.append(folded[start:index])
            start = None
    return found


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char)[0] == "M"


@lru_cache(maxsize=4096)
def _in_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] == "M" or category == "Cf" or any(map(_is_word_char, fold(char)))
