"""Drafts, submission, tracking and agency events.

Secrets (a draft's resume token, a dossier's tracking token) are stored only as SHA-256
hashes and compared in constant time. A dossier opens with its tracking token, or with its
code plus the phone number used when submitting — never with the code alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from typing import Annotated, Any, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.addresses.service import AddressService
from api.db.base import aware
from api.dossiers import status as st
from api.dossiers.calendar import WorkCalendar
from api.dossiers.forms import FormDefinition, load_forms, normalise_phone, validate_answers
from api.dossiers.models import Agency, Attachment, DailySequence, Dossier, DossierEvent, Draft
from api.errors import AppError, BadRequestError, ConflictError, NotFoundError, UnprocessableError
from api.procedures.service import ProcedureDetail, ProcedureService
from api.push.service import enqueue_status

Delivery = Literal["office", "post", "online"]
NOT_FOUND = "Dạ, không tìm thấy hồ sơ với thông tin này. Anh/chị kiểm tra lại mã hồ sơ và số điện thoại nhé."


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(stored_hash: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(stored_hash, token_hash(token or ""))


def storable(value: Any) -> Any:
    """The answers as they can be stored: NUL cannot live in PostgreSQL text or JSONB, and
    no keyboard types it. Everything else is kept exactly as typed."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {storable(str(k)): storable(v) for k, v in value.items()}
    return value


# --- views ---------------------------------------------------------------------------------

class DraftView(msgspec.Struct):
    id: str
    procedure_code: str
    form: str
    answers: dict[str, Any]
    errors: dict[str, str]
    revision: int
    dossier_code: str | None
    updated_at: dt.datetime
    sending_address: dict[str, Any] | None = None


class HistoryItem(msgspec.Struct):
    status: int
    status_name: str
    at: dt.datetime
    actor: str
    note: str | None


class DossierView(msgspec.Struct):
    code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    status: int
    status_name: str
    next_step: str
    overdue: bool
    received_at: dt.datetime
    due_date: dt.date | None
    delivery: str
    fee_vnd: int | None
    return_address: str | None
    history: list[HistoryItem]
    url: str


def draft_view(d: Draft) -> DraftView:
    return DraftView(d.id, d.procedure_code, d.form_slug, d.answers, d.errors, d.revision, d.dossier_code,
                     aware(d.updated_at), d.sending_address)


def dossier_view(d: Dossier, events: list[DossierEvent], today: dt.date | None = None) -> DossierView:
    status = st.Status(d.status)
    return DossierView(
        code=d.code,
        procedure_code=d.procedure_code,
        procedure_name=d.procedure_name,
        agency_code=d.agency_code,
        status=status.value,
        status_name=st.NAMES[status],
        next_step=st.NEXT_STEP[status],
        overdue=st.is_overdue(status, d.due_date, today or dt.date.today()),
        received_at=aware(d.received_at),
        due_date=d.due_date,
        delivery=d.delivery,
        fee_vnd=d.fee_vnd,
        return_address=(d.return_address or {}).get("formatted"),
        history=[
            HistoryItem(e.status_to, st.NAMES[st.Status(e.status_to)], aware(e.occurred_at), e.actor, e.note)
            for e in events
        ],
        url=f"#/ho-so/{d.code}",
    )


async def receiving_agency(session: AsyncSession, level: str, ward_code: str, province_code: str) -> Agency | None:
    """The registered agency of that level serving the citizen's commune (or province)."""
    area = Agency.ward_code == ward_code if level == "xa" else Agency.province_code == province_code
    query = select(Agency).where(Agency.level == level, area, Agency.receiving_address.is_not(None))
    return (await session.execute(query.order_by(Agency.id).limit(1))).scalar_one_or_none()


# --- drafts and submission -----------------------------------------------------------------

