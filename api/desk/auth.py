"""Volunteer accounts: argon2id password hashes, server-side sessions in an HttpOnly cookie,
CSRF protection for every change, and guards for the desk's routes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.base import aware, utcnow
from api.desk.models import Volunteer, VolunteerSession
from api.errors import AppError

COOKIE = "dvc_desk"
CSRF_HEADER = "x-csrf-token"
ROLES = ("volunteer", "admin")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# argon2-cffi's defaults are RFC 9106's second recommendation (argon2id, 64 MiB, 3 passes).
_hasher = PasswordHasher()
# Verifying against this when the username is unknown costs the same time as a real check.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Unauthorized(AppError):
    status = 401

    def __init__(self, developer_message: str = "no volunteer session") -> None:
        super().__init__("Dạ, anh/chị cần đăng nhập tài khoản tình nguyện viên để dùng chức năng này.",
                         developer_message=developer_message, title="Chưa đăng nhập")


class Forbidden(AppError):
    status = 403

    def __init__(self, detail: str, developer_message: str) -> None:
        super().__init__(detail, developer_message=developer_message, title="Không có quyền")


async def authenticate(session: AsyncSession, username: str, password: str) -> Volunteer | None:
    volunteer = (
        await session.execute(select(Volunteer).where(Volunteer.username == username.strip().lower()))
    ).scalar_one_or_none()
    if volunteer is None or not volunteer.active:
        check_password(_DUMMY_HASH, password)
        return None
    if not check_password(volunteer.password_hash, password):
        return None
    if _hasher.check_needs_rehash(volunteer.password_hash):
        volunteer.password_hash = hash_password(password)
    return volunteer


async def open_session(session: AsyncSession, volunteer: Volunteer, hours: float) -> tuple[str, str]:
    """A new session: (cookie secret, CSRF token). Old expired sessions are swept here."""
    now = utcnow()
    await session.execute(delete(VolunteerSession).where(VolunteerSession.expires_at < now))
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(VolunteerSession(id=_digest(secret), volunteer_id=volunteer.id, csrf_token=csrf,
                                 expires_at=now + dt.timedelta(hours=hours)))
    await session.flush()
    return secret, csrf


async def close_session(session: AsyncSession, secret: str | None) -> None:
    if secret:
        await session.execute(delete(VolunteerSession).where(VolunteerSession.id == _digest(secret)))


async def current(session: AsyncSession, request: Request) -> tuple[Volunteer, VolunteerSession]:
    """The signed-in volunteer, checking the CSRF token on every request that changes something."""
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise Unauthorized()
    row = (
        await session.execute(
            select(VolunteerSession, Volunteer)
            .join(Volunteer, Volunteer.id == VolunteerSession.volunteer_id)
            .where(VolunteerSession.id == _digest(secret))
        )
    ).one_or_none()
    if row is None:
        raise Unauthorized("unknown or ended session")
    desk_session, volunteer = row
    if aware(desk_session.expires_at) < utcnow() or not volunteer.active:
        raise Unauthorized("session expired or account disabled")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), desk_session.csrf_token.encode()):
            raise Forbidden("Dạ, phiên làm việc đã cũ. Anh/chị tải lại trang rồi thử lại.",
                            "missing or wrong X-CSRF-Token")
    return volunteer, desk_session


def require_admin(volunteer: Volunteer) -> None:
    if volunteer.role != "admin":
        raise Forbidden("Dạ, chỉ quản trị viên xem được nội dung này.", "admin role required")


async def desk_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Cheap first gate for every desk route: no cookie, no entry (the handler checks the session)."""
    if not connection.cookies.get(COOKIE):
        raise Unauthorized()
