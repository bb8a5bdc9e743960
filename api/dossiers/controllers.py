"""HTTP layer of dossiers: drafts, submission, tracking, and the agencies' status events."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import HttpMethod, RequestEncodingType
from litestar.params import Body, HeaderParameter, JSONBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.dossiers import pdf
from api.dossiers.forms import FormDefinition, load_forms, visible_field_ids
from api.dossiers.integration import SignatureError, verify
from api.dossiers.models import Agency
from api.dossiers.pdf import display_value
from api.dossiers.service import (
    AgencyEvent,
    Delivery,
    DossierService,
    DossierView,
    DraftView,
    draft_view,
)
from api.dossiers.uploads import MAX_UPLOAD_BYTES, store_upload
from api.errors import AppError, BadRequestError, NotFoundError
from api.http import PROBLEM_RESPONSES, problems
from api.procedures.service import ProcedureService
from api.ratelimit import RateLimiter

TAGS = ["Hồ sơ"]
RESPONSES = {**PROBLEM_RESPONSES}


class LookupLimits:
    """Guessing dossier codes, tokens or phone numbers must be slow: failed lookups are counted
    per client and per code, and once either used its minute up, every lookup waits. A citizen
    refreshing their own dossier's page (right token) is never slowed down."""

    def __init__(self, redis: Any = None) -> None:
        self.per_client = RateLimiter(per_minute=10, name="lookup-client", redis=redis)
        self.per_code = RateLimiter(per_minute=5, name="lookup-code", redis=redis)

    @contextlib.asynccontextmanager
    async def guard(self, request: Request, code: str) -> AsyncIterator[None]:
        client, key = request.client.host if request.client else "?", code.strip().upper()
        await self.per_client.check(client)
        await self.per_code.check(key)
        try:
            yield
        except NotFoundError:
            await self.per_client.hit(client)
            await self.per_code.hit(key)
            raise

Token = Annotated[str | None, HeaderParameter(name="X-Resume-Token", required=False)]
TrackingHeader = Annotated[str | None, HeaderParameter(name="X-Tracking-Token", required=False)]
# The secret link (resume or tracking) carries its token in the query string: it is a
# capability, not personal data.
TokenQuery = Annotated[str | None, QueryParameter(name="token", required=False)]


class NewDraft(msgspec.Struct):
    procedure_code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    answers: dict[str, Any] = {}


class DraftUpdate(msgspec.Struct):
    answers: dict[str, Any]


class DraftCreated(msgspec.Struct):
    draft: DraftView
    # Secret: whoever has it can continue the draft. Shown once, as a link and a QR code.
    resume_token: str
    resume_url: str


class Submission(msgspec.Struct):
    applicant_name: Annotated[str, msgspec.Meta(max_length=200)]
    phone: Annotated[str, msgspec.Meta(max_length=20)]
    delivery: Delivery = "office"
    # As the citizen typed it; required for delivery by post, with their confirmation of
    # the normalised form (GET /api/addresses/resolve shows it to them first).
    return_address: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    return_address_confirmed: bool = False


class Receipt(msgspec.Struct):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    code: str
    procedure_name: str
    applicant_name: str
    agency_code: str
    received_at: dt.datetime
    due_date: dt.date | None
    delivery: str
    fee_vnd: int | None
    return_address: str | None


class Submitted(msgspec.Struct):
    dossier: DossierView
    receipt: Receipt
    # Secret: opens the dossier's page. Printed on the receipt as a link and a QR code.
    tracking_token: str
    tracking_url: str


