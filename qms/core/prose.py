"""Counts and quotations written into sentences as a person writes them: "1 opportunity for
improvement", "2 minor nonconformities", "(1 minor, 2 major)" without a separator left over,
and a quoted comment that ends its own sentence without a second stop after it."""

from __future__ import annotations

from collections.abc import Iterable

# A noun's head is the word before its qualifier: "opportunity for improvement" takes its
# plural on "opportunity".
_QUALIFIERS = (" for ", " of ", " per ", " in ", " with ")


def _plural_word(word: str) -> str:
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def plural_noun(noun: str) -> str:
    """ "opportunity for improvement" -> "opportunities for improvement", "major
    nonconformity" -> "major nonconformities", "survey score" -> "survey scores"."""
    cut = min((noun.find(q) for q in _QUALIFIERS if q in noun), default=len(noun))
    head, tail = noun[:cut], noun[cut:]
    words = head.split(" ")
    words[-1] = _plural_word(words[-1])
    return " ".join(words) + tail


def counted(n: int, noun: str) -> str:
    """ "1 complaint", "2 complaints", "0 complaints"."""
    return f"{n} {noun if n == 1 else plural_noun(noun)}"


def count_list(counts: Iterable[tuple[int, str]], *, keep_zero: bool = False) -> str:
    """The non-zero counts, each with its noun in number, joined by commas: "1 minor
    nonconformity, 1 opportunity for improvement". Empty when every count is zero."""
    return ", ".join(counted(n, noun) for n, noun in counts if n or keep_zero)


def ends_sentence(text: str) -> bool:
    """Whether quoted text ends its own sentence ("Agreed by the board."): the sentence around
    the quotation then takes no second stop after the closing quote."""
    return str(text or "").rstrip().rstrip("\u201d\u2019\"')").endswith((".", "!", "?", "…"))
