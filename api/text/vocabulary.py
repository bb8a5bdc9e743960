"""How citizens write things on a phone, mapped to the words the catalog uses.

All keys and values are folded (see ``normalize.fold``). Kept as plain data so that
the chatbot's tokenizer (bot/components) and the API's search share one list.
Facts about individual procedures (their colloquial names) live in the catalog's
``aliases``; this file only holds general language.
"""

from __future__ import annotations

# Phone shorthand and domain acronyms: one token → its expansion.
SHORTHAND: dict[str, str] = {
    # chat shorthand
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
    "hem": "khong",
    "khg": "khong",
    "kg": "khong",
    "hk": "ho khau",
    "dc": "duoc",
    "dduoc": "duoc",
    "dk": "dang ky",
    "dky": "dang ky",
    "j": "gi",
    "ji": "gi",
    "r": "roi",
    "vs": "voi",
    "ntn": "nhu the nao",
    "ns": "noi",
    "bn": "bao nhieu",
    "bnh": "bao nhieu",
    "bh": "bao gio",
    "bg": "bao gio",
    "e": "em",
    "a": "anh",
    "c": "chi",
    "mk": "minh",
    "mik": "minh",
    "mn": "moi nguoi",
    "lm": "lam",
    "mun": "muon",
    "ik": "di",
    "zi": "gi",
    "z": "vay",
    "dzay": "vay",
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "tn": "tin nhan",
    "ng": "nguoi",
    "nc": "nuoc",
    "cty": "cong ty",
    "tp": "thanh pho",
    "ks": "khai sinh",
    # domain acronyms
    "gplx": "giay phep lai xe",
    "cccd": "can cuoc cong dan",
    "cmnd": "chung minh nhan dan",
    "cmt": "chung minh thu",
    "hs": "ho so",
    "ubnd": "uy ban nhan dan",
    "dvc": "dich vu cong",
    "dvctt": "dich vu cong truc tuyen",
    "lltp": "ly lich tu phap",
    "hkd": "ho kinh doanh",
    "gpxd": "giay phep xay dung",
    "hc": "ho chieu",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "gks": "giay khai sinh",
    "tthc": "thu tuc hanh chinh",
    "kd": "kinh doanh",
    "bcci": "buu chinh cong ich",
    "vneid": "vneid",
    "csgt": "canh sat giao thong",
    "oto": "o to",
}

# Colloquial phrases → the catalog's wording. Applied to the folded query; the
# expansion is added to the query, not substituted, so nothing the citizen typed is lost.
PHRASES: dict[str, str] = {
    "bang lai xe": "giay phep lai xe",
    "bang lai": "giay phep lai xe",
    "bang xe": "giay phep lai xe",
    "lam lai": "cap lai",
    # lost → re-issue (cấp lại); damaged → exchange (cấp đổi), as the căn cước law puts it
    "bi mat": "cap lai",
    "mat bang": "cap lai",
    "mat the": "cap lai",
    "mat giay": "cap lai",
    "mat can cuoc": "cap lai",
    "mat chung minh": "cap lai",
    "mat ho chieu": "cap lai",
    "danh roi": "mat cap lai",
    "danh mat": "mat cap lai",
    "that lac": "mat cap lai",
    "bi trom": "mat cap lai",
    "bi hong": "hu hong",
    "mo chu": "hu hong",
    "bi rach": "hu hong",
    # "sửa" is how people say amend/correct/adjust
    "sua": "thay doi dieu chinh cai chinh",
    "ghi sai": "cai chinh",
    "ho ca the": "ho kinh doanh",
    "lam moi": "cap doi",
    "can cuoc cong dan": "can cuoc",
    "chung minh nhan dan": "can cuoc",
    "chung minh thu": "can cuoc",
    "the can cuoc": "can cuoc",
    "nhap ho khau": "dang ky thuong tru",
    "nhap khau": "dang ky thuong tru",
    "ho khau": "thuong tru",
    "sao y": "chung thuc ban sao",
    "cong chung ban sao": "chung thuc ban sao",
    "photo cong chung": "chung thuc ban sao",
    "giay doc than": "xac nhan tinh trang hon nhan",
    "xac nhan doc than": "xac nhan tinh trang hon nhan",
    "doc than": "tinh trang hon nhan",
    "passport": "ho chieu",
    "pasport": "ho chieu",
    "mo quan": "dang ky ho kinh doanh",
    "kinh doanh ca the": "dang ky ho kinh doanh",
    "mo cua hang": "dang ky ho kinh doanh",
    "mo tiem": "dang ky ho kinh doanh",
    "lay vo": "dang ky ket hon",
    "lay chong": "dang ky ket hon",
    "xin phep xay nha": "giay phep xay dung nha o",
    "xay nha": "giay phep xay dung nha o",
    "bien so": "dang ky xe",
    "xe hoi": "o to",
    "giay khai sinh": "khai sinh",
    "con moi de": "khai sinh",
    "moi sinh": "khai sinh",
    "giay chung tu": "khai tu",
    "nguoi mat": "khai tu",
    "qua doi": "khai tu",
    "lich tu phap": "ly lich tu phap",
}

# Words that carry no meaning for finding a procedure (question words, fillers).
STOPWORDS: frozenset[str] = frozenset(
    """
    a ah anh ba bac be biet bao cho chi co cua cac da de di do duoc em gi giup gium
    ha hoi huong khi khong ko la lam lieu luc ma minh muon nao nay ne nhe nhi nhu
    nhung oi phai roi se thi thiet toi tui u vay voi va vao xin thu tuc ve nguoi
    dau dan ra sao dzay zay
    """.split()
)
