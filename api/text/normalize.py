"""Accent folding and tokenising for Vietnamese as people type it on phones.

Citizens type with or without diacritics, in NFC or NFD (some Android keyboards),
and with telex leftovers. Everything is compared in a *folded* form: NFC, lower
case, "đ" → "d", combining marks removed. Folding is lossy on purpose: "làm"
and "lâm" meet, and ranking sorts out the rest.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN_RE = re.compile(r"[0-9a-z]+(?:[./-][0-9a-z]+)*")
# Procedure codes such as 1.001193 or 2.000635, typed inside a query.
CODE_RE = re.compile(r"\b[0-9]{1,3}\.[0-9]{6}\b")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """'Làm lại Bằng lái' → 'lam lai bang lai'."""
    lowered = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_char_offsets(text: str) -> str:
    """Fold character by character so that offsets in the result match ``text``.

    Precomposed NFC characters fold to exactly one character, so a tokenizer can
    find tokens in the folded text and slice the original with the same offsets.
    """
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else (folded[:1] or " "))
    return "".join(out)


def tokens(folded: str) -> list[str]:
    """Split folded text into words; keeps codes like 1.001193 and 12/5 whole."""
    return _TOKEN_RE.findall(folded)


# Telex leftovers: a tone key typed but not converted ("khais", "ddawng").
_TELEX_DOUBLE = (("dd", "d"), ("aa", "a"), ("ee", "e"), ("oo", "o"), ("aw", "a"), ("ow", "o"), ("uw", "u"))


def untelex(token: str) -> str | None:
    """Best-effort repair of a telex-typed syllable; None when nothing changed."""
    original = token
    for pair, single in _TELEX_DOUBLE:
        token = token.replace(pair, single)
    if len(token) > 2 and token[-1] in "sfrxj" and token[-2] in "aeiouy":
        token = token[:-1]
    return token if token != original else None
