"""What the bot says from its actions (the domain's responses are those used in rules)."""

ASK_WHICH_PROCEDURE = "Dạ, anh/chị đang hỏi về thủ tục nào ạ? Ví dụ: “làm giấy khai sinh”, “đổi bằng lái xe”."
ASK_DOSSIER_CODE = "Dạ, anh/chị cho em xin mã hồ sơ (in trên giấy tiếp nhận, ví dụ 000.00.53.H48-220921-0099)."
ASK_PHONE = "Dạ, anh/chị cho em xin số điện thoại đã dùng khi nộp hồ sơ để em xác nhận ạ."
ASK_ADDRESS = (
    "Dạ, anh/chị cho em xin địa chỉ nhận kết quả: số nhà, đường hoặc thôn/ấp, phường/xã, tỉnh/thành phố."
)
ASK_REPHRASE = "Dạ, em chưa hiểu rõ. Anh/chị nói lại giúp em bằng cách khác được không ạ?"
FALLBACK = "Dạ, em xin lỗi vì chưa giúp được. Anh/chị có muốn gặp tình nguyện viên để được hướng dẫn không ạ?"
FALLBACK_BUTTONS = [
    {"title": "Gặp tình nguyện viên", "payload": "/human_handoff"},
    {"title": "Hỏi thủ tục khác", "payload": "/greet"},
]
HANDOFF = "Dạ, em sẽ nhờ tình nguyện viên ở bộ phận một cửa hỗ trợ anh/chị. Anh/chị vui lòng chờ trong giây lát ạ."
