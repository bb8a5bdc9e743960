"""Attachments: the type is read from the bytes, not from the name; the file is kept on disk
under the git-ignored data directory, and only its description goes into the database."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from pathlib import Path

from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from api.dossiers.forms import sniff_content_type
from api.dossiers.models import Attachment
from api.errors import AppError, BadRequestError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CHUNK = 256 * 1024


class TooLarge(AppError):
    status = 413


async def store_upload(
    session: AsyncSession, uploads_dir: Path, upload: UploadFile, *, draft_id: str | None = None,
    dossier_id: int | None = None,
) -> Attachment:
    attachment_id = str(uuid.uuid4())
    folder = uploads_dir / (draft_id or f"dossier-{dossier_id}")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / attachment_id
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with target.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise TooLarge(
                        "Dạ, tệp quá lớn (tối đa 10 MB). Anh/chị chụp lại nhẹ hơn hoặc chia nhỏ giúp em.",
                        developer_message=f"upload larger than {MAX_UPLOAD_BYTES} bytes",
                    )
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        content_type = sniff_content_type(head)
        if size == 0 or content_type is None:
            raise BadRequestError(
                "Dạ, em chỉ nhận tệp PDF, JPEG hoặc PNG. Anh/chị chọn lại tệp giúp em.",
                developer_message="content is not PDF, JPEG or PNG (checked from the bytes)",
            )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    name = unicodedata.normalize("NFC", Path(upload.filename or "tep").name)[:255] or "tep"
    attachment = Attachment(
        id=attachment_id, draft_id=draft_id, dossier_id=dossier_id, name=name, content_type=content_type,
        size=size, sha256=digest.hexdigest(), path=str(target.relative_to(uploads_dir)),
    )
    session.add(attachment)
    await session.flush()
    return attachment
