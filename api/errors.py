"""RFC 9457 problem details with a Vietnamese ``detail`` a citizen can understand.

Every error the API returns goes through here: the citizen reads ``title`` and
``detail`` (Vietnamese, plain words), a developer reads ``developer_message``
and ``errors`` (which parameter or field, and why). Nothing becomes a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

log = logging.getLogger("api.errors")

PROBLEM_JSON = "application/problem+json"

# Default Vietnamese wording per status, for errors raised by the framework itself.
_TITLES = {
    400: ("Yêu cầu không hợp lệ", "Dạ, thông tin gửi lên chưa đúng. Anh/chị vui lòng kiểm tra lại."),
    401: ("Chưa đăng nhập", "Dạ, anh/chị cần đăng nhập để dùng chức năng này."),
    403: ("Không có quyền", "Dạ, anh/chị không có quyền xem nội dung này."),
    404: ("Không tìm thấy", "Dạ, không tìm thấy trang hoặc thông tin anh/chị cần."),
    405: ("Thao tác không được hỗ trợ", "Dạ, địa chỉ này không hỗ trợ thao tác đó."),
    409: ("Xung đột dữ liệu", "Dạ, thao tác này không thực hiện được ở trạng thái hiện tại."),
    413: ("Dữ liệu quá lớn", "Dạ, nội dung gửi lên quá lớn. Anh/chị vui lòng gửi tệp nhỏ hơn."),
    415: ("Định dạng không được hỗ trợ", "Dạ, định dạng dữ liệu gửi lên không được hỗ trợ."),
    422: ("Dữ liệu không hợp lệ", "Dạ, một số thông tin chưa đúng. Anh/chị vui lòng kiểm tra lại."),
    429: ("Quá nhiều yêu cầu", "Dạ, anh/chị thao tác nhanh quá. Vui lòng đợi một chút rồi thử lại."),
    500: ("Lỗi hệ thống", "Dạ, hệ thống đang gặp sự cố. Anh/chị vui lòng thử lại sau ít phút."),
    503: ("Tạm ngừng phục vụ", "Dạ, hệ thống đang bận hoặc đang khởi động. Anh/chị vui lòng thử lại sau."),
}


class AppError(Exception):
    """An error with a message for the citizen and one for the developer."""

    status = 400

    def __init__(
        self,
        detail: str,
        *,
        developer_message: str = "",
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(developer_message or detail)
        self.detail = detail
        self.developer_message = developer_message
        self.title = title
        self.errors = errors or []
        self.headers = headers or {}
        if status is not None:
            self.status = status


class BadRequestError(AppError):
    status = 400


class NotFoundError(AppError):
    status = 404


class ConflictError(AppError):
    status = 409


class UnprocessableError(AppError):
    """Well-formed, but the content is not right (a wrong phone number, a missing answer)."""

    status = 422


def problem(
    request: Request, status: int, detail: str | None = None, *, title: str | None = None, **extra: Any
) -> Response:
    default_title, default_detail = _TITLES.get(status, _TITLES[500 if status >= 500 else 400])
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or default_title,
        "status": status,
        "detail": detail or default_detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v})
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _app_error(request: Request, exc: AppError) -> Response:
    response = problem(
        request,
        exc.status,
        exc.detail,
        title=exc.title,
        developer_message=exc.developer_message,
        errors=exc.errors,
    )
    response.headers.update(exc.headers)
    return response


def _validation_error(request: Request, exc: ValidationException) -> Response:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            errors.append(
                {
                    "field": str(item.get("key") or item.get("source") or ""),
                    "message": str(item.get("message", "")),
                }
            )
    names = ", ".join(e["field"] for e in errors if e["field"])
    detail = (
        "Dạ, thông tin gửi lên chưa đúng"
        + (f" ({names})" if names else "")
        + ". Anh/chị vui lòng kiểm tra lại."
    )
    return problem(request, 400, detail, developer_message=str(exc.detail), errors=errors)


def _http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    developer = str(exc.detail) if exc.detail else ""
    headers = getattr(exc, "headers", None) or {}
    response = problem(request, status, developer_message=developer)
    response.headers.update(headers)
    return response


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, developer_message=type(exc).__name__)


EXCEPTION_HANDLERS = {
    AppError: _app_error,
    ValidationException: _validation_error,
    NotFoundException: _http_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}

__all__ = [
    "AppError",
    "BadRequestError",
    "ConflictError",
    "EXCEPTION_HANDLERS",
    "NotFoundError",
    "PROBLEM_JSON",
    "problem",
]
