"""The search index on a small hand-made catalog (the shipped catalog is tested through the API)."""

import pytest

from api.procedures.search import DocInput, SearchIndex


def doc(i, code, name, *aliases, field="Hộ tịch", level=4):
    return DocInput(i, code, name, field, level, None, "xa", tuple(aliases), "")


@pytest.fixture(scope="module")
def index():
    return SearchIndex(
        [
            doc(0, "1.000001", "Thủ tục đăng ký khai sinh", "làm giấy khai sinh"),
            doc(1, "1.000002", "Thủ tục đăng ký lại khai sinh"),
            doc(2, "1.000003", "Thủ tục đăng ký khai tử"),
            doc(3, "1.000004", "Cấp lại giấy phép lái xe", field="Đường bộ", level=3),
            doc(4, "1.000005", "Đổi giấy phép lái xe", field="Đường bộ", level=3),
            doc(5, "1.000006", "Đăng ký thường trú", field="Cư trú"),
            doc(6, "1.000007", "Cấp giấy phép xây dựng nhà ở riêng lẻ", field="Xây dựng"),
        ]
    )


def top(index, q):
    result = index.search(q, limit=3)
    assert result.hits, f"no hit for {q!r}"
    return result.hits[0].doc.code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("làm giấy khai sinh", "1.000001"),
        ("lam giay khai sinh", "1.000001"),
        ("LÀM GIẤY KHAI SINH CHO CON", "1.000001"),
        ("dang ky khai tu", "1.000003"),
        ("lam lai bang lai", "1.000004"),
        ("gplx hết hạn đổi ở đâu", "1.000005"),
        ("nhap ho khau cho vo", "1.000006"),
        ("khai sin", "1.000001"),  # typo: a dropped letter
        ("ddawng kys khai tuwr", "1.000003"),  # telex leftovers
        ("1.000007", "1.000007"),  # a code typed as is
    ],
)
def test_finds_what_citizens_mean(index, query, code):
    assert top(index, query) == code


def test_register_again_is_not_confused_with_first_registration(index):
    assert top(index, "đăng ký lại khai sinh") == "1.000002"
    assert top(index, "đăng ký khai sinh") == "1.000001"


def test_nothing_for_unrelated_text(index):
    result = index.search("xin chào bạn")
    assert result.hits == [] and result.total == 0 and not result.confident


def test_unsure_when_two_procedures_match_equally(index):
    result = index.search("giấy phép lái xe")
    assert {h.doc.code for h in result.hits[:2]} == {"1.000004", "1.000005"}
    assert not result.confident


def test_confident_for_a_clear_question(index):
    assert index.search("nhập hộ khẩu cho con ở đâu").confident


def test_limit_and_offset(index):
    everything = index.search("đăng ký", limit=10)
    page = index.search("đăng ký", limit=1, offset=1)
    assert page.hits == everything.hits[1:2]
    assert page.total == everything.total


def test_empty_index_answers():
    assert SearchIndex([]).search("khai sinh").hits == []


def test_province_filter_and_one_hit_per_procedure():
    docs = [
        DocInput(0, "1.000001", "Thủ tục đăng ký khai sinh", "Hộ tịch", 4, None, "xa", (), "", None),
        DocInput(1, "1.000001.01", "Thủ tục đăng ký khai sinh", "Hộ tịch", 4, None, "xa", (), "", "01"),
        DocInput(
            2, "9.010001", "Hỗ trợ khai sinh cho trẻ vùng cao", "Hộ tịch", 2, None, "tinh", (), "", "01"
        ),
        DocInput(
            3, "9.020001", "Hỗ trợ khai sinh cho trẻ vùng biển", "Hộ tịch", 2, None, "tinh", (), "", "02"
        ),
    ]
    index = SearchIndex(docs)
    everywhere = [h.doc.code for h in index.search("khai sinh").hits]
    assert everywhere[0] == "1.000001" and "1.000001.01" not in everywhere  # the same procedure once
    in_01 = [h.doc.code for h in index.search("khai sinh", province="01").hits]
    assert "9.020001" not in in_01 and "9.010001" in in_01


def test_one_generic_word_is_never_confident(index):
    assert not index.search("nộp ở đâu").confident
