"""Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check character."""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class USCCError(ValueError):
    """Why a code is not valid; ``code`` is stable, the message is English (views translate)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def validate(code: str) -> str:
    """Return the normalised code, or raise ``USCCError`` saying what is wrong."""
    code = normalise(code)
    if len(code) != 18:
        raise USCCError("USCC_LENGTH", f"must be 18 characters, got {len(code)}")
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        raise USCCError("USCC_CHARACTERS", f"contains characters not allowed: {''.join(bad)}")
    if not code[2:8].isdigit():
        raise USCCError("USCC_DIVISION", "characters 3–8 must be the administrative division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError("USCC_CHECK", f"check character should be {expected}, not {code[17]}")
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except USCCError:
        return False
    return True


def _org_check(body8: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def generate(rng: random.Random, division: str = "330100") -> str:
    """A well-formed code for demo data: 9 (工商) 1 (企业), division, organisation code, check."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org = body + _org_check(body)
    first17 = "91" + division + org
    return first17 + check_character(first17)
