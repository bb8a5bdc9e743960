"""VietnameseTokenizer: offsets, segmentation, lemmas, entity boundaries, persistence.

Run with: cd /work/main && .venv-bot/bin/python -m pytest -q bot/tests/test_tokenizer.py
"""

from __future__ import annotations

import json
import random
import re
import time
import unicodedata
import warnings

import pytest

from api.text.normalize import fold
from bot.components import vietnamese_tokenizer
from bot.components.vietnamese_tokenizer import LEXICON_FILE, VietnameseTokenizer
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# What citizens ask the bot, written with diacritics: the lexicon is learnt from these.
TRAINING_MESSAGES = [
    "Tôi muốn làm lại bằng lái xe máy bị mất",
    "làm lại giấy phép lái xe cần những giấy tờ gì",
    "cấp lại giấy phép lái xe mất bao lâu",
    "đổi giấy phép lái xe trên dịch vụ công",
    "bằng lái xe sắp hết hạn thì đổi ở đâu",
    "làm giấy khai sinh cho con cần giấy tờ gì",
    "đăng ký khai sinh cho con ở ủy ban nhân dân xã",
    "khai sinh cho bé mới sinh làm online được không",
    "xin bản sao giấy khai sinh ở đâu",
    "trích lục khai sinh mất bao nhiêu tiền",
    "làm căn cước công dân lần đầu cho con đủ 14 tuổi",
    "mất thẻ căn cước thì làm lại như thế nào",
    "cấp đổi thẻ căn cước có mất phí không",
    "đăng ký thường trú cần chuẩn bị hồ sơ gì",
    "nhập hộ khẩu cho vợ về nhà chồng",
    "đăng ký tạm trú cho sinh viên thuê trọ",
    "gia hạn tạm trú làm ở công an phường",
    "khai báo tạm vắng với công an xã",
    "đăng ký kết hôn cần mang theo giấy tờ gì",
    "xin giấy xác nhận tình trạng hôn nhân để kết hôn",
    "làm hộ chiếu phổ thông mất bao nhiêu ngày",
    "làm hộ chiếu gắn chip ở đâu",
    "xin phiếu lý lịch tư pháp số 1",
    "làm lý lịch tư pháp trên VNeID",
    "đăng ký hộ kinh doanh cá thể cần vốn bao nhiêu",
    "thay đổi địa chỉ hộ kinh doanh",
    "xin giấy phép xây dựng nhà ở riêng lẻ",
    "điều chỉnh giấy phép xây dựng mất bao lâu",
    "chứng thực bản sao từ bản chính ở ủy ban",
    "chứng thực chữ ký giấy ủy quyền",
    "đăng ký xe máy mới mua online",
    "đăng ký khai tử cho bố",
    "đăng ký giám hộ cho trẻ mồ côi",
    "nhận cha cho con ngoài giá thú",
    "sửa ngày sinh trong giấy khai sinh",
    "hồ sơ của tôi đã được giải quyết chưa",
    "tra cứu tình trạng hồ sơ",
    "nộp hồ sơ trực tuyến như thế nào",
    "thanh toán lệ phí trực tuyến bằng cách nào",
    "nhận kết quả qua bưu điện có được không",
    "thủ tục này có làm trực tuyến toàn trình không",
    "thời gian giải quyết là bao lâu",
    "lệ phí làm hộ chiếu là bao nhiêu",
    "cho tôi hỏi số điện thoại của bộ phận một cửa",
    "xin chào, tôi cần hỗ trợ",
    "cảm ơn bạn nhiều",
    "tôi không hiểu, bạn giải thích lại được không",
    "bộ phận một cửa làm việc mấy giờ",
    "cần mang chứng minh nhân dân bản gốc không",
    "có cần công chứng giấy tờ không",
    "ủy quyền cho người khác nộp hồ sơ được không",
    "mẫu tờ khai đăng ký khai sinh ở đâu",
    "tải mẫu đơn ở đâu",
    "người nước ngoài có làm được không",
    "con tôi sinh ở nước ngoài thì đăng ký khai sinh thế nào",
    "giấy phép lái xe ô tô hết hạn",
    "cấp lại thẻ căn cước bị hỏng",
    "bổ sung thông tin hộ tịch",
    "xác nhận độc thân làm ở đâu",
    "làm giấy chứng tử cho người mất",
]

