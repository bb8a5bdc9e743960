"""The dossier status lifecycle: the national portal's codes 1–10 as an explicit state machine.

"Quá hạn" (overdue) is not a status: it is derived from the due date while the dossier
is still open.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum


class Status(IntEnum):
    MOI_DANG_KY = 1
    DUOC_TIEP_NHAN = 2
    KHONG_DUOC_TIEP_NHAN = 3
    DANG_XU_LY = 4
    YEU_CAU_BO_SUNG = 5
    NGHIA_VU_TAI_CHINH = 6
    CONG_DAN_RUT = 7
    DUNG_XU_LY = 8
    DA_XU_LY_XONG = 9
    DA_TRA_KET_QUA = 10


NAMES: dict[Status, str] = {
    Status.MOI_DANG_KY: "Mới đăng ký",
    Status.DUOC_TIEP_NHAN: "Được tiếp nhận",
    Status.KHONG_DUOC_TIEP_NHAN: "Không được tiếp nhận",
    Status.DANG_XU_LY: "Đang xử lý",
    Status.YEU_CAU_BO_SUNG: "Yêu cầu bổ sung giấy tờ",
    Status.NGHIA_VU_TAI_CHINH: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.CONG_DAN_RUT: "Công dân yêu cầu rút hồ sơ",
    Status.DUNG_XU_LY: "Dừng xử lý",
    Status.DA_XU_LY_XONG: "Đã xử lý xong",
    Status.DA_TRA_KET_QUA: "Đã trả kết quả",
}

# What the citizen should do next, in plain words.
NEXT_STEP: dict[Status, str] = {
    Status.MOI_DANG_KY: "Hồ sơ đang chờ cơ quan kiểm tra và tiếp nhận. Anh/chị chưa cần làm gì thêm.",
    Status.DUOC_TIEP_NHAN: "Cơ quan đã nhận hồ sơ. Anh/chị chờ đến ngày hẹn trả kết quả.",
    Status.KHONG_DUOC_TIEP_NHAN: "Hồ sơ không được tiếp nhận. Anh/chị xem lý do và nộp lại khi đủ giấy tờ.",
    Status.DANG_XU_LY: "Hồ sơ đang được giải quyết. Anh/chị chờ đến ngày hẹn trả kết quả.",
    Status.YEU_CAU_BO_SUNG: "Anh/chị cần bổ sung giấy tờ theo yêu cầu của cơ quan để hồ sơ được tiếp tục.",
    Status.NGHIA_VU_TAI_CHINH: "Anh/chị cần nộp phí, lệ phí hoặc nghĩa vụ tài chính để hồ sơ được tiếp tục.",
    Status.CONG_DAN_RUT: "Hồ sơ đã được rút theo yêu cầu của anh/chị.",
    Status.DUNG_XU_LY: "Cơ quan đã dừng giải quyết hồ sơ. Anh/chị xem lý do trong lịch sử hồ sơ.",
    Status.DA_XU_LY_XONG: "Kết quả đã sẵn sàng. Anh/chị nhận theo cách đã chọn khi nộp hồ sơ.",
    Status.DA_TRA_KET_QUA: "Anh/chị đã nhận kết quả. Thủ tục đã hoàn tất.",
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.MOI_DANG_KY: frozenset({Status.DUOC_TIEP_NHAN, Status.KHONG_DUOC_TIEP_NHAN, Status.CONG_DAN_RUT}),
    Status.DUOC_TIEP_NHAN: frozenset({Status.DANG_XU_LY, Status.CONG_DAN_RUT}),
    Status.DANG_XU_LY: frozenset(
        {Status.YEU_CAU_BO_SUNG, Status.NGHIA_VU_TAI_CHINH, Status.DUNG_XU_LY, Status.DA_XU_LY_XONG,
         Status.CONG_DAN_RUT}
    ),
    Status.YEU_CAU_BO_SUNG: frozenset({Status.DANG_XU_LY, Status.DUNG_XU_LY, Status.CONG_DAN_RUT}),
    Status.NGHIA_VU_TAI_CHINH: frozenset(
        {Status.DANG_XU_LY, Status.DA_XU_LY_XONG, Status.DUNG_XU_LY, Status.CONG_DAN_RUT}
    ),
    Status.DA_XU_LY_XONG: frozenset({Status.DA_TRA_KET_QUA}),
    Status.KHONG_DUOC_TIEP_NHAN: frozenset(),
    Status.CONG_DAN_RUT: frozenset(),
    Status.DUNG_XU_LY: frozenset(),
    Status.DA_TRA_KET_QUA: frozenset(),
}
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
# The citizen may withdraw only while the agency has not finished.
WITHDRAWABLE = frozenset(s for s, nxt in TRANSITIONS.items() if Status.CONG_DAN_RUT in nxt)


class InvalidTransition(ValueError):
    def __init__(self, current: Status, requested: Status) -> None:
        super().__init__(f"{current.name} ({current.value}) → {requested.name} ({requested.value}) is not allowed")
        self.current = current
        self.requested = requested


def check(current: Status, requested: Status) -> None:
    if requested not in TRANSITIONS[current]:
        raise InvalidTransition(current, requested)


def is_overdue(status: Status, due: dt.date | None, today: dt.date) -> bool:
    """Open dossiers past their due date (a supplement request stops the clock)."""
    return (
        due is not None
        and today > due
        and status not in TERMINAL
        and status not in (Status.DA_XU_LY_XONG, Status.YEU_CAU_BO_SUNG)
    )