class DossierService:
    def __init__(self, session: AsyncSession, addresses: AddressService, calendar: WorkCalendar) -> None:
        self.session = session
        self.addresses = addresses
        self.calendar = calendar

    def _resolve_address(self, text: str) -> dict[str, Any]:
        r = self.addresses.resolver.resolve(text)
        out: dict[str, Any] = {"status": r.status}
        if r.ward:
            out.update(
                formatted=r.formatted,
                ward={"code": r.ward.unit.code, "name": r.ward.unit.name},
                province={"code": r.ward.province.code, "name": r.ward.province.name},
            )
        return out

    async def _form_for(
        self, procedure: ProcedureDetail, missing: type[AppError] = ConflictError
    ) -> FormDefinition:
        """The procedure's online form; ``missing`` says how its absence is reported
        (a conflict when a draft is asked for, not found when the form itself is)."""
        form = load_forms().get(procedure.slug or "")
        if form is None:
            raise missing(
                f"Dạ, thủ tục “{procedure.name}” chưa có biểu mẫu điền trực tuyến. "
                "Anh/chị xem giấy tờ cần chuẩn bị và nộp tại cơ quan nhé.",
                developer_message=f"no form definition for {procedure.slug!r}",
            )
        return form

    async def form_for_procedure(self, procedure_code: str) -> FormDefinition:
        procedure = await ProcedureService(self.session).get(procedure_code)
        return await self._form_for(procedure, missing=NotFoundError)

    async def create_draft(self, procedure_code: str, answers: dict[str, Any]) -> tuple[Draft, str]:
        answers = storable(answers)
        procedure = await ProcedureService(self.session).get(procedure_code)
        form = await self._form_for(procedure)
        token = new_token()
        _values, errors = validate_answers(form, answers, partial=True, resolve_address=self._resolve_address)
        draft = Draft(
            id=str(uuid.uuid4()),
            procedure_code=procedure.code,
            form_slug=form.procedure_slug,
            answers=dict(answers),  # as typed: nothing is dropped, valid or not
            errors=errors,
            resume_token_hash=token_hash(token),
        )
        self.session.add(draft)
        await self.session.flush()
        return draft, token

    async def get_draft(self, draft_id: str, token: str | None) -> Draft:
        draft = await self.session.get(Draft, draft_id) if len(draft_id) <= 36 else None
        if draft is None or not token_matches(draft.resume_token_hash, token):
            raise NotFoundError(
                "Dạ, không mở được bản nháp này. Anh/chị dùng đúng đường dẫn hoặc mã QR đã nhận nhé.",
                developer_message="unknown draft or wrong resume token",
            )
        return draft

    async def update_draft(self, draft: Draft, answers: dict[str, Any]) -> Draft:
        if draft.dossier_code:
            raise ConflictError(
                f"Dạ, hồ sơ này đã được nộp (mã {draft.dossier_code}), không sửa được nữa.",
                developer_message="draft already submitted",
            )
        answers = storable(answers)
        form = load_forms()[draft.form_slug]
        _values, errors = validate_answers(form, answers, partial=True, resolve_address=self._resolve_address)
        merged = {**draft.answers, **answers}
        draft.answers = merged
        draft.errors = {**{k: v for k, v in draft.errors.items() if k not in answers}, **errors}
        draft.revision += 1
        draft.updated_at = dt.datetime.now(dt.UTC)
        await self.session.flush()
        return draft

    def sending_address(self, draft: Draft, text: str, confirmed: bool) -> dict[str, Any]:
        """Normalise the sender's address of a paper dossier; it is kept only once confirmed."""
        if draft.dossier_code:
            raise ConflictError("Dạ, hồ sơ này đã được nộp trực tuyến.", developer_message="draft submitted")
        found = self._resolve_address(text)
        if found["status"] != "resolved":
            raise UnprocessableError(
                "Dạ, địa chỉ chưa xác định được phường/xã. Anh/chị chọn phường/xã trong danh sách gợi ý.",
                developer_message=f"address {found['status']}",
                errors=[{"field": "sending_address", "message": found["status"]}],
            )
        found["input"] = text
        found["confirmed"] = confirmed
        if confirmed:  # the citizen saw the normalised form and agreed
            draft.sending_address = {k: v for k, v in found.items() if k != "status"}
            draft.updated_at = dt.datetime.now(dt.UTC)
        return found

    async def submit(
        self,
        draft: Draft,
        *,
        applicant_name: str,
        phone: str,
        delivery: Delivery,
        return_address: str | None,
        address_confirmed: bool = False,
        now: dt.datetime | None = None,
    ) -> tuple[Dossier, str]:
        if draft.dossier_code:
            raise ConflictError(f"Dạ, hồ sơ này đã được nộp với mã {draft.dossier_code}.",
                                developer_message="draft already submitted")
        procedure = await ProcedureService(self.session).get(draft.procedure_code)
        if procedure.online_level < 3:
            raise ConflictError(
                f"Dạ, thủ tục “{procedure.name}” chưa nộp trực tuyến được. Anh/chị in tờ khai đã điền "
                "và nộp trực tiếp hoặc gửi qua bưu điện.",
                developer_message=f"online level {procedure.online_level} < 3",
            )
        form = load_forms()[draft.form_slug]
        values, errors = validate_answers(form, draft.answers, partial=False, resolve_address=self._resolve_address)
        contact_errors: dict[str, str] = {}
        name = " ".join((applicant_name or "").split())
        if not 2 <= len(name) <= 200:
            contact_errors["applicant_name"] = "Dạ, anh/chị nhập họ và tên người nộp hồ sơ."
        normal_phone = normalise_phone(phone)
        if not normal_phone:
            contact_errors["phone"] = "Dạ, số điện thoại di động gồm 10 số, ví dụ 0912345678."
        address = None
        if delivery == "online" and procedure.online_level < 4:
            contact_errors["delivery"] = "Dạ, thủ tục này chưa trả kết quả trực tuyến; anh/chị chọn nhận tại cơ quan hoặc qua bưu điện."
        if delivery == "post":
            by_post = procedure.online_level == 4 or any(c.channel == "buu_chinh" for c in procedure.channels)
            if not by_post:
                contact_errors["delivery"] = "Dạ, thủ tục này chưa nhận kết quả qua bưu điện."
            elif not return_address:
                contact_errors["return_address"] = "Dạ, anh/chị nhập địa chỉ nhận kết quả."
            elif not address_confirmed:
                contact_errors["return_address"] = "Dạ, anh/chị xác nhận địa chỉ đã chuẩn hóa giúp em."
            else:
                address = self._resolve_address(return_address)
                if address["status"] != "resolved":
                    contact_errors["return_address"] = (
                        "Dạ, địa chỉ chưa xác định được phường/xã. Anh/chị chọn phường/xã trong danh sách gợi ý."
                    )
                address["input"] = return_address
        if errors or contact_errors:
            draft.errors = errors
            raise UnprocessableError(
                "Dạ, còn một số thông tin chưa đúng hoặc còn thiếu. Anh/chị sửa giúp em rồi nộp lại.",
                developer_message="validation failed",
                errors=[{"field": k, "message": v} for k, v in {**errors, **contact_errors}.items()],
            )
        agency = await self._receiving_agency()
        now = now or dt.datetime.now(dt.UTC)
        local = now.astimezone(dt.timezone(dt.timedelta(hours=7)))  # Vietnam time decides the day
        channel = next((c for c in procedure.channels if c.channel == "truc_tuyen"), procedure.channels[0])
        due = self.calendar.due_date(local, channel.processing_days) if channel.processing_days is not None else None
        code = await self._next_code(agency.code, local.date())
        tracking = new_token()
        dossier = Dossier(
            code=code,
            agency_code=agency.code,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            draft_id=draft.id,
            status=st.Status.MOI_DANG_KY,
            received_at=now,
            due_date=due,
            delivery=delivery,
            fee_vnd=channel.fee_vnd,
            applicant_name=name,
            phone=normal_phone or "",
            tracking_token_hash=token_hash(tracking),
            return_address=address,
            answers=values,
        )
        self.session.add(dossier)
        await self.session.flush()
        self.session.add(DossierEvent(dossier_id=dossier.id, status_from=None, status_to=st.Status.MOI_DANG_KY,
                                      actor="citizen", note="Nộp hồ sơ trực tuyến", occurred_at=now))
        draft.dossier_code = code
        draft.errors = {}
        await self.session.flush()
        return dossier, tracking

    async def _receiving_agency(self) -> Agency:
        agency = (await self.session.execute(select(Agency).order_by(Agency.id).limit(1))).scalar_one_or_none()
        if agency is None:
            raise AppError(
                "Dạ, hệ thống chưa kết nối với cơ quan tiếp nhận hồ sơ. Anh/chị vui lòng thử lại sau.",
                developer_message="no agency registered: python -m api register-agency",
                status=503,
            )
        return agency

    async def _next_code(self, agency_code: str, day: dt.date) -> str:
        """agency code – YYMMDD – daily sequence, atomically even with several API processes."""
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(DailySequence).values(agency_code=agency_code, day=day, last=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["agency_code", "day"], set_={"last": DailySequence.last + 1}
        ).returning(DailySequence.last)
        number = (await self.session.execute(stmt)).scalar_one()
        return f"{agency_code}-{day:%y%m%d}-{number:04d}"

    # --- tracking -------------------------------------------------------------------------

    async def _history(self, dossier: Dossier) -> list[DossierEvent]:
        rows = await self.session.execute(
            select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id)
        )
        return list(rows.scalars())

    async def dossier_for(self, code: str, token: str | None = None, phone: str | None = None) -> Dossier:
        """The dossier, only for whoever has its tracking token, or its code plus the phone used."""
        dossier = (
            await self.session.execute(select(Dossier).where(Dossier.code == code.strip().upper()))
        ).scalar_one_or_none()
        allowed = False
        if dossier is not None:
            if token:
                allowed = token_matches(dossier.tracking_token_hash, token)
            elif phone:
                given = normalise_phone(phone) or ""
                allowed = hmac.compare_digest(dossier.phone.encode(), given.encode())
        if dossier is None or not allowed:
            raise NotFoundError(NOT_FOUND, developer_message="unknown code, or token/phone does not match")
        return dossier

    async def by_code(self, code: str) -> Dossier:
        """No secret asked: only for callers that checked the right to see it (the desk, for a
        dossier the citizen shared in a conversation the volunteer holds)."""
        dossier = (await self.session.execute(select(Dossier).where(Dossier.code == code))).scalar_one_or_none()
        if dossier is None:
            raise NotFoundError(NOT_FOUND, developer_message="unknown dossier code")
        return dossier

    async def view(self, dossier: Dossier) -> DossierView:
        return dossier_view(dossier, await self._history(dossier))

    async def open(self, code: str, *, token: str | None = None, phone: str | None = None) -> DossierView:
        return await self.view(await self.dossier_for(code, token=token, phone=phone))

    async def withdraw(self, code: str, token: str | None, reason: str | None) -> DossierView:
        dossier = await self.dossier_for(code, token)
        await self._change(dossier, st.Status.CONG_DAN_RUT, actor="citizen", note=reason or "Công dân rút hồ sơ")
        return await self.view(dossier)

    async def supplement(self, code: str, token: str | None, note: str | None, attachment_ids: list[str]) -> DossierView:
        """The citizen answers a supplement request; the dossier goes back to the agency."""
        dossier = await self.dossier_for(code, token)
        if dossier.status != st.Status.YEU_CAU_BO_SUNG:
            raise ConflictError("Dạ, hồ sơ hiện không cần bổ sung giấy tờ.",
                                developer_message=f"status is {dossier.status}, not 5")
        files = []
        if attachment_ids:
            rows = await self.session.execute(
                select(Attachment).where(Attachment.id.in_(attachment_ids), Attachment.dossier_id == dossier.id)
            )
            files = list(rows.scalars())
            if len(files) != len(set(attachment_ids)):
                raise BadRequestError("Dạ, có tệp chưa tải lên xong. Anh/chị tải lại giúp em.",
                                      developer_message="unknown attachment id for this dossier")
        if not files and not (note or "").strip():
            raise BadRequestError("Dạ, anh/chị tải lên giấy tờ bổ sung hoặc ghi chú giúp em.",
                                  developer_message="empty supplement")
        names = ", ".join(f.name for f in files)
        text = " — ".join(p for p in ((note or "").strip(), f"Giấy tờ bổ sung: {names}" if names else "") if p)
        await self._change(dossier, st.Status.DANG_XU_LY, actor="citizen", note=text)
        return await self.view(dossier)

    async def _change(
        self, dossier: Dossier, new: st.Status, *, actor: str, note: str | None,
        source: str | None = None, event_id: str | None = None, occurred_at: dt.datetime | None = None,
    ) -> None:
        current = st.Status(dossier.status)
        try:
            st.check(current, new)
        except st.InvalidTransition as exc:
            raise ConflictError(
                f"Dạ, hồ sơ đang ở trạng thái “{st.NAMES[current]}”, không chuyển sang “{st.NAMES[new]}” được.",
                developer_message=str(exc),
            ) from exc
        dossier.status = new
        dossier.updated_at = dt.datetime.now(dt.UTC)
        self.session.add(DossierEvent(dossier_id=dossier.id, status_from=current, status_to=new, actor=actor,
                                      note=note, source=source, event_id=event_id,
                                      occurred_at=occurred_at or dt.datetime.now(dt.UTC)))
        # The outbox rows commit or roll back with the status change itself.
        await enqueue_status(self.session, dossier, new)
        await self.session.flush()

    # --- agency events --------------------------------------------------------------------

    async def apply_agency_event(self, agency: Agency, event: AgencyEvent) -> tuple[DossierView, bool]:
        """Returns the dossier and whether the event was new (False: already applied)."""
        dossier = (
            await self.session.execute(select(Dossier).where(Dossier.code == event.dossier_code))
        ).scalar_one_or_none()
        if dossier is None or dossier.agency_code != agency.code:
            raise NotFoundError("Không tìm thấy hồ sơ.", developer_message="unknown dossier for this agency")
        seen = (
            await self.session.execute(
                select(DossierEvent).where(DossierEvent.source == agency.code, DossierEvent.event_id == event.event_id)
            )
        ).scalar_one_or_none()
        if seen is not None:
            return await self.view(dossier), False
        try:
            requested = st.Status(event.status)
        except ValueError as exc:
            raise BadRequestError("Trạng thái không hợp lệ.", developer_message="status must be 1..10") from exc
        try:
            await self._change(dossier, requested, actor=f"agency:{agency.code}", note=event.note,
                               source=agency.code, event_id=event.event_id, occurred_at=event.occurred_at)
        except IntegrityError:  # the same event id arriving twice at the same time
            await self.session.rollback()
            raise ConflictError("Sự kiện đã được ghi nhận.", developer_message="duplicate event id") from None
        return await self.view(dossier), True


class AgencyEvent(msgspec.Struct, forbid_unknown_fields=True):
    """One status change as the agency's one-stop system sends it."""

    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    dossier_code: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    status: Annotated[int, msgspec.Meta(ge=1, le=10)]
    occurred_at: dt.datetime | None = None
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
