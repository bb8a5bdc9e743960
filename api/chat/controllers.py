"""HTTP layer of the chat: the one endpoint the PWA talks to, and the answers the bot reads."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.answers import TOPICS, Topic, answer, display_name
from api.chat.service import Button, ChatReply, ChatRequest, ChatService, procedure_buttons
from api.http import PROBLEM_RESPONSES
from api.procedures.service import ProcedureService


class ProcedureAnswer(msgspec.Struct):
    code: str
    name: str
    topic: str
    text: str
    buttons: list[Button]
    online_level: int


@post(
    "/api/chat",
    summary="Một lượt trò chuyện với trợ lý",
    tags=["Trò chuyện"],
    status_code=200,
    responses=PROBLEM_RESPONSES,
)
async def chat(request: Request, data: JSONBody[ChatRequest]) -> ChatReply:
    service: ChatService = request.app.state.chat
    return await service.turn(data)


@get(
    "/api/procedures/{code:str}/answer",
    summary="Câu trả lời ngắn về một thủ tục (cho trợ lý)",
    tags=["Trò chuyện"],
    responses=PROBLEM_RESPONSES,
)
async def procedure_answer(
    code: Annotated[str, Parameter(examples=[Example(value="1.001193")])],
    db_session: NamedDependency[AsyncSession],
    topic: Annotated[Topic, Parameter(description=f"Một trong: {', '.join(TOPICS)}")] = "summary",
) -> ProcedureAnswer:
    detail = await ProcedureService(db_session).get(code.strip())
    return ProcedureAnswer(
        code=detail.code,
        name=display_name(detail),
        topic=topic,
        text=answer(detail, topic),
        buttons=procedure_buttons(detail),
        online_level=detail.online_level,
    )
