import pytest

from api.chat.masking import mask_personal


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("cccd của tôi là 001203004567", "cccd của tôi là *********567"),
        ("sdt 0912345678 nhé", "sdt *******678 nhé"),
        ("gọi 0912 345 678", "gọi *******678"),
        ("số +84912345678", "số ********678"),
        ("cmnd 123456789", "cmnd ******789"),
    ],
)
def test_personal_numbers_are_masked(text, masked):
    assert mask_personal(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "hồ sơ 000.00.53.H48-220921-0099",
        "mã H47.03-261005-0089",
        "thủ tục 1.001193",
        "lệ phí 135000 đồng",
        "năm 2025",
    ],
)
def test_other_numbers_stay(text):
    assert mask_personal(text) == text
