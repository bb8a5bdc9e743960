"""HTTP layer of the catalog: search, detail, levels."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.dossiers.service import receiving_agency
from api.http import PROBLEM_RESPONSES
from api.procedures.levels import LEGAL_BASIS, LEVELS, Level
from api.procedures.schema import ONLINE_LEVEL_NAMES
from api.procedures.search import DocInput
from api.procedures.service import CatalogIndex, ProcedureDetail, ProcedureService, mail_to


class SearchItem(msgspec.Struct):
    code: str
    name: str
    online_level: int
    online_level_name: str
    field: str
    agency_level: str
    slug: str | None
    score: float


class SearchPage(msgspec.Struct):
    items: list[SearchItem]
    total: int
    query: str
    # The query as the search understood it (folded, shorthand expanded, typos fixed).
    understood: str
    # False when the citizen should be offered the top few to choose from.
    confident: bool
    limit: int
    offset: int


class LevelsPage(msgspec.Struct):
    levels: list[Level]
    legal_basis: list[str]


def _item(doc: DocInput, score: float) -> SearchItem:
    return SearchItem(
        code=doc.code,
        name=doc.name,
        online_level=doc.online_level,
        online_level_name=ONLINE_LEVEL_NAMES[doc.online_level],
        field=doc.field,
        agency_level=doc.agency_level,
        slug=doc.slug,
        score=round(score, 4),
    )


class ProcedureController(Controller):
    path = "/api/procedures"
    tags = ["Thủ tục hành chính"]

    @get("/", summary="Tìm thủ tục", responses=PROBLEM_RESPONSES)
    async def search(
        self,
        request: Request,
        q: Annotated[
            str | None,
            Parameter(
                description="Câu hỏi hoặc tên thủ tục, có dấu hay không dấu",
                max_length=300,
                examples=[Example(value="lam lai bang lai"), Example(value="làm giấy khai sinh cần gì")],
            ),
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=50)] = 10,
        offset: Annotated[int, Parameter(ge=0, le=10_000)] = 0,
        province: Annotated[
            str | None,
            Parameter(
                description="Mã tỉnh/thành phố (2 chữ số): chỉ thủ tục của tỉnh đó và thủ tục chung",
                pattern=r"^[0-9]{2}$",
            ),
        ] = None,
    ) -> SearchPage:
        catalog: CatalogIndex = request.app.state.catalog
        query = (q or "").strip()
        if not query:  # no query: the catalog in name order
            docs = sorted(
                (d for d in catalog.index.docs if province is None or d.province_code in (None, province)),
                key=lambda d: d.name,
            )
            items = [_item(d, 0.0) for d in docs[offset : offset + limit]]
            return SearchPage(items, len(docs), "", "", False, limit, offset)
        result = catalog.search(query, limit=limit, offset=offset, province=province)
        return SearchPage(
            items=[_item(h.doc, h.score) for h in result.hits],
            total=result.total,
            query=query,
            understood=result.corrected,
            confident=result.confident,
            limit=limit,
            offset=offset,
        )

    @get("/{code:str}", summary="Chi tiết thủ tục", responses=PROBLEM_RESPONSES)
    async def detail(
        self,
        request: Request,
        code: Annotated[
            str, Parameter(description="Mã thủ tục, ví dụ 1.001193", examples=[Example(value="1.001193")])
        ],
        db_session: NamedDependency[AsyncSession],
        ward: Annotated[
            str | None,
            Parameter(
                description="Mã phường/xã (2025) nơi anh/chị ở: cho biết nơi gửi hồ sơ qua bưu điện",
                pattern=r"^[0-9]{5}$",
            ),
        ] = None,
    ) -> ProcedureDetail:
        detail = await ProcedureService(db_session).get(code.strip())
        unit = request.app.state.addresses.g.wards.get(ward) if ward else None
        if unit is None or detail.mail_to is None:
            return detail
        agency = await receiving_agency(db_session, detail.agency.level, unit.unit.code, unit.province.code)
        if agency is None or not agency.receiving_address:
            return detail
        return msgspec.structs.replace(detail, mail_to=mail_to(detail, (agency.name, agency.receiving_address)))


@get("/api/levels", summary="Bốn mức độ dịch vụ công trực tuyến", tags=["Thủ tục hành chính"])
async def levels() -> LevelsPage:
    return LevelsPage(levels=LEVELS, legal_basis=LEGAL_BASIS)
