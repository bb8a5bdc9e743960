"""Mask personal numbers before a chat message is stored for review.

Citizens type their CCCD (12 digits), old CMND (9 digits) and phone numbers into the
chat. Transcripts keep the last three digits so a reviewer can tell numbers apart, and
nothing more. Dossier codes (000.00.53.H48-220921-0099) are not personal and stay whole.
"""

from __future__ import annotations

import re

# A run of digits, possibly split by spaces, dots or dashes, not glued to letters or to
# a dossier code's other parts.
_NUMBER = re.compile(r"(?<![\w.-])(\+?\d(?:[\s.-]?\d){8,14})(?![\w-]|\.\d)")


def _mask(match: re.Match[str]) -> str:
    raw = match.group(1)
    digits = re.sub(r"\D", "", raw)
    is_phone = (digits.startswith("0") and len(digits) in (10, 11)) or (
        digits.startswith("84") and len(digits) in (11, 12)
    )
    if len(digits) in (9, 12) or is_phone:  # CMND, CCCD, phone
        return "*" * (len(digits) - 3) + digits[-3:]
    return raw


def mask_personal(text: str) -> str:
    return _NUMBER.sub(_mask, text)