# Held out: none of these is in TRAINING_MESSAGES.
HELD_OUT_MESSAGES = [
    "tôi bị mất bằng lái xe thì phải làm sao",
    "làm giấy khai sinh cho con mất bao lâu",
    "cần giấy tờ gì để đăng ký kết hôn",
    "làm lại căn cước công dân ở đâu",
    "lệ phí cấp lại giấy phép lái xe là bao nhiêu",
    "hồ sơ đăng ký thường trú gồm những gì",
    "tôi muốn đăng ký tạm trú cho con",
    "làm hộ chiếu cho con cần những gì",
    "xin lý lịch tư pháp mất mấy ngày",
    "đăng ký hộ kinh doanh ở đâu",
    "nộp hồ sơ trực tuyến có được không",
    "tra cứu hồ sơ của tôi",
    "thời gian giải quyết hồ sơ khai sinh",
    "có phải nộp lệ phí không",
    "chứng thực bản sao giấy khai sinh",
    "xin giấy phép xây dựng nhà ở cần gì",
    "đổi bằng lái xe online được không",
    "mất chứng minh nhân dân thì làm lại thế nào",
    "nhận kết quả ở bộ phận một cửa",
    "gia hạn tạm trú có mất phí không",
    "khai tử cho người nhà ở đâu",
    "xác nhận tình trạng hôn nhân mất bao lâu",
    "đăng ký xe ô tô mới mua",
    "tôi cần hỗ trợ làm thủ tục",
    "thanh toán lệ phí trực tuyến được không",
]

# How the same words are typed on a phone without a Vietnamese keyboard.
PHONE_SHORTHAND = {"khong": "ko", "duoc": "dc"}


def make_tokenizer(lexicon=(), **config) -> VietnameseTokenizer:
    return VietnameseTokenizer(config, lexicon=lexicon)


def tokens_of(tokenizer: VietnameseTokenizer, text: str):
    return tokenizer.tokenize(Message(data={TEXT: text}), TEXT)


def texts(tokens):
    return [token.text for token in tokens]


def lemmas(tokens):
    return [token.lemma for token in tokens]


def assert_offsets(text, tokens):
    previous_end = 0
    for token in tokens:
        assert token.text, (text, token)
        assert token.start < token.end, (text, token.text)
        assert text[token.start : token.end] == token.text, (text, token.text, token.start, token.end)
        assert token.start >= previous_end, f"{text!r}: overlapping or unordered tokens {texts(tokens)}"
        previous_end = token.end


def unaccented(message: str) -> str:
    return " ".join(PHONE_SHORTHAND.get(word, word) for word in fold(message).split())


def training_data(messages=TRAINING_MESSAGES, **kwargs) -> TrainingData:
    return TrainingData([Message(data={TEXT: text, INTENT: "hoi"}) for text in messages], **kwargs)


@pytest.fixture(scope="module")
def trained() -> VietnameseTokenizer:
    tokenizer = make_tokenizer()
    tokenizer.set_lexicon(tokenizer.learn_lexicon(training_data()))
    return tokenizer


# ---------------------------------------------------------------- offsets


@pytest.mark.parametrize(
    "text",
    [
        "Tôi muốn làm lại giấy phép lái xe",
        "toi muon lam lai giay phep lai xe",
        unicodedata.normalize("NFD", "Tôi muốn làm lại giấy phép lái xe"),
        "  làm   giấy  phép\tlái xe\n",
        "giấy phép,lái xe??? 😀làm khai sinh😀 ok!!!",
        "Chào bạn.Tôi cần (gấp) hồ sơ: CCCD + GPLX...",
        "\u00a0hồ\u00a0sơ\u200bcủa tôi",
        "\u0301 dấu lẻ ở đầu",
        "!!! ??? ...",
        "",
        "   ",
    ],
)
def test_offsets_slice_the_original_text(text):
    for tokenizer in (make_tokenizer(), make_tokenizer(lexicon=["giay phep", "lai xe", "khai sinh"])):
        assert_offsets(text, tokens_of(tokenizer, text))


def test_message_text_is_never_altered():
    text = unicodedata.normalize("NFD", "  Làm GIẤY phép  ")
    message = Message(data={TEXT: text})
    make_tokenizer().process([message])
    assert message.get(TEXT) == text


