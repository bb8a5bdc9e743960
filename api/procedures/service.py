"""Catalog service: look up procedures and keep the search index in step with the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import NotFoundError
from api.procedures.levels import LEVELS, Level
from api.procedures.models import CatalogState, Procedure
from api.procedures.schema import ONLINE_LEVEL_NAMES, ProcedureRecord
from api.procedures.search import DocInput, SearchIndex, SearchResult

log = logging.getLogger("api.procedures")


class VersionRef(msgspec.Struct):
    version: int
    status: str
    effective_date: dt.date | None


class MailTo(msgspec.Struct):
    """Where to send a paper dossier by post (levels 1–2, or when the citizen prefers paper)."""

    agency: str
    # The receiving address when the catalog records one; None: not known, never invented.
    address: str | None
    how: str


class ProcedureDetail(ProcedureRecord, kw_only=True):
    """The full record, plus what the citizen needs to read it."""

    online_level_name: str
    level_explained: Level
    checked_on: dt.date
    versions: list[VersionRef]
    mail_to: MailTo | None


def mail_to(record: ProcedureRecord, receiving: tuple[str, str] | None = None) -> MailTo | None:
    """Where to send a paper dossier: ``receiving`` is (agency name, address) of the agency
    registered for the citizen's commune or province, when there is one."""
    by_post = any(c.channel == "buu_chinh" for c in record.channels)
    if not by_post and record.online_level > 2:
        return None
    name, address = receiving or (record.agency.name, record.agency.postal_address)
    if address:
        how = (
            f"Anh/chị gửi hồ sơ qua dịch vụ bưu chính công ích đến {name}, địa chỉ: "
            f"{address}. Ngoài phong bì ghi rõ: “Hồ sơ {record.name}”."
        )
    else:
        how = (
            f"Anh/chị gửi hồ sơ qua dịch vụ bưu chính công ích đến {name} nơi có thẩm quyền giải quyết "
            f"(thường là nơi anh/chị cư trú); ngoài phong bì ghi rõ: “Hồ sơ {record.name}”. "
            "Địa chỉ nhận cụ thể anh/chị hỏi bưu điện hoặc xem trên trang của cơ quan."
        )
    if not by_post:
        how = "Thủ tục này chưa ghi nhận cách gửi qua bưu điện; anh/chị nộp trực tiếp tại cơ quan. " + how
    return MailTo(agency=name, address=address, how=how)


async def read_revision(session: AsyncSession) -> int:
    state = await session.get(CatalogState, 1)
    return state.revision if state else 0


async def load_docs(session: AsyncSession) -> list[DocInput]:
    """The current version of every active procedure, as the search index needs it."""
    today = dt.date.today()
    rows = (
        await session.execute(
            select(
                Procedure.id,
                Procedure.code,
                Procedure.version,
                Procedure.effective_date,
                Procedure.status,
                Procedure.name,
                Procedure.field,
                Procedure.online_level,
                Procedure.slug,
                Procedure.agency_level,
                Procedure.aliases,
                Procedure.result,
                Procedure.province_code,
            ).order_by(Procedure.code, Procedure.version)
        )
    ).all()
    current: dict[str, Any] = {}
    for row in rows:
        # A newer version counts from its effective date; until then the older one stays current.
        if row.effective_date and row.effective_date > today and row.code in current:
            continue
        current[row.code] = row
    return [
        DocInput(
            id=r.id,
            code=r.code,
            name=r.name,
            field=r.field,
            online_level=r.online_level,
            slug=r.slug,
            agency_level=r.agency_level,
            aliases=tuple(r.aliases or ()),
            result=r.result or "",
            province_code=r.province_code,
        )
        for r in current.values()
        if r.status == "active"
    ]


class CatalogIndex:
    """The search index of this process, rebuilt when another import changed the catalog."""

    def __init__(self) -> None:
        self.index = SearchIndex([])
        self.revision = -1
        self.built_at: float | None = None
        self.build_seconds: float | None = None
        self._lock = asyncio.Lock()

    @property
    def ready(self) -> bool:
        return self.built_at is not None

    async def refresh(self, sessions: async_sessionmaker[AsyncSession], *, force: bool = False) -> bool:
        async with self._lock:
            async with sessions() as session:
                revision = await read_revision(session)
                if revision == self.revision and not force:
                    return False
                docs = await load_docs(session)
            started = time.perf_counter()
            # Building is CPU work (tokenising, underthesea): keep the event loop free.
            index = await asyncio.to_thread(SearchIndex, docs)
            self.index, self.revision = index, revision
            self.build_seconds = time.perf_counter() - started
            self.built_at = time.time()
            log.info(
                "search index built: %d procedures, revision %d, %.2fs", index.n, revision, self.build_seconds
            )
            return True

    async def run_refresher(self, sessions: async_sessionmaker[AsyncSession], every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh(sessions)
            except Exception:  # a failed refresh keeps the old index; health reports the database
                log.exception("search index refresh failed")

    def search(
        self, query: str, limit: int = 10, offset: int = 0, province: str | None = None
    ) -> SearchResult:
        return self.index.search(query, limit=limit, offset=offset, province=province)


class ProcedureService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str) -> ProcedureDetail:
        rows = (
            (
                await self.session.execute(
                    select(Procedure).where(Procedure.code == code).order_by(Procedure.version)
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            raise NotFoundError(
                f"Dạ, không tìm thấy thủ tục có mã {code}. Anh/chị kiểm tra lại mã hoặc tìm theo tên thủ tục.",
                developer_message=f"no procedure with code {code!r}",
            )
        today = dt.date.today()
        in_force = [r for r in rows if not (r.effective_date and r.effective_date > today)] or rows
        row = in_force[-1]
        record = msgspec.convert(row.record, ProcedureRecord)
        return ProcedureDetail(
            **msgspec.structs.asdict(record),
            online_level_name=ONLINE_LEVEL_NAMES[record.online_level],
            level_explained=LEVELS[record.online_level - 1],
            checked_on=row.checked_on,
            versions=[VersionRef(r.version, r.status, r.effective_date) for r in rows],
            mail_to=mail_to(record),
        )

    async def count(self) -> int:
        return int((await self.session.execute(select(func.count()).select_from(Procedure))).scalar_one())
