"""Scale the catalog to the size a province reports, times 34 provinces (~70,000 records).

Each province gets every shipped procedure (as its own provincial record) plus about
2,000 generated ones whose names are built from the words real catalogs use, so the
index faces realistic neighbours: "Cấp lại giấy phép kinh doanh vận tải" next to
"Cấp lại giấy phép lái xe". Generated records are marked as such in their source and
flagged as unverified: they exist only to measure speed and ranking under load.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVINCES = 34
PER_PROVINCE = 2060  # ≈ 70,000 in all

ACTIONS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Đăng ký",
    "Đăng ký thay đổi",
    "Xác nhận",
    "Công nhận",
    "Thẩm định",
    "Phê duyệt",
    "Chấp thuận",
    "Cho phép",
    "Thông báo",
    "Giải quyết",
    "Hỗ trợ",
    "Chứng nhận",
    "Bổ sung",
    "Sửa đổi",
    "Tạm dừng",
    "Chấm dứt",
]
OBJECTS = {
    "Giáo dục và Đào tạo": [
        "giấy phép thành lập trường mầm non tư thục",
        "bằng tốt nghiệp trung học cơ sở",
        "bản sao văn bằng, chứng chỉ",
        "chuyển trường cho học sinh trung học",
        "hoạt động giáo dục nhà trẻ",
        "cho phép trung tâm ngoại ngữ hoạt động",
        "xét tuyển sinh vào lớp 10",
        "hỗ trợ học tập cho trẻ mẫu giáo",
    ],
    "Y tế": [
        "chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "giấy phép hoạt động phòng khám",
        "giấy chứng nhận đủ điều kiện kinh doanh dược",
        "giấy xác nhận nội dung quảng cáo thực phẩm",
        "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "giấy phép hoạt động cơ sở dịch vụ thẩm mỹ",
    ],
    "Giao thông vận tải": [
        "giấy phép kinh doanh vận tải bằng xe ô tô",
        "phù hiệu xe ô tô kinh doanh vận tải",
        "giấy phép lưu hành xe quá tải trọng",
        "giấy phép thi công công trình trên đường bộ",
        "chứng chỉ chuyên môn thuyền trưởng phương tiện thủy nội địa",
        "đăng ký phương tiện thủy nội địa",
        "giấy phép đào tạo lái xe",
    ],
    "Tài nguyên và Môi trường": [
        "giấy phép khai thác nước dưới đất",
        "giấy phép môi trường",
        "giấy chứng nhận quyền sử dụng đất",
        "biến động đất đai",
        "giấy phép khai thác khoáng sản",
        "đăng ký thế chấp quyền sử dụng đất",
        "giấy phép xả nước thải vào nguồn nước",
        "chuyển mục đích sử dụng đất",
    ],
    "Lao động, Thương binh và Xã hội": [
        "trợ cấp xã hội hằng tháng",
        "giấy phép lao động cho người nước ngoài",
        "trợ cấp thất nghiệp",
        "hỗ trợ chi phí mai táng",
        "chế độ ưu đãi người có công",
        "giấy phép hoạt động dịch vụ việc làm",
        "thẻ bảo hiểm y tế cho người có công",
        "trợ cấp một lần cho thân nhân liệt sĩ",
    ],
    "Công Thương": [
        "giấy phép kinh doanh bán lẻ rượu",
        "giấy phép bán lẻ sản phẩm thuốc lá",
        "giấy chứng nhận đủ điều kiện cửa hàng xăng dầu",
        "giấy phép hoạt động điện lực",
        "đăng ký hoạt động khuyến mại",
        "giấy chứng nhận đủ điều kiện kinh doanh khí",
    ],
    "Văn hóa, Thể thao và Du lịch": [
        "giấy phép kinh doanh dịch vụ karaoke",
        "giấy phép tổ chức lễ hội",
        "thẻ hướng dẫn viên du lịch",
        "giấy phép kinh doanh dịch vụ lữ hành nội địa",
        "công nhận gia đình văn hóa",
        "giấy phép quảng cáo ngoài trời",
    ],
    "Nông nghiệp và Môi trường": [
        "giấy chứng nhận kiểm dịch động vật",
        "giấy chứng nhận cơ sở an toàn dịch bệnh",
        "giấy phép khai thác thủy sản",
        "đăng ký tàu cá",
        "hỗ trợ giống cây trồng sau thiên tai",
        "giấy chứng nhận vùng trồng",
    ],
    "Tư pháp": [
        "thẻ công chứng viên",
        "giấy đăng ký hoạt động văn phòng công chứng",
        "thẻ đấu giá viên",
        "giấy đăng ký hoạt động trung tâm trọng tài",
        "thẻ thừa phát lại",
        "hòa giải ở cơ sở",
    ],
    "Xây dựng": [
        "chứng chỉ năng lực hoạt động xây dựng",
        "chứng chỉ hành nghề kiến trúc",
        "giấy phép xây dựng công trình quảng cáo",
        "giấy phép di dời công trình",
        "thẩm định thiết kế xây dựng",
        "giấy phép xây dựng có thời hạn",
    ],
    "Nội vụ": [
        "thành lập hội",
        "công nhận ban vận động thành lập hội",
        "đăng ký hoạt động tín ngưỡng",
        "danh hiệu thi đua",
        "tặng giấy khen",
        "đăng ký sinh hoạt tôn giáo tập trung",
    ],
    "Tài chính và Kế hoạch": [
        "giấy chứng nhận đăng ký doanh nghiệp",
        "giấy chứng nhận đăng ký đầu tư",
        "đăng ký thành lập hợp tác xã",
        "đăng ký thay đổi nội dung chi nhánh",
        "tạm ngừng kinh doanh của doanh nghiệp",
        "giải thể doanh nghiệp",
    ],
}
QUALIFIERS = [
    "",
    "",
    "",
    " cho tổ chức",
    " cho cá nhân",
    " trên địa bàn tỉnh",
    " đối với doanh nghiệp có vốn đầu tư nước ngoài",
    " thuộc thẩm quyền cấp tỉnh",
    " thuộc thẩm quyền cấp xã",
    " trong trường hợp bị mất, hỏng",
]


def shipped_records() -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "data/catalog/procedures").glob("*.json"))
    ]


def generate(
    provinces: int = PROVINCES, per_province: int = PER_PROVINCE, seed: int = 2025
) -> Iterator[dict]:
    rng = random.Random(seed)
    base = shipped_records()
    names = [
        (field, f"{action} {obj}{q}")
        for field, objs in OBJECTS.items()
        for action in ACTIONS
        for obj in objs
        for q in QUALIFIERS
    ]
    for p in range(1, provinces + 1):
        for rec in base:
            yield rec | {
                "code": f"{rec['code']}.{p:02d}",
                "province_code": f"{p:02d}",
                "slug": rec.get("slug"),
            }
        for n, (field, name) in enumerate(rng.sample(names, per_province - len(base))):
            level = rng.choice([2, 3, 3, 4, 4])
            yield {
                "code": f"9.{p:02d}{n:04d}",
                "name": name[0].upper() + name[1:],
                "field": field,
                "agency": {"name": "Sở chuyên ngành", "level": "tinh"},
                "online_level": level,
                "channels": [
                    {"channel": "truc_tiep", "processing_time": "10 ngày làm việc", "processing_days": 10}
                ],
                "documents": [{"name": "Đơn đề nghị theo mẫu"}],
                "result": "Văn bản giải quyết",
                "legal_basis": [],
                "sources": [{"url": "https://example.invalid/synthetic-benchmark", "checked": "2026-11-25"}],
                "needs_verification": ["name"],
                "verification_note": "Bản ghi sinh tự động cho benchmark; không phải thủ tục thật.",
                "province_code": f"{p:02d}",
            }


def write_jsonl(path: Path, **kwargs) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as f:
        for rec in generate(**kwargs):
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            count += 1
    return count