def test_nfd_combining_marks_stay_inside_their_token():
    nfc_text = "Tôi muốn làm giấy phép lái xe ở Đà Nẵng"
    nfd_text = unicodedata.normalize("NFD", nfc_text)
    tokenizer = make_tokenizer()
    nfd_tokens = tokens_of(tokenizer, nfd_text)
    assert_offsets(nfd_text, nfd_tokens)
    assert [unicodedata.normalize("NFC", t) for t in texts(nfd_tokens)] == texts(tokens_of(tokenizer, nfc_text))
    assert lemmas(nfd_tokens) == lemmas(tokens_of(tokenizer, nfc_text))
    assert "giấy phép" in [unicodedata.normalize("NFC", t) for t in texts(nfd_tokens)]


def test_punctuation_and_emoji_are_not_tokens():
    tokenizer = make_tokenizer()
    assert texts(tokens_of(tokenizer, "ko dc à??? 😀😀 cảm ơn!!!")) == ["ko", "dc", "à", "cảm ơn"]


def test_text_of_punctuation_only_is_one_token():
    text = "  👍👍  "
    tokens = tokens_of(make_tokenizer(), text)
    assert texts(tokens) == ["👍👍"]
    assert_offsets(text, tokens)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("hẹn ngày 12/5 lấy kết quả", "12/5"),
        ("hồ sơ 000.00.53.H48-220921-0099 đến đâu rồi", "000.00.53.H48-220921-0099"),
        ("gọi cho tôi +84912345678 nhé", "+84912345678"),
        ("gọi 0912.345.678", "0912.345.678"),
        ("thủ tục 1.001193 cần gì", "1.001193"),
        ("nhà số 12/5A Nguyễn Trãi", "12/5A"),
        ("biển số 43H-0530", "43H-0530"),
        ("hẹn 10:30 ngày 25/11/2025", "10:30"),
        ("hẹn 10:30 ngày 25/11/2025", "25/11/2025"),
        ("lệ phí 1,5 triệu", "1,5"),
        ("gửi về abc.xyz@gmail.com giúp", "abc.xyz@gmail.com"),
        ("người H'Mông làm khai sinh", "H'Mông"),
        ("mã hồ sơ (000.00.53.H48-220921-0099).", "000.00.53.H48-220921-0099"),
    ],
)
def test_codes_phones_and_house_numbers_stay_whole(text, kept):
    for tokenizer in (make_tokenizer(), make_tokenizer(lexicon=["ho so", "le phi"])):
        tokens = tokens_of(tokenizer, text)
        assert kept in texts(tokens), texts(tokens)
        assert_offsets(text, tokens)


def test_glued_sentences_are_not_one_token():
    assert texts(tokens_of(make_tokenizer(), "Chào bạn.Tôi cần hỗ trợ,cảm ơn")) == [
        "Chào",
        "bạn",
        "Tôi",
        "cần",
        "hỗ trợ",
        "cảm ơn",
    ]


# ----------------------------------------------------------- segmentation


def test_accented_text_is_segmented_by_underthesea():
    text = "Tôi muốn làm lại giấy phép lái xe"
    tokens = tokens_of(make_tokenizer(), text)
    assert "giấy phép" in texts(tokens)
    token = next(t for t in tokens if t.text == "giấy phép")
    assert (token.start, token.end) == (text.index("giấy"), text.index("phép") + len("phép"))
    assert token.lemma == "giay_phep"


def test_a_word_keeps_the_original_whitespace_inside():
    text = "cần  giấy   phép gì"
    tokens = tokens_of(make_tokenizer(), text)
    assert "giấy   phép" in texts(tokens)
    assert "giay_phep" in lemmas(tokens)


def test_words_are_never_joined_across_punctuation():
    tokens = tokens_of(make_tokenizer(lexicon=["giay phep"]), "giay, phep")
    assert texts(tokens) == ["giay", "phep"]
    tokens = tokens_of(make_tokenizer(), "giấy, phép")
    assert texts(tokens) == ["giấy", "phép"]


def test_unaccented_text_without_lexicon_is_one_token_per_syllable():
    assert texts(tokens_of(make_tokenizer(), "toi muon lam giay phep lai xe")) == [
        "toi",
        "muon",
        "lam",
        "giay",
        "phep",
        "lai",
        "xe",
    ]


