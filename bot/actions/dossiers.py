"""Tracking a dossier (code + phone, never one without the other) and the postal address."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.api import UNAVAILABLE, ApiUnavailable, NotFound, api
from bot.actions.texts import ASK_ADDRESS, ASK_DOSSIER_CODE, ASK_PHONE

# agency code – YYMMDD – daily sequence, e.g. 000.00.53.H48-220921-0099 or H47.03-261005-0089
DOSSIER_CODE_RE = re.compile(r"^[0-9A-Z]{1,6}(\.[0-9A-Z]{1,6}){0,4}-\d{6}-\d{4}$")
PHONE_RE = re.compile(r"^(0|\+?84)(3|5|7|8|9)\d{8}$")


def normalise_phone(value: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", value)
    return digits if PHONE_RE.match(digits) else None


class ValidateTrackDossierForm(FormValidationAction):
    def name(self) -> str:
        return "validate_track_dossier_form"

    def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = str(value or "").strip().upper()
        if DOSSIER_CODE_RE.match(code):
            return {"dossier_code": code}
        dispatcher.utter_message(
            text="Dạ, mã hồ sơ chưa đúng dạng. Mã in trên giấy tiếp nhận, ví dụ 000.00.53.H48-220921-0099."
        )
        return {"dossier_code": None}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalise_phone(str(value or ""))
        if phone:
            return {"phone": phone}
        dispatcher.utter_message(text="Dạ, số điện thoại chưa đúng. Anh/chị nhập 10 số, ví dụ 0912345678.")
        return {"phone": None}


class ActionTrackDossier(Action):
    """Answers from the API only with both the code and the phone used when submitting."""

    def name(self) -> str:
        return "action_track_dossier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code, phone = tracker.get_slot("dossier_code"), tracker.get_slot("phone")
        # Forget the phone whatever happens: it is personal and was only needed for this check.
        forget = [SlotSet("phone", None), SlotSet("dossier_code", None)]
        if not code or not phone:
            dispatcher.utter_message(text="Dạ, em cần cả mã hồ sơ và số điện thoại để tra cứu ạ.")
            return forget
        try:
            dossier = await api.lookup_dossier(str(code), str(phone))
        except NotFound:
            dispatcher.utter_message(
                text=f"Dạ, em không tìm thấy hồ sơ {code} với số điện thoại này. "
                "Anh/chị kiểm tra lại mã trên giấy tiếp nhận và số điện thoại đã dùng khi nộp nhé."
            )
            return forget
        except ApiUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return forget
        status = dossier.get("status_name") or dossier.get("status") or "đang xử lý"
        lines = [f"Dạ, hồ sơ {code}: {status}."]
        if dossier.get("due_date"):
            lines.append(f"Ngày hẹn trả kết quả: {dossier['due_date']}.")
        if dossier.get("next_step"):
            lines.append(str(dossier["next_step"]))
        buttons = []
        if dossier.get("url"):
            buttons.append({"title": "Xem chi tiết và bật thông báo", "payload": dossier["url"], "url": dossier["url"]})
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return forget


class ActionPostalIntro(Action):
    """Whether the result can come by post for the procedure at hand, before asking the address."""

    def name(self) -> str:
        return "action_postal_intro"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = next(tracker.get_latest_entity_values("procedure_code"), None) or tracker.get_slot("procedure_code")
        if not code:
            named = next(tracker.get_latest_entity_values("procedure"), None)
            if named:
                try:
                    found = await api.search(str(named))
                    if found.get("confident") and found.get("items"):
                        code = found["items"][0]["code"]
                except ApiUnavailable:
                    pass
        if code:
            try:
                found = await api.answer(str(code), "postal")
                dispatcher.utter_message(text=found["text"])
                return [SlotSet("procedure_code", found["code"]), SlotSet("procedure_name", found["name"])]
            except (ApiUnavailable, NotFound):
                pass
        dispatcher.utter_message(
            text="Dạ, với thủ tục được nhận kết quả qua bưu điện, bưu điện sẽ chuyển kết quả tới tận nhà anh/chị."
        )
        return []


class ValidatePostalAddressForm(FormValidationAction):
    def name(self) -> str:
        return "validate_postal_address_form"

    def validate_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) >= 6 and not text.startswith("/"):
            return {"address": text}
        dispatcher.utter_message(text="Dạ, địa chỉ hơi ngắn. Anh/chị ghi rõ phường/xã và tỉnh/thành phố giúp em.")
        return {"address": None}


class ActionCheckAddress(Action):
    """Confirms the address as the post-2025 map names it: 'Phường …, Tỉnh … (trước đây: …)'."""

    def name(self) -> str:
        return "action_check_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = str(tracker.get_slot("address") or "")
        try:
            found = await api.resolve_address(text)
        except (ApiUnavailable, NotFound):
            dispatcher.utter_message(
                text="Dạ, em chưa kiểm tra được địa chỉ lúc này. Anh/chị vẫn có thể nhập địa chỉ khi nộp hồ sơ ạ."
            )
            return [SlotSet("address", None)]
        status = found.get("status")
        if status == "resolved":
            dispatcher.utter_message(
                text=f"Dạ, địa chỉ nhận kết quả là: {confirmation(found)}. Đúng không ạ?",
                buttons=[{"title": "Đúng", "payload": "/affirm"}, {"title": "Chưa đúng", "payload": "/deny"}],
            )
            return [SlotSet("address_confirmed", found.get("formatted"))]
        if status == "ambiguous":
            options = found.get("candidates") or []
            dispatcher.utter_message(
                text="Dạ, phường/xã cũ của anh/chị nay thuộc nhiều đơn vị mới. Anh/chị chọn giúp em:",
                buttons=[
                    {"title": f"{c['ward']['name']}, {c['province']['name']}",
                     "payload": ", ".join(p for p in (found.get("street"), c["ward"]["name"], c["province"]["name"]) if p)}
                    for c in options[:5]
                ],
            )
            return [SlotSet("address", None), ActiveLoop("postal_address_form")]
        dispatcher.utter_message(text="Dạ, em chưa tìm thấy phường/xã này. Anh/chị ghi lại địa chỉ giúp em nhé.")
        return [SlotSet("address", None), ActiveLoop("postal_address_form")]


def confirmation(found: dict[str, Any]) -> str:
    ward, province = found.get("ward") or {}, found.get("province") or {}
    text = ", ".join(p for p in (found.get("street"), ward.get("name"), province.get("name")) if p)
    legacy = found.get("legacy") or {}
    before = ", ".join(str(v.get("name") if isinstance(v, dict) else v) for v in legacy.values() if v)
    return f"{text} (trước đây: {before})" if before else text


class ActionAddressRejected(Action):
    def name(self) -> str:
        return "action_address_rejected"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [SlotSet("address", None), SlotSet("address_confirmed", None)]



class _Ask(Action):
    """Asks for one slot of a form (Rasa calls action_ask_<slot>)."""

    slot = ""
    text = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=self.text)
        return []


class ActionAskDossierCode(_Ask):
    slot, text = "dossier_code", ASK_DOSSIER_CODE


class ActionAskPhone(_Ask):
    slot, text = "phone", ASK_PHONE


class ActionAskAddress(_Ask):
    slot, text = "address", ASK_ADDRESS
