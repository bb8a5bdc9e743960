"""Folding and tokenising Vietnamese the way people type it."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from api.text.normalize import fold, fold_char_offsets, tokens, untelex


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Làm lại Bằng lái xe ĐỔI") == "lam lai bang lai xe doi"
    assert fold("Đăng ký thường trú") == "dang ky thuong tru"


def test_fold_treats_nfd_like_nfc():
    text = "giấy khai sinh"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "giay khai sinh"


def test_tokens_keep_codes_and_house_numbers_whole():
    assert tokens("ma 1.001193 so nha 12/5") == ["ma", "1.001193", "so", "nha", "12/5"]


def test_untelex_repairs_tone_keys():
    assert untelex("khais") == "khai"
    assert untelex("ddawng") == "dang"
    assert untelex("khai") is None


@given(st.text())
def test_fold_char_offsets_keeps_length_for_nfc_text(text):
    text = unicodedata.normalize("NFC", text)
    assert len(fold_char_offsets(text)) == len(text)


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