def test_unaccented_text_is_segmented_by_greedy_longest_match():
    tokenizer = make_tokenizer(lexicon=["giấy phép", "giấy phép lái xe", "lái xe", "khai sinh"])
    text = "Lam lai  Giay phep lai xe, khai sinh"
    tokens = tokens_of(tokenizer, text)
    assert texts(tokens) == ["Lam", "lai", "Giay phep lai xe", "khai sinh"]
    assert lemmas(tokens) == ["lam", "lai", "giay_phep_lai_xe", "khai_sinh"]
    assert_offsets(text, tokens)


def test_longest_match_is_limited_to_four_syllables():
    tokenizer = make_tokenizer(lexicon=["uy ban nhan dan tinh", "uy ban nhan dan", "nhan dan"])
    assert "uy ban nhan dan tinh" not in tokenizer.lexicon
    assert texts(tokens_of(tokenizer, "uy ban nhan dan tinh")) == ["uy ban nhan dan", "tinh"]


def test_mixed_text_with_few_diacritics_uses_the_lexicon():
    tokenizer = make_tokenizer(lexicon=["giay phep", "lai xe"])
    assert texts(tokens_of(tokenizer, "lam giay phep lái xe")) == ["lam", "giay phep", "lái xe"]


# ------------------------------------------------------------------ lemmas


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Làm GIẤY PHÉP", ["lam", "giay_phep"]),
        ("Đăng ký ở Đà Nẵng", ["dang_ky", "o", "da_nang"]),
        ("gplx hết hạn", ["giay_phep_lai_xe", "het", "han"]),
        ("GPLX het han", ["giay_phep_lai_xe", "het", "han"]),
        ("ko dc ak", ["khong", "duoc", "ak"]),
        ("đc ko", ["duoc", "khong"]),
        ("mất cccd thì sao", ["mat", "can_cuoc_cong_dan", "thi", "sao"]),
        ("sdt cua ubnd", ["so_dien_thoai", "cua", "uy_ban_nhan_dan"]),
        ("hs dvc", ["ho_so", "dich_vu_cong"]),
        ("dạ vâng ạ", ["da", "vang", "a"]),  # "ạ" is a word, not shorthand for "anh"
    ],
)
def test_lemmas_are_folded_and_shorthand_expanded(text, expected):
    assert lemmas(tokens_of(make_tokenizer(), text)) == expected


def test_shorthand_is_never_glued_to_a_neighbour():
    tokenizer = make_tokenizer(lexicon=["hs dvc", "lam hs"])
    assert texts(tokens_of(tokenizer, "lam hs dvc")) == ["lam", "hs", "dvc"]


def test_accented_and_unaccented_messages_get_the_same_lemmas(trained):
    assert len(HELD_OUT_MESSAGES) >= 20
    assert not set(HELD_OUT_MESSAGES) & set(TRAINING_MESSAGES)
    different = []
    for message in HELD_OUT_MESSAGES:
        with_accents = lemmas(tokens_of(trained, message))
        without = lemmas(tokens_of(trained, unaccented(message)))
        if with_accents != without:
            different.append(f"{message!r}: {with_accents} != {without}")
    agreement = 1 - len(different) / len(HELD_OUT_MESSAGES)
    print(f"\naccented/unaccented lemma agreement on held-out messages: {agreement:.0%}")
    assert agreement >= 0.8, "\n".join(different)


def test_training_messages_agree_almost_always(trained):
    same = sum(
        lemmas(tokens_of(trained, message)) == lemmas(tokens_of(trained, unaccented(message)))
        for message in TRAINING_MESSAGES
    )
    assert same / len(TRAINING_MESSAGES) >= 0.9


# -------------------------------------------------------------- lexicon


