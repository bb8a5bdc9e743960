"""The project's own catalog format: one JSON object per procedure.

These structs are both the on-disk format of ``data/catalog/procedures/*.json``
and the shape the import command validates before anything touches the
database. The national portal's machine format is converted into them by
``api.procedures.portal_format``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

# Who implements a procedure. The district level ("cấp huyện") was abolished
# on 1 July 2025, so it is deliberately not accepted for new records.
AgencyLevel = Literal["xa", "tinh", "trung_uong"]
Channel = Literal["truc_tiep", "truc_tuyen", "buu_chinh"]
# Facts that can be flagged as still needing a check against the source.
Fact = Literal[
    "code",
    "name",
    "agency",
    "online_level",
    "processing_time",
    "fee",
    "documents",
    "forms",
    "steps",
    "conditions",
    "result",
    "legal_basis",
]

Code = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,3}\.[0-9]{3,8}(\.[0-9A-Za-z.]+)?$", max_length=40)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://\S+$", max_length=1000)]


class Source(msgspec.Struct, forbid_unknown_fields=True):
    """Where a fact was read, and when it was last checked."""

    url: Url
    checked: dt.date
    title: ShortText | None = None
    # Which facts this source supports; empty means the whole record.
    covers: list[Fact] = []


class Agency(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText
    level: AgencyLevel
    # Where a level 2 dossier can be mailed, when the record names one.
    postal_address: ShortText | None = None


class ChannelInfo(msgspec.Struct, forbid_unknown_fields=True):
    """Processing time and fee for one way of submitting (cách thức thực hiện)."""

    channel: Channel
    processing_time: ShortText
    # Working days, when the time can be expressed as such (0 = same day);
    # None when the portal gives it in another unit or it depends on the case.
    processing_days: Annotated[float, msgspec.Meta(ge=0, le=365)] | None = None
    fee: ShortText = "Không có thông tin"
    # The lowest amount in đồng, 0 for free, None when it depends on the case.
    fee_vnd: Annotated[int, msgspec.Meta(ge=0)] | None = None


class FormTemplate(msgspec.Struct, forbid_unknown_fields=True):
    """A form (mẫu đơn, tờ khai) named by the legal text that defines it."""

    name: ShortText
    code: ShortText | None = None  # e.g. "Mẫu CT01"
    issued_by: ShortText | None = None  # the circular that defines it
    url: Url | None = None


class Document(msgspec.Struct, forbid_unknown_fields=True):
    """One item of the dossier's composition (thành phần hồ sơ)."""

    name: Text
    originals: Annotated[int, msgspec.Meta(ge=0, le=20)] = 1
    copies: Annotated[int, msgspec.Meta(ge=0, le=20)] = 0
    form: FormTemplate | None = None
    # The case it applies to, e.g. "Trường hợp ủy quyền"; None = always.
    case: ShortText | None = None
    required: bool = True


class LegalBasis(msgspec.Struct, forbid_unknown_fields=True):
    number: ShortText  # e.g. "60/2014/QH13"
    title: Text
    issued: dt.date | None = None


class ProcedureRecord(msgspec.Struct, forbid_unknown_fields=True):
    """A procedure as the national database records it, plus our search aids."""

    code: Code
    name: Text
    field: ShortText
    agency: Agency
    online_level: Annotated[int, msgspec.Meta(ge=1, le=4)]
    channels: Annotated[list[ChannelInfo], msgspec.Meta(min_length=1)]
    documents: list[Document]
    result: Text
    legal_basis: list[LegalBasis]
    sources: Annotated[list[Source], msgspec.Meta(min_length=1)]
    version: Annotated[int, msgspec.Meta(ge=1)] = 1
    effective_date: dt.date | None = None
    # A stable, human-readable key for the record (tests and links use it).
    slug: Slug | None = None
    steps: list[Text] = []
    conditions: list[Text] = []
    # Other names citizens use ("làm giấy khai sinh", "bằng lái"), for search.
    aliases: list[ShortText] = []
    status: Literal["active", "retired"] = "active"
    replaced_by: Code | None = None
    # Facts that still need verifying against an official source.
    needs_verification: list[Fact] = []
    # Free text about what still needs checking, for editors.
    verification_note: Text | None = None
    # Province-specific records (a province's own list) carry its code.
    province_code: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}$")] | None = None


ONLINE_LEVEL_NAMES: dict[int, str] = {
    1: "Cung cấp thông tin",
    2: "Cung cấp thông tin",
    3: "Dịch vụ công trực tuyến một phần",
    4: "Dịch vụ công trực tuyến toàn trình",
}
