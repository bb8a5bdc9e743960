"""HTTP layer of the desk: volunteers' login, the live queue, handoff chat, call-backs, labelling,
figures; and the citizen's side of a handoff (live stream, call-back, feedback, sharing a dossier)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, route
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import JSONBody, Parameter
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.service import SenderId
from api.db.base import utcnow
from api.desk import auth
from api.desk.live import HEARTBEAT_SECONDS, MAX_STREAM_SECONDS, Notifier
from api.desk.models import Volunteer
from api.desk.service import (
    CallbackItem,
    DeskService,
    HandoffStatus,
    LiveMessage,
    QueueItem,
    ReviewItem,
    Stats,
    known_intents,
)
from api.dossiers.service import DossierService, DossierView
from api.errors import AppError, BadRequestError
from api.http import problems
from api.procedures.models import Procedure
from api.ratelimit import RateLimiter

DESK = ["Bàn hỗ trợ"]
CITIZEN = ["Trò chuyện"]
# Every desk route: the guard, and the answers it may give besides the route's own.
DESK_PROBLEMS = problems(s401="Chưa đăng nhập", s403="Không có quyền, hoặc thiếu X-CSRF-Token",
                         s409="Không thực hiện được ở trạng thái này")
GUARDED = {"guards": [auth.desk_guard], "responses": DESK_PROBLEMS}
CITIZEN_PROBLEMS = problems(s409="Không thực hiện được ở trạng thái này", s422="Thông tin chưa đúng")


class LoginLimits:
    """Password guessing must be slow: per account and per client."""

    MESSAGE = "Dạ, anh/chị đăng nhập sai nhiều lần quá. Vui lòng đợi một phút rồi thử lại."

    def __init__(self, redis: Any = None) -> None:
        self.per_user = RateLimiter(per_minute=5, message=self.MESSAGE, name="login-user", redis=redis)
        self.per_client = RateLimiter(per_minute=20, message=self.MESSAGE, name="login-client", redis=redis)

    async def hit(self, request: Request, username: str) -> None:
        await self.per_client.hit(request.client.host if request.client else "?")
        await self.per_user.hit(username.strip().lower())


# --- shapes ---------------------------------------------------------------------------------

class Login(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Me(msgspec.Struct):
    username: str
    display_name: str
    role: str
    on_duty: bool
    # Send it back as X-CSRF-Token with every POST: the cookie alone never changes anything.
    csrf_token: str


class Duty(msgspec.Struct):
    on: bool


class DeskSnapshot(msgspec.Struct):
    queue: list[QueueItem]
    callbacks_open: int
    on_duty: int
    desk_hours_now: bool


class Say(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class Label(msgspec.Struct):
    intent: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    procedure_code: Annotated[str, msgspec.Meta(max_length=40)] | None = None


# A Vietnamese mobile number, with the separators people type: exactly what the service accepts.
MOBILE = r"^[ .()-]*(0|\+84|84)[ .()-]*[35789]([ .()-]*[0-9]){8}[ .()-]*$"


class NewCallback(msgspec.Struct):
    phone: Annotated[str, msgspec.Meta(max_length=20, pattern=MOBILE)]
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class Feedback(msgspec.Struct):
    helped: bool  # "Anh/chị có nhận được thông tin cần không?" — the one question always answered
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    comment: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


class ShareDossier(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    tracking_token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class HandoffState(msgspec.Struct):
    handoff: HandoffStatus | None


def _me(volunteer: Volunteer, csrf_token: str) -> Me:
    return Me(volunteer.username, volunteer.display_name, volunteer.role, volunteer.on_duty, csrf_token)


def _desk(request: Request, session: AsyncSession) -> DeskService:
    return DeskService(session, request.app.state.settings, request.app.state.calendar)


def _notify(request: Request) -> None:
    request.app.state.notifier.notify()


def _cookie(request: Request, value: str, max_age: int) -> Cookie:
    secure = request.app.state.settings.public_url.startswith("https://")
    return Cookie(key=auth.COOKIE, value=value, path="/", httponly=True, samesite="strict", secure=secure,
                  max_age=max_age)


# --- volunteers: session ----------------------------------------------------------------------

@post("/api/desk/login", summary="Đăng nhập (tình nguyện viên)", tags=DESK, status_code=200,
      responses=problems(s401="Sai tên đăng nhập hoặc mật khẩu", s429="Đăng nhập sai nhiều lần"))
async def login(request: Request, data: JSONBody[Login], db_session: NamedDependency[AsyncSession]) -> Response[Me]:
    await request.app.state.login_limits.hit(request, data.username)
    volunteer = await auth.authenticate(db_session, data.username, data.password)
    if volunteer is None:
        raise AppError("Dạ, tên đăng nhập hoặc mật khẩu chưa đúng.", developer_message="bad credentials",
                       status=401, title="Chưa đăng nhập")
    hours = request.app.state.settings.session_hours
    secret, csrf = await auth.open_session(db_session, volunteer, hours)
    return Response(_me(volunteer, csrf), cookies=[_cookie(request, secret, int(hours * 3600))])


@post("/api/desk/logout", summary="Đăng xuất", tags=DESK, status_code=204, **GUARDED)
async def logout(request: Request, db_session: NamedDependency[AsyncSession]) -> Response[None]:
    volunteer, _ = await auth.current(db_session, request)
    volunteer.on_duty = False
    await auth.close_session(db_session, request.cookies.get(auth.COOKIE))
    _notify(request)
    return Response(None, status_code=204, cookies=[_cookie(request, "", 0)])


@get("/api/desk/me", summary="Tài khoản đang đăng nhập", tags=DESK,
     **GUARDED)
async def me(request: Request, db_session: NamedDependency[AsyncSession]) -> Me:
    volunteer, desk_session = await auth.current(db_session, request)
    return _me(volunteer, desk_session.csrf_token)


@post("/api/desk/duty", summary="Bắt đầu / kết thúc ca trực", tags=DESK, status_code=200, **GUARDED)
async def duty(request: Request, data: JSONBody[Duty], db_session: NamedDependency[AsyncSession]) -> Me:
    volunteer, desk_session = await auth.current(db_session, request)
    await _desk(request, db_session).set_duty(volunteer, data.on)
    _notify(request)
    return _me(volunteer, desk_session.csrf_token)


# --- volunteers: the queue, live ---------------------------------------------------------------

async def _snapshot(desk: DeskService, volunteer: Volunteer) -> DeskSnapshot:
    return DeskSnapshot(await desk.queue(volunteer), len(await desk.callbacks()), await desk.on_duty_count(),
                        desk.desk_hours_now())


@get("/api/desk/queue", summary="Hàng chờ và các cuộc trò chuyện đang giữ", tags=DESK, **GUARDED)
async def queue(request: Request, db_session: NamedDependency[AsyncSession]) -> DeskSnapshot:
    volunteer, _ = await auth.current(db_session, request)
    return await _snapshot(_desk(request, db_session), volunteer)


@get("/api/desk/events", summary="Hàng chờ, trực tiếp (Server-Sent Events)", tags=DESK,
     media_type="text/event-stream", **GUARDED)
async def desk_events(request: Request, db_session: NamedDependency[AsyncSession]) -> ServerSentEvent:
    volunteer, _ = await auth.current(db_session, request)
    volunteer_id = volunteer.id
    sessions = request.app.state.sessions
    notifier: Notifier = request.app.state.notifier

    async def stream() -> AsyncIterator[ServerSentEventMessage]:
        started = last_sent = time.monotonic()
        previous = None
        while time.monotonic() - started < MAX_STREAM_SECONDS:
            async with sessions() as session:
                me_now = await session.get(Volunteer, volunteer_id)
                if me_now is None or not me_now.active:
                    return
                if me_now.on_duty:  # the open desk page keeps its volunteer on duty
                    me_now.seen_at = utcnow()
                snapshot = await _snapshot(_desk(request, session), me_now)
                await session.commit()
            data = msgspec.json.encode(snapshot).decode()
            if data != previous:
                previous, last_sent = data, time.monotonic()
                yield ServerSentEventMessage(data=data, event="desk")
            elif time.monotonic() - last_sent > HEARTBEAT_SECONDS:
                last_sent = time.monotonic()
                yield ServerSentEventMessage(comment="ping")
            await notifier.wait()

    return ServerSentEvent(stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@post("/api/desk/handoffs/{handoff_id:int}/take", summary="Nhận hỗ trợ một người dân", tags=DESK,
      status_code=200, **GUARDED)
async def take(request: Request, handoff_id: int, db_session: NamedDependency[AsyncSession]) -> list[LiveMessage]:
    volunteer, _ = await auth.current(db_session, request)
    desk = _desk(request, db_session)
    await desk.take(volunteer, handoff_id)
    history = await desk.history(volunteer, handoff_id)
    await db_session.commit()
    _notify(request)
    return history


class HandoffMessages(Controller):
    """GET and POST share one path: one controller, so OPTIONS lists both methods."""

    path = "/api/desk/handoffs/{handoff_id:int}/messages"
    tags = DESK
    guards = [auth.desk_guard]

    @get(summary="Lịch sử trò chuyện (đã che số CCCD, điện thoại)", responses=DESK_PROBLEMS)
    async def history(
        self, request: Request, handoff_id: int, db_session: NamedDependency[AsyncSession],
        after: Annotated[int, Parameter(ge=0)] = 0,
    ) -> list[LiveMessage]:
        volunteer, _ = await auth.current(db_session, request)
        return await _desk(request, db_session).history(volunteer, handoff_id, after)

    @post(summary="Nhắn cho người dân", status_code=201, responses=DESK_PROBLEMS)
    async def say(self, request: Request, handoff_id: int, data: JSONBody[Say],
                  db_session: NamedDependency[AsyncSession]) -> LiveMessage:
        volunteer, _ = await auth.current(db_session, request)
        message = await _desk(request, db_session).say(volunteer, handoff_id, data.text)
        await db_session.commit()
        _notify(request)
        return message

    @route(http_method=HttpMethod.OPTIONS, include_in_schema=False, status_code=204, guards=[])
    async def allowed(self) -> Response[None]:
        # Litestar's automatic OPTIONS answer leaves POST out of Allow on a shared path.
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, POST"})


@post("/api/desk/handoffs/{handoff_id:int}/release", summary="Trả cuộc trò chuyện cho trợ lý", tags=DESK,
      status_code=200, **GUARDED)
async def release(request: Request, handoff_id: int, db_session: NamedDependency[AsyncSession]) -> HandoffState:
    volunteer, _ = await auth.current(db_session, request)
    desk = _desk(request, db_session)
    handoff = await desk.release(volunteer, handoff_id)
    status = await desk.status(handoff)
    await db_session.commit()
    _notify(request)
    return HandoffState(status)


@get("/api/desk/handoffs/{handoff_id:int}/dossiers", summary="Hồ sơ người dân đã chia sẻ trong cuộc trò chuyện",
     tags=DESK, **GUARDED)
async def shared_dossiers(request: Request, handoff_id: int,
                          db_session: NamedDependency[AsyncSession]) -> list[DossierView]:
    volunteer, _ = await auth.current(db_session, request)
    codes = await _desk(request, db_session).shared_codes(volunteer, handoff_id)
    dossiers = DossierService(db_session, request.app.state.addresses, request.app.state.calendar)
    return [await dossiers.view(await dossiers.by_code(code)) for code in codes]


@get("/api/desk/callbacks", summary="Người dân cần gọi lại", tags=DESK, **GUARDED)
async def callbacks(request: Request, db_session: NamedDependency[AsyncSession],
                    include_done: Annotated[bool, Parameter(query="all")] = False) -> list[CallbackItem]:
    await auth.current(db_session, request)
    return await _desk(request, db_session).callbacks(include_done)


@post("/api/desk/callbacks/{callback_id:int}/done", summary="Đã gọi lại", tags=DESK, status_code=204, **GUARDED)
async def callback_done(request: Request, callback_id: int, db_session: NamedDependency[AsyncSession]) -> None:
    volunteer, _ = await auth.current(db_session, request)
    await _desk(request, db_session).callback_done(volunteer, callback_id)
    await db_session.commit()
    _notify(request)


# --- volunteers: learning from real chats ------------------------------------------------------

@get("/api/desk/review", summary="Tin nhắn trợ lý chưa hiểu hoặc người dân cần người thật", tags=DESK, **GUARDED)
async def review(request: Request, db_session: NamedDependency[AsyncSession],
                 labelled: bool | None = None) -> list[ReviewItem]:
    await auth.current(db_session, request)
    return await _desk(request, db_session).review_items(labelled)


@get("/api/desk/intents", summary="Các ý định của trợ lý (nhãn)", tags=DESK, **GUARDED)
async def intents(request: Request, db_session: NamedDependency[AsyncSession]) -> list[str]:
    await auth.current(db_session, request)
    return known_intents()


@post("/api/desk/review/{message_id:int}", summary="Gán nhãn ý định (và thủ tục)", tags=DESK, status_code=204,
      **GUARDED)
async def label(request: Request, message_id: int, data: JSONBody[Label],
                db_session: NamedDependency[AsyncSession]) -> None:
    volunteer, _ = await auth.current(db_session, request)
    code = (data.procedure_code or "").strip() or None
    if code and (await db_session.execute(select(Procedure.id).where(Procedure.code == code).limit(1))).first() is None:
        raise AppError("Dạ, không có thủ tục với mã này.", developer_message=f"unknown procedure {code!r}",
                       status=400, errors=[{"field": "procedure_code", "message": "unknown"}])
    await _desk(request, db_session).label(volunteer, message_id, data.intent, code)


async def _procedure_names(session: AsyncSession) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for code, name, aliases in (await session.execute(select(Procedure.code, Procedure.name, Procedure.aliases))).all():
        names.setdefault(code, []).extend([name, *(aliases or [])])
    return names


@get("/api/desk/review/export", summary="Xuất dữ liệu huấn luyện (định dạng nlu_data)", tags=DESK,
     media_type="application/x-yaml", **GUARDED)
async def export(request: Request, db_session: NamedDependency[AsyncSession]) -> Response[str]:
    volunteer, _ = await auth.current(db_session, request)
    auth.require_admin(volunteer)
    text = await _desk(request, db_session).export_nlu(await _procedure_names(db_session))
    return Response(text, media_type="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="desk_labelled.yml"'})


@get("/api/stats", summary="Số liệu: trò chuyện, chuyển người thật, mức hài lòng (quản trị)", tags=DESK, **GUARDED)
async def stats(request: Request, db_session: NamedDependency[AsyncSession],
                days: Annotated[int, Parameter(ge=1, le=366)] = 30) -> Stats:
    volunteer, _ = await auth.current(db_session, request)
    auth.require_admin(volunteer)
    names = {code: names[0] for code, names in (await _procedure_names(db_session)).items()}
    return await _desk(request, db_session).stats(days, names)


# --- the citizen's side of a handoff -------------------------------------------------------------

@get("/api/chat/{sender_id:str}/handoff", summary="Đang được tình nguyện viên hỗ trợ?", tags=CITIZEN,
     responses=CITIZEN_PROBLEMS)
async def handoff_state(request: Request, sender_id: SenderId, db_session: NamedDependency[AsyncSession]) -> HandoffState:
    desk = _desk(request, db_session)
    handoff = await desk.latest(sender_id)
    return HandoffState(await desk.status(handoff) if handoff else None)


@get("/api/chat/{sender_id:str}/events", summary="Tin nhắn của tình nguyện viên, trực tiếp (Server-Sent Events)",
     tags=CITIZEN, responses=CITIZEN_PROBLEMS, media_type="text/event-stream")
async def citizen_events(request: Request, sender_id: SenderId,
                         after: Annotated[int, Parameter(ge=0, le=2**53)] = 0) -> ServerSentEvent:
    if len(request.query_params.getall("after", [])) > 1:  # one cursor, not a list of them
        raise BadRequestError("Yêu cầu không hợp lệ.", developer_message="'after' given more than once")
    sessions = request.app.state.sessions
    notifier: Notifier = request.app.state.notifier

    async def stream() -> AsyncIterator[ServerSentEventMessage]:
        cursor, previous = after, None
        started = last_sent = time.monotonic()
        while time.monotonic() - started < MAX_STREAM_SECONDS:
            async with sessions() as session:
                desk = _desk(request, session)
                handoff = await desk.latest(sender_id)
                status = await desk.status(handoff) if handoff else None
                messages = await desk.volunteer_messages_for(sender_id, cursor)
            for m in messages:
                cursor = m.id
                last_sent = time.monotonic()
                yield ServerSentEventMessage(data=msgspec.json.encode(m).decode(), event="message", id=m.id)
            state = msgspec.json.encode(status).decode() if status else json.dumps(None)
            if state != previous:
                previous, last_sent = state, time.monotonic()
                yield ServerSentEventMessage(data=state, event="handoff")
            if status is None or status.state in ("closed", "missed"):
                return  # nothing more will come; the app reopens the stream on the next handoff
            if time.monotonic() - last_sent > HEARTBEAT_SECONDS:
                last_sent = time.monotonic()
                yield ServerSentEventMessage(comment="ping")
            await notifier.wait()

    return ServerSentEvent(stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@post("/api/chat/{sender_id:str}/leave", summary="Thôi chờ / kết thúc trò chuyện với tình nguyện viên",
      tags=CITIZEN, status_code=200, responses=CITIZEN_PROBLEMS)
async def leave(request: Request, sender_id: SenderId, db_session: NamedDependency[AsyncSession]) -> HandoffState:
    status = await _desk(request, db_session).citizen_leaves(sender_id)
    await db_session.commit()
    _notify(request)
    return HandoffState(status)


@post("/api/chat/{sender_id:str}/callback", summary="Để lại số điện thoại để được gọi lại", tags=CITIZEN,
      status_code=201, responses=CITIZEN_PROBLEMS)
async def leave_callback(request: Request, sender_id: SenderId, data: JSONBody[NewCallback],
                         db_session: NamedDependency[AsyncSession]) -> dict[str, Any]:
    await _desk(request, db_session).leave_callback(sender_id, data.phone, data.note)
    await db_session.commit()
    _notify(request)
    return {"message": "Dạ, em đã ghi lại số điện thoại. Tình nguyện viên sẽ gọi lại anh/chị trong giờ làm việc ạ."}


@post("/api/chat/{sender_id:str}/feedback", summary="Đánh giá cuộc trò chuyện", tags=CITIZEN, status_code=201,
      responses=CITIZEN_PROBLEMS)
async def feedback(request: Request, sender_id: SenderId, data: JSONBody[Feedback],
                   db_session: NamedDependency[AsyncSession]) -> dict[str, Any]:
    # The body was read leniently (0 would pass for false): a 0 or "yes" is not an answer to
    # "did you get what you needed?", so the raw value must be a JSON boolean.
    if not isinstance(msgspec.json.decode(await request.body()).get("helped"), bool):
        raise BadRequestError("Dạ, đánh giá chưa đúng định dạng.", developer_message="'helped' must be true or false")
    await _desk(request, db_session).feedback(sender_id, data.helped, data.rating, data.comment)
    return {"message": "Dạ, em cảm ơn anh/chị đã góp ý ạ."}


@post("/api/chat/{sender_id:str}/share-dossier", summary="Cho tình nguyện viên xem một hồ sơ", tags=CITIZEN,
      status_code=201, responses=problems(s409="Chưa trò chuyện với tình nguyện viên"))
async def share_dossier(request: Request, sender_id: SenderId, data: JSONBody[ShareDossier],
                        db_session: NamedDependency[AsyncSession]) -> dict[str, Any]:
    dossiers = DossierService(db_session, request.app.state.addresses, request.app.state.calendar)
    dossier = await dossiers.dossier_for(data.code.strip(), data.tracking_token)  # only its owner can share it
    await _desk(request, db_session).share_dossier(sender_id, dossier.code)
    await db_session.commit()
    _notify(request)
    return {"message": f"Dạ, tình nguyện viên đã xem được hồ sơ {dossier.code} trong lúc hỗ trợ anh/chị."}


ROUTES = [login, logout, me, duty, queue, desk_events, take, HandoffMessages, release, shared_dossiers,
          callbacks, callback_done, review, intents, label, export, stats, handoff_state, citizen_events, leave,
          leave_callback, feedback, share_dossier]