def test_lexicon_learns_from_examples_lookup_tables_and_synonyms():
    data = TrainingData(
        [
            Message(data={TEXT: "làm giấy khai sinh cho con", INTENT: "hoi"}),
            Message(data={TEXT: "lam giay chung tu", INTENT: "hoi"}),  # no diacritics: skipped
        ],
        entity_synonyms={"bằng lái xe": "giấy phép lái xe"},
        lookup_tables=[
            {"name": "thu_tuc", "elements": ["Cấp phiếu lý lịch tư pháp", "dang ky ket hon"]},
            {"name": "dia_danh", "elements": "Thành phố Hồ Chí Minh\nHà Nội\n"},
        ],
    )
    lexicon = set(make_tokenizer().learn_lexicon(data))
    assert "khai sinh" in lexicon  # example
    assert "ly lich" in lexicon or "ly lich tu phap" in lexicon  # lookup table
    assert "ho chi minh" in lexicon or "thanh pho" in lexicon  # lookup table given as text
    assert "giay phep" in lexicon or "lai xe" in lexicon  # entity synonym
    assert "chung tu" not in lexicon and "ket hon" not in lexicon  # typed without diacritics
    assert all(2 <= len(word.split()) <= 4 and word == fold(word) for word in lexicon)


def test_lexicon_keeps_only_words_underthesea_joins_most_of_the_time(monkeypatch):
    segmented = {
        "xin giấy tờ gì": ["xin", "giấy tờ", "gì"],
        "nộp giấy tờ gì": ["nộp", "giấy", "tờ", "gì"],
        "đưa giấy tờ gì": ["đưa", "giấy", "tờ", "gì"],
        "làm như thế nào": ["làm", "như thế nào"],
        "đi như thế nào": ["đi", "như thế nào"],
        "thế nào cũng được": ["thế nào", "cũng", "được"],
    }
    monkeypatch.setattr(
        vietnamese_tokenizer, "_underthesea_word_tokenize", lambda sentence: segmented.get(sentence, sentence.split())
    )
    data = training_data(list(segmented))
    lexicon = set(make_tokenizer().learn_lexicon(data))
    assert "giay to" not in lexicon  # joined once in three occurrences
    assert {"nhu the nao", "the nao"} <= lexicon  # "thế nào" inside "như thế nào" does not count
    assert "giay to" in make_tokenizer(min_join_ratio=0.3).learn_lexicon(data)


def test_learnt_lexicon_has_the_domain_words(trained):
    assert {"khai sinh", "giay phep", "ho so", "can cuoc", "tam tru", "truc tuyen"} <= trained.lexicon


def test_entity_boundaries_are_respected_while_training():
    data = RasaYAMLReader().reads(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: hoi_thu_tuc\n"
        "  examples: |\n"
        "    - lam lai [bang lai xe may](procedure)\n"
        "    - [giay phep](document) lai xe\n"
    )
    tokenizer = make_tokenizer(lexicon=["lai bang", "lai xe may", "giay phep lai"])

    # Without annotations the lexicon joins across the entity's start ...
    plain = texts(tokens_of(tokenizer, "lam lai bang lai xe may"))
    assert plain == ["lam", "lai bang", "lai xe may"]

    tokenizer.process_training_data(data)
    first, second = data.training_examples
    assert texts(first.get(TOKENS_NAMES[TEXT])) == ["lam", "lai", "bang", "lai xe may"]
    assert lemmas(first.get(TOKENS_NAMES[TEXT])) == ["lam", "lai", "bang", "lai_xe_may"]
    # ... and across its end.
    assert texts(second.get(TOKENS_NAMES[TEXT])) == ["giay phep", "lai", "xe"]
    for example in data.training_examples:
        assert_offsets(example.get(TEXT), example.get(TOKENS_NAMES[TEXT]))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EntityExtractorMixin.check_correct_entity_annotations(data)
    assert not [w for w in caught if "Misaligned" in str(w.message)]


def test_process_keeps_lexicon_words_at_inference():
    message = Message(data={TEXT: "lam lai bang lai xe may"})
    make_tokenizer(lexicon=["lai bang", "lai xe may"]).process([message])
    assert texts(message.get(TOKENS_NAMES[TEXT])) == ["lam", "lai bang", "lai xe may"]


# ------------------------------------------------------- configuration


def test_default_config_has_the_tokenizer_options():
    config = VietnameseTokenizer.get_default_config()
    for key in ("intent_tokenization_flag", "intent_split_symbol", "token_pattern", "prefix_separator_symbol"):
        assert key in config


