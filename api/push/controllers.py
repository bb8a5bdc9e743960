"""HTTP layer of Web Push: the VAPID public key and the subscriptions to a dossier."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from api.dossiers.service import DossierService
from api.errors import NotFoundError
from api.http import problems
from api.push.service import SubscriptionJSON, renew, subscribe, unsubscribe, validate

TAGS = ["Thông báo"]


class VapidKey(msgspec.Struct):
    public_key: str


class NewSubscription(msgspec.Struct):
    subscription: SubscriptionJSON
    dossier_code: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    tracking_token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class Subscribed(msgspec.Struct):
    id: int
    dossier_code: str


class RenewedSubscription(msgspec.Struct):
    old_endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
    subscription: SubscriptionJSON


class Renewed(msgspec.Struct):
    id: int


class RemoveSubscription(msgspec.Struct):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
    # Stop following one dossier; without it the device stops receiving anything.
    dossier_code: Annotated[str, msgspec.Meta(max_length=60)] | None = None
    tracking_token: Annotated[str, msgspec.Meta(max_length=100)] | None = None


@get("/api/push/vapid-public-key", summary="Khóa công khai VAPID", tags=TAGS)
async def vapid_public_key(request: Request) -> VapidKey:
    return VapidKey(request.app.state.vapid_public_key)


class SubscriptionController(Controller):
    """POST and DELETE share one path: one route, so OPTIONS lists both methods."""

    path = "/api/push/subscriptions"
    tags = TAGS

    @post(summary="Bật thông báo cho một hồ sơ", status_code=201, responses=problems())
    async def create(
        self, request: Request, data: JSONBody[NewSubscription], db_session: NamedDependency[AsyncSession]
    ) -> Subscribed:
        settings = request.app.state.settings
        sub = validate(data.subscription, allow_loopback=settings.environment != "production")
        service = DossierService(db_session, request.app.state.addresses, request.app.state.calendar)
        dossier = await service.dossier_for(data.dossier_code.strip().upper(), data.tracking_token)
        row = await subscribe(db_session, sub, dossier)
        return Subscribed(row.id, dossier.code)

    @put(summary="Thay đăng ký mới cho đăng ký cũ (pushsubscriptionchange)", status_code=200,
         responses=problems())
    async def replace(
        self, request: Request, data: JSONBody[RenewedSubscription], db_session: NamedDependency[AsyncSession]
    ) -> Renewed:
        settings = request.app.state.settings
        sub = validate(data.subscription, allow_loopback=settings.environment != "production")
        row = await renew(db_session, data.old_endpoint, sub)
        if row is None:
            raise NotFoundError(
                "Dạ, em không tìm thấy đăng ký nhận thông báo cũ. Anh/chị mở lại trang hồ sơ và bật thông báo giúp em.",
                developer_message="no subscription with old_endpoint",
            )
        return Renewed(row.id)

    @delete(summary="Tắt thông báo", status_code=204, responses=problems())
    async def remove(
        self, request: Request, data: JSONBody[RemoveSubscription], db_session: NamedDependency[AsyncSession]
    ) -> None:
        dossier = None
        if data.dossier_code:
            service = DossierService(db_session, request.app.state.addresses, request.app.state.calendar)
            dossier = await service.dossier_for(data.dossier_code.strip().upper(), data.tracking_token)
        await unsubscribe(db_session, data.endpoint, dossier)

    @route(http_method=HttpMethod.OPTIONS, include_in_schema=False, status_code=204)
    async def allowed(self) -> Response[None]:
        # Litestar's automatic OPTIONS answer lists only one of the methods on this route.
        return Response(None, status_code=204, headers={"Allow": "DELETE, OPTIONS, POST, PUT"})


ROUTES = [vapid_public_key, SubscriptionController]