class Lookup(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class Withdrawal(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None


@dataclass
class FileUpload:
    """multipart/form-data with one part named "file"."""

    file: UploadFile


class AttachmentRef(msgspec.Struct):
    """What a form's attachment field holds: put it in the draft's answers."""

    id: str
    name: str
    content_type: str
    size: int


class SendingAddress(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    # False: only show the normalised address; True: the citizen confirmed it, keep it.
    confirmed: bool = False


class Supplement(msgspec.Struct):
    note: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    attachments: Annotated[list[str], msgspec.Meta(max_length=20)] = []


class EventApplied(msgspec.Struct):
    applied: bool  # False: this event id was already applied; nothing changed
    dossier: DossierView


def _uploads(request: Request) -> Path:
    return request.app.state.settings.data_dir / "uploads"


def _service(request: Request, session: AsyncSession) -> DossierService:
    return DossierService(session, request.app.state.addresses, request.app.state.calendar)


@get("/api/procedures/{code:str}/form", summary="Tờ khai điền trực tuyến của thủ tục", tags=TAGS,
     responses=problems(s404="Thủ tục chưa có tờ khai trực tuyến"))
async def procedure_form(request: Request, code: str, db_session: NamedDependency[AsyncSession]) -> FormDefinition:
    # The app asks its questions from this definition; the server validates with the same one.
    return await _service(request, db_session).form_for_procedure(code.strip())


@post("/api/drafts", summary="Tạo bản nháp tờ khai", tags=TAGS, status_code=201,
      responses=problems(s409="Thủ tục chưa có biểu mẫu trực tuyến"))
async def create_draft(request: Request, data: JSONBody[NewDraft], db_session: NamedDependency[AsyncSession]) -> DraftCreated:
    draft, token = await _service(request, db_session).create_draft(data.procedure_code.strip(), data.answers)
    return DraftCreated(draft_view(draft), token, f"#/nhap/{draft.id}?t={token}")


class DraftController(Controller):
    """GET and PATCH share one path: one route, so OPTIONS lists both methods."""

    path = "/api/drafts/{draft_id:str}"
    tags = TAGS

    @get(summary="Mở lại bản nháp", responses=RESPONSES)
    async def get_draft(
        self, request: Request, draft_id: str, db_session: NamedDependency[AsyncSession],
        x_resume_token: Token = None, token: TokenQuery = None,
    ) -> DraftView:
        return draft_view(await _service(request, db_session).get_draft(draft_id, x_resume_token or token))

    @patch(summary="Lưu câu trả lời", responses=problems(s409="Hồ sơ đã nộp"))
    async def update_draft(
        self, request: Request, draft_id: str, data: JSONBody[DraftUpdate], db_session: NamedDependency[AsyncSession],
        x_resume_token: Token = None, token: TokenQuery = None,
    ) -> DraftView:
        service = _service(request, db_session)
        draft = await service.get_draft(draft_id, x_resume_token or token)
        return draft_view(await service.update_draft(draft, data.answers))

    @get("/form.pdf", summary="Tờ khai đã điền để in (nộp giấy hoặc gửi bưu điện)", responses=RESPONSES,
         media_type="application/pdf")
    async def form_pdf(
        self, request: Request, draft_id: str, db_session: NamedDependency[AsyncSession],
        x_resume_token: Token = None, token: TokenQuery = None,
    ) -> Response[bytes]:
        service = _service(request, db_session)
        draft = await service.get_draft(draft_id, x_resume_token or token)
        procedure = await ProcedureService(db_session).get(draft.procedure_code)
        form = load_forms()[draft.form_slug]
        labels = {f.id: f.label for f in form.fields}
        shown = visible_field_ids(form, draft.answers)
        pages = [
            (p.title, [(labels[f], display_value(draft.answers.get(f))) for f in p.fields if f in shown])
            for p in form.pages
        ]
        if draft.sending_address:
            pages.append(("Người gửi hồ sơ qua bưu điện", [("Địa chỉ", draft.sending_address["formatted"])]))
        content = await asyncio.to_thread(
            pdf.form_pdf, title=form.title, procedure_name=procedure.name, pages=pages,
            agency=procedure.agency.name, mail_to=procedure.mail_to.how if procedure.mail_to else None,
            applicant_note="Tôi cam đoan những nội dung khai trên đây là đúng sự thật.",
        )
        return Response(content, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="to-khai-{draft.id[:8]}.pdf"'})

    @post("/attachments", summary="Tải lên giấy tờ (PDF, JPEG, PNG)", status_code=201,
          responses=problems(s413="Tệp quá lớn"), request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024)
    async def upload(
        self, request: Request, draft_id: str, db_session: NamedDependency[AsyncSession],
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        x_resume_token: Token = None, token: TokenQuery = None,
    ) -> AttachmentRef:
        draft = await _service(request, db_session).get_draft(draft_id, x_resume_token or token)
        a = await store_upload(db_session, _uploads(request), data.file, draft_id=draft.id)
        return AttachmentRef(a.id, a.name, a.content_type, a.size)

    @put("/sending-address", summary="Địa chỉ người gửi (hồ sơ giấy gửi qua bưu điện)",
         responses=problems(s409="Hồ sơ đã nộp trực tuyến", s422="Chưa xác định được phường/xã"))
    async def sending_address(
        self, request: Request, draft_id: str, data: JSONBody[SendingAddress], db_session: NamedDependency[AsyncSession],
        x_resume_token: Token = None, token: TokenQuery = None,
    ) -> dict[str, Any]:
        service = _service(request, db_session)
        draft = await service.get_draft(draft_id, x_resume_token or token)
        return service.sending_address(draft, data.text, data.confirmed)

    @get("/resume-qr.svg", summary="Mã QR của đường dẫn tiếp tục bản nháp", responses=RESPONSES,
         media_type="image/svg+xml")
    async def resume_qr(
        self, request: Request, draft_id: str, db_session: NamedDependency[AsyncSession],
        x_resume_token: Token = None, token: TokenQuery = None,
    ) -> Response[str]:
        secret = x_resume_token or token
        draft = await _service(request, db_session).get_draft(draft_id, secret)
        link = f"{request.app.state.settings.public_url}/#/nhap/{draft.id}?t={secret}"
        svg = await asyncio.to_thread(pdf.qr_svg, link)
        # The link is a secret: never cached by a shared cache.
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @route(http_method=HttpMethod.OPTIONS, include_in_schema=False, status_code=204)
    async def allowed(self) -> Response[None]:
        # Litestar's automatic OPTIONS answer leaves PATCH out of Allow on this route.
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, PATCH"})


@post("/api/drafts/{draft_id:str}/submit", summary="Nộp hồ sơ", tags=TAGS, status_code=201,
      responses=problems(s409="Không nộp được", s422="Thông tin chưa đúng", s503="Chưa có cơ quan tiếp nhận"))
async def submit_draft(
    request: Request, draft_id: str, data: JSONBody[Submission], db_session: NamedDependency[AsyncSession],
    x_resume_token: Token = None, token: TokenQuery = None,
) -> Submitted:
    service = _service(request, db_session)
    draft = await service.get_draft(draft_id, x_resume_token or token)
    try:
        dossier, tracking = await service.submit(
            draft, applicant_name=data.applicant_name, phone=data.phone, delivery=data.delivery,
            return_address=data.return_address, address_confirmed=data.return_address_confirmed,
        )
    except AppError:
        await db_session.commit()  # keep what the citizen typed and the errors found
        raise
    view = await service.view(dossier)
    receipt = Receipt(dossier.code, dossier.procedure_name, dossier.applicant_name, dossier.agency_code,
                      dossier.received_at, dossier.due_date, dossier.delivery, dossier.fee_vnd, view.return_address)
    return Submitted(view, receipt, tracking, f"#/ho-so/{dossier.code}?t={tracking}")


@get("/api/dossiers/{code:str}", summary="Theo dõi hồ sơ (bằng mã theo dõi)", tags=TAGS,
     responses=problems(s429="Quá nhiều lần tra cứu"))
async def get_dossier(
    request: Request, code: str, db_session: NamedDependency[AsyncSession],
    x_tracking_token: TrackingHeader = None,
    token: TokenQuery = None,
) -> DossierView:
    async with request.app.state.lookup_limits.guard(request, code):
        return await _service(request, db_session).open(code, token=x_tracking_token or token)


@get("/api/dossiers/{code:str}/receipt.pdf", summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)", tags=TAGS,
     responses=problems(s429="Quá nhiều lần tra cứu"), media_type="application/pdf")
async def receipt_pdf(
    request: Request, code: str, db_session: NamedDependency[AsyncSession],
    x_tracking_token: TrackingHeader = None, token: TokenQuery = None,
) -> Response[bytes]:
    secret = x_tracking_token or token
    service = _service(request, db_session)
    async with request.app.state.lookup_limits.guard(request, code):
        dossier = await service.dossier_for(code, token=secret)
    view = await service.view(dossier)
    agency = (await db_session.execute(select(Agency).where(Agency.code == view.agency_code))).scalar_one()
    link = f"{request.app.state.settings.public_url}/{view.url}?t={secret}"
    content = await asyncio.to_thread(
        pdf.receipt_pdf, code=view.code, agency_name=agency.name, procedure_name=view.procedure_name,
        applicant_name=dossier.applicant_name, received_at=view.received_at, due_date=view.due_date,
        delivery=view.delivery, fee_vnd=view.fee_vnd, return_address=view.return_address, tracking_link=link,
    )
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="bien-nhan-{view.code}.pdf"'})


@post("/api/dossiers/lookup", summary="Tra cứu hồ sơ bằng mã và số điện thoại", tags=TAGS, status_code=200,
      responses=problems(s429="Quá nhiều lần tra cứu"))
async def lookup_dossier(request: Request, data: JSONBody[Lookup], db_session: NamedDependency[AsyncSession]) -> DossierView:
    async with request.app.state.lookup_limits.guard(request, data.code):
        return await _service(request, db_session).open(data.code, phone=data.phone)


@post("/api/dossiers/{code:str}/withdraw", summary="Rút hồ sơ", tags=TAGS, status_code=200,
      responses=problems(s409="Không rút được ở trạng thái này"))
async def withdraw_dossier(
    request: Request, code: str, data: JSONBody[Withdrawal], db_session: NamedDependency[AsyncSession],
    x_tracking_token: TrackingHeader = None,
) -> DossierView:
    return await _service(request, db_session).withdraw(code, x_tracking_token, data.reason)


@post("/api/dossiers/{code:str}/attachments", summary="Tải lên giấy tờ bổ sung", tags=TAGS, status_code=201,
      responses=problems(s413="Tệp quá lớn"), request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024)
async def upload_supplement(
    request: Request, code: str, db_session: NamedDependency[AsyncSession],
    data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    x_tracking_token: TrackingHeader = None,
) -> AttachmentRef:
    dossier = await _service(request, db_session).dossier_for(code, x_tracking_token)
    a = await store_upload(db_session, _uploads(request), data.file, dossier_id=dossier.id)
    return AttachmentRef(a.id, a.name, a.content_type, a.size)


@post("/api/dossiers/{code:str}/supplement", summary="Gửi giấy tờ bổ sung theo yêu cầu", tags=TAGS,
      status_code=200, responses=problems(s409="Hồ sơ không ở trạng thái yêu cầu bổ sung"))
async def supplement_dossier(
    request: Request, code: str, data: JSONBody[Supplement], db_session: NamedDependency[AsyncSession],
    x_tracking_token: TrackingHeader = None,
) -> DossierView:
    return await _service(request, db_session).supplement(code, x_tracking_token, data.note, data.attachments)


@post("/api/integrations/dossier-events", summary="Cơ quan gửi thay đổi trạng thái hồ sơ (ký HMAC)",
      tags=["Tích hợp"], status_code=200,
      responses=problems(s401="Chữ ký sai, hết hạn hoặc không rõ cơ quan", s409="Chuyển trạng thái không hợp lệ"))
async def dossier_event(request: Request, db_session: NamedDependency[AsyncSession]) -> EventApplied:
    body = await request.body()
    agency_code = request.headers.get("x-agency-code", "")
    agency = (
        await db_session.execute(select(Agency).where(Agency.code == agency_code))
    ).scalar_one_or_none() if agency_code else None
    try:
        if agency is None:
            raise SignatureError("unknown X-Agency-Code")
        verify(agency.secret, request.headers.get("x-timestamp", ""), body, request.headers.get("x-signature", ""))
    except SignatureError as exc:
        raise AppError("Chữ ký không hợp lệ.", developer_message=str(exc), status=401) from exc
    try:
        event = msgspec.json.decode(body, type=AgencyEvent)
    except msgspec.DecodeError as exc:
        raise BadRequestError("Dữ liệu sự kiện không hợp lệ.", developer_message=str(exc)) from exc
    view, applied = await _service(request, db_session).apply_agency_event(agency, event)
    return EventApplied(applied, view)


ROUTES = [procedure_form, create_draft, DraftController, submit_draft, get_dossier, receipt_pdf, lookup_dossier, withdraw_dossier,
          upload_supplement, supplement_dossier, dossier_event]