def test_intent_split_symbol_is_supported():
    tokenizer = make_tokenizer(intent_tokenization_flag=True, intent_split_symbol="+")
    message = Message(data={TEXT: "lệ phí bao nhiêu", INTENT: "hoi+le_phi"})
    tokenizer.process_training_data(TrainingData([message]))
    assert texts(message.get(TOKENS_NAMES[INTENT])) == ["hoi", "le_phi"]


def test_token_pattern_is_supported():
    tokenizer = make_tokenizer(token_pattern=r"(?u)\b\w+\b")
    text = "giấy phép lái xe"
    tokens = tokens_of(tokenizer, text)
    assert texts(tokens) == ["giấy", "phép", "lái", "xe"]
    assert lemmas(tokens) == ["giay", "phep", "lai", "xe"]
    assert_offsets(text, tokens)


# ------------------------------------------------------------ persistence


def test_train_persist_load_round_trip(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("vietnamese_tokenizer")
    context = ExecutionContext(GraphSchema({}), "test-model")
    config = VietnameseTokenizer.get_default_config()

    created = VietnameseTokenizer.create(config, storage, resource, context)
    assert created.lexicon == frozenset()
    returned = created.train(training_data())
    assert returned == resource
    assert "khai sinh" in created.lexicon
    saved = json.loads((tmp_path / resource.name / LEXICON_FILE).read_text(encoding="utf-8"))
    assert set(saved["words"]) == created.lexicon

    loaded = VietnameseTokenizer.load(config, storage, resource, context)
    assert loaded.lexicon == created.lexicon
    text = "lam lai giay phep lai xe can giay to gi"
    assert tokens_of(loaded, text) == tokens_of(created, text)
    assert "giay phep" in texts(tokens_of(loaded, text))


def test_load_without_a_persisted_lexicon_falls_back_to_syllables(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test-model")
    loaded = VietnameseTokenizer.load(
        VietnameseTokenizer.get_default_config(), storage, Resource("missing"), context
    )
    assert loaded.lexicon == frozenset()
    assert texts(tokens_of(loaded, "giay phep")) == ["giay", "phep"]


# ---------------------------------------------------------- properties


ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "AĂÂĐÊÔƠƯÀÁẢÃẠĐẾỆỘỮ"
    "fjwz0123456789"
)
PUNCTUATION = ".,;:!?/-+@'’\"()[]…_#%&*"
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\u00a0"]
EXTRAS = ["😀", "👍", "\u0301", "\u0323", "\u200b", "ß", "ǅ"]
SYLLABLES = [
    "giấy", "phép", "lái", "xe", "khai", "sinh", "hồ", "sơ", "làm", "lại", "căn", "cước",
    "giay", "phep", "lai", "ho", "so", "ko", "dc", "gplx", "cccd", "12/5", "1.001193",
]  # fmt: skip


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 14)):
        kind = rng.random()
        if kind < 0.35:
            parts.append(rng.choice(SYLLABLES))
        elif kind < 0.7:
            parts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 7))))
        elif kind < 0.85:
            parts.append(rng.choice(PUNCTUATION))
        else:
            parts.append(rng.choice(EXTRAS))
        parts.append(rng.choice(SPACES) if rng.random() < 0.8 else "")
    text = "".join(parts)
    return unicodedata.normalize("NFD", text) if rng.random() < 0.2 else text


def test_random_strings_give_ordered_exact_non_overlapping_tokens(trained):
    rng = random.Random(20241125)
    tokenizers = (make_tokenizer(), trained)
    for _ in range(400):
        text = random_text(rng)
        for tokenizer in tokenizers:
            tokens = tokens_of(tokenizer, text)
            assert_offsets(text, tokens)
            if text.strip():
                assert tokens, repr(text)
            for token in tokens:
                assert token.lemma and not re.search(r"\s", token.lemma), (text, token.text, token.lemma)


# -------------------------------------------------------------- speed


def test_tokenizing_a_message_takes_well_under_five_milliseconds(trained):
    messages = HELD_OUT_MESSAGES + [unaccented(m) for m in HELD_OUT_MESSAGES]
    for message in messages:  # warm up
        tokens_of(trained, message)
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        for message in messages:
            tokens_of(trained, message)
    per_message_ms = (time.perf_counter() - started) * 1000 / (rounds * len(messages))
    print(f"\ntokenizing: {per_message_ms:.3f} ms per message")
    assert per_message_ms < 5
