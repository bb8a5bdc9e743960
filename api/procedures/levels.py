"""The four online service levels, explained as what the citizen has to do.

Levels 1–4 come from Nghị định 43/2011/NĐ-CP; Nghị định 42/2022/NĐ-CP renamed
them: level 4 is "toàn trình" (the whole procedure online), level 3 is "một phần"
(part of it online), and levels 1–2 are only information and downloadable forms.
"""

from __future__ import annotations

import msgspec

LEGAL_BASIS = [
    "Nghị định 43/2011/NĐ-CP (bốn mức độ dịch vụ công trực tuyến)",
    "Nghị định 42/2022/NĐ-CP (dịch vụ công trực tuyến toàn trình và một phần)",
]


class Level(msgspec.Struct):
    level: int
    name: str  # the current name
    old_name: str
    summary: str
    online: str  # what the citizen can do online
    in_person: str  # what still needs a visit
    payment: str
    result: str  # how the result comes back
    visits: int  # how many trips to the office, at most


LEVELS: list[Level] = [
    Level(
        level=1,
        name="Cung cấp thông tin trực tuyến",
        old_name="Mức độ 1",
        summary="Trên mạng chỉ có thông tin về thủ tục: cần giấy tờ gì, nộp ở đâu, phí bao nhiêu.",
        online="Anh/chị đọc hướng dẫn và các quy định liên quan.",
        in_person="Anh/chị đến cơ quan để lấy mẫu đơn, nộp hồ sơ và nhận kết quả.",
        payment="Nộp phí, lệ phí (nếu có) tại cơ quan.",
        result="Nhận kết quả tại cơ quan.",
        visits=2,
    ),
    Level(
        level=2,
        name="Cung cấp thông tin trực tuyến",
        old_name="Mức độ 2",
        summary="Có thông tin và có mẫu đơn, tờ khai để tải về điền trước.",
        online="Anh/chị tải mẫu đơn, tờ khai về, in ra và điền sẵn ở nhà.",
        in_person="Anh/chị mang hồ sơ đến nộp trực tiếp hoặc gửi qua bưu điện, rồi đến nhận kết quả.",
        payment="Nộp phí, lệ phí (nếu có) khi nộp hồ sơ.",
        result="Nhận kết quả tại cơ quan.",
        visits=2,
    ),
    Level(
        level=3,
        name="Dịch vụ công trực tuyến một phần",
        old_name="Mức độ 3",
        summary="Điền và nộp hồ sơ trên mạng; đến cơ quan một lần để nộp phí và nhận kết quả.",
        online="Anh/chị điền tờ khai, đính kèm giấy tờ và nộp hồ sơ trên mạng, rồi theo dõi hồ sơ trên mạng.",
        in_person="Anh/chị đến cơ quan một lần khi có kết quả (có thể phải mang bản chính giấy tờ để đối chiếu).",
        payment="Nộp phí, lệ phí (nếu có) tại cơ quan khi nhận kết quả.",
        result="Nhận kết quả tại cơ quan; nhiều nơi cho phép nhận qua bưu điện.",
        visits=1,
    ),
    Level(
        level=4,
        name="Dịch vụ công trực tuyến toàn trình",
        old_name="Mức độ 4",
        summary="Làm toàn bộ trên mạng, kể cả nộp phí; không phải đến cơ quan.",
        online="Anh/chị điền tờ khai, đính kèm giấy tờ, nộp hồ sơ và thanh toán phí, lệ phí trên mạng.",
        in_person="Không phải đến cơ quan.",
        payment="Thanh toán trực tuyến (thẻ, ví điện tử, ngân hàng).",
        result="Nhận kết quả bản điện tử trên mạng hoặc qua bưu điện (dịch vụ bưu chính công ích) tại nhà.",
        visits=0,
    ),
]
