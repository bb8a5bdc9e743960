"""HTTP layer of addresses: resolve a free-text address, suggest communes as the citizen types."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.addresses.service import AddressResolution, AddressService, Suggestions
from api.errors import BadRequestError
from api.http import PROBLEM_RESPONSES

TAGS = ["Địa chỉ"]


@get("/api/addresses/resolve", summary="Chuẩn hóa địa chỉ theo đơn vị hành chính mới", tags=TAGS,
     responses=PROBLEM_RESPONSES)
async def resolve_address(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    q: Annotated[
        str,
        Parameter(
            description="Địa chỉ như người dân viết, có thể theo đơn vị hành chính cũ",
            max_length=300,
            examples=[Example(value="12/5 ngõ 34 Hào Nam, P. Ô Chợ Dừa, Q. Đống Đa, HN"),
                      Example(value="ap 3 xa Tan Phu tinh Dong Thap")],
        ),
    ],
) -> AddressResolution:
    if not q.strip():
        raise BadRequestError("Dạ, anh/chị chưa nhập địa chỉ.", developer_message="q is blank",
                              errors=[{"field": "q", "message": "blank"}])
    service: AddressService = request.app.state.addresses
    return await service.resolve(db_session, q)


@get("/api/addresses/suggest", summary="Gợi ý phường/xã khi đang gõ", tags=TAGS, responses=PROBLEM_RESPONSES)
async def suggest_address(
    request: Request,
    q: Annotated[str, Parameter(max_length=100, examples=[Example(value="ben th")])],
    limit: Annotated[int, Parameter(ge=1, le=20)] = 8,
) -> Suggestions:
    service: AddressService = request.app.state.addresses
    return service.suggest(q, limit)
