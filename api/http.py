"""Pieces every HTTP layer shares: the documented problem responses."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    developer_message: str | None = None
    errors: list[dict[str, Any]] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, description=description, media_type="application/problem+json"
    )


PROBLEM_RESPONSES: dict[int, ResponseSpec] = {
    400: _spec("Tham số không hợp lệ"),
    404: _spec("Không tìm thấy"),
}


def problems(**descriptions: str) -> dict[int, ResponseSpec]:
    """The usual 400/404 plus more: ``problems(s409="…", s422="…")``."""
    return {**PROBLEM_RESPONSES, **{int(k[1:]): _spec(v) for k, v in descriptions.items()}}
