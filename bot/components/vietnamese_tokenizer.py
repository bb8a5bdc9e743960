"""A Rasa 3.6 tokenizer for Vietnamese as citizens type it.

Vietnamese writes one syllable per space-separated unit, but a word is often two to
four syllables ("giấy phép lái xe"). This tokenizer:

* finds units (syllables, numbers, codes such as ``000.00.53.H48-220921-0099``,
  ``12/5``, ``+84912345678``, ``1.001193``) on the original text, so every token is
  ``text[start:end]`` of the message as it was typed (NFC or NFD, any case);
* groups syllables into words: with underthesea's ``word_tokenize`` when the message
  is written with diacritics, and otherwise by greedy longest match against a folded
  lexicon of multi-syllable words that ``train`` learns by running underthesea over
  the accented training examples, lookup tables and entity synonyms;
* sets ``lemma`` to the folded word ("giay_phep"), with phone shorthand and domain
  acronyms expanded (``gplx`` → ``giay_phep_lai_xe``), so that the featurizers see
  "lam giay khai sinh" and "làm giấy khai sinh" alike;
* during training, splits multi-syllable tokens that cross an entity's start or end.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Text, Tuple

import regex

from api.text.normalize import fold, nfc
from api.text.vocabulary import SHORTHAND
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

LEXICON_FILE = "lexicon.json"
LEXICON_FORMAT = 1

# A run of letters and digits; combining marks (NFD input) stay with the run.
_ALNUM_RUN = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*")
_LETTERS_ONLY = regex.compile(r"[\p{L}\p{M}]+")
_HAS_DIGIT = regex.compile(r"\p{N}")
_ASCII_ALNUM = regex.compile(r"[A-Za-z0-9]+")
_SYLLABLE_IN_TOKEN = regex.compile(r"\S+")


def _is_ascii_alnum(text: Text) -> bool:
    return _ASCII_ALNUM.fullmatch(text) is not None


def _joins(left: Text, gap: Text, right: Text) -> bool:
    """Whether two alphanumeric runs separated by the one-character ``gap`` form one unit.

    Keeps dates, house numbers, procedure and dossier codes, decimals, times, e-mail
    addresses and names such as H'Mông whole, without gluing "bạn.Tôi" together.
    """
    if gap in "/-":
        return True
    left_digit, right_digit = left[-1].isdigit(), right[0].isdigit()
    if gap in ",:":
        return left_digit and right_digit
    if gap == ".":
        return left_digit or right_digit or (_is_ascii_alnum(left) and _is_ascii_alnum(right))
    if gap in "'’":
        return not left_digit and not right_digit
    if gap in "@&":
        return _is_ascii_alnum(left) and _is_ascii_alnum(right)
    return False


@dataclass(frozen=True)
class _Unit:
    """A stretch of the message that is never split: a syllable, a number or a code."""

    start: int
    end: int
    text: Text
    folded: Text
    accented: bool  # carries a diacritic or "đ"
    syllable: bool  # letters only, so it may be part of a multi-syllable word
    joinable: bool  # a syllable that is not phone shorthand
    space_before: bool  # separated from the previous unit by whitespace only


def _has_diacritics(text: Text, folded: Text) -> bool:
    return folded != nfc(text).lower()


def _is_shorthand(text: Text, folded: Text) -> bool:
    """Phone shorthand: a key of SHORTHAND typed without tone or vowel marks.

    "đ" is allowed ("đc", "đk" are how people write "được", "đăng ký"); "à" or "ạ"
    are words of their own and stay as they are.
    """
    return folded in SHORTHAND and folded == nfc(text).lower().replace("đ", "d")


def _make_unit(text: Text, start: int, end: int, space_before: bool) -> _Unit:
    piece = text[start:end]
    folded = fold(piece)
    accented = _has_diacritics(piece, folded)
    syllable = _LETTERS_ONLY.fullmatch(piece) is not None
    shorthand = _is_shorthand(piece, folded)
    return _Unit(start, end, piece, folded, accented, syllable, syllable and not shorthand, space_before)


def find_units(text: Text) -> List[_Unit]:
    """Splits ``text`` into units with their offsets in ``text`` itself."""
    runs = [(m.start(), m.end()) for m in _ALNUM_RUN.finditer(text)]
    spans: List[List[int]] = []
    previous: Optional[Tuple[int, int]] = None  # the last run, not the unit it joined
    for start, end in runs:
        joins = (
            previous is not None
            and start - previous[1] == 1
            and _joins(text[previous[0] : previous[1]], text[previous[1]], text[start:end])
        )
        previous = (start, end)
        if joins:
            spans[-1][1] = end
            continue
        # "+84912345678": keep the plus of a phone number.
        if (
            start > 0
            and text[start - 1] == "+"
            and text[start].isdigit()
            and (start == 1 or not text[start - 2].isalnum())
            and not (spans and spans[-1][1] == start - 1)
        ):
            start -= 1
        spans.append([start, end])

    units: List[_Unit] = []
    prev_end: Optional[int] = None
    for start, end in spans:
        space_before = prev_end is not None and text[prev_end:start].isspace()
        units.append(_make_unit(text, start, end, space_before))
        prev_end = end
    return units


def lemma_of(span: Text) -> Text:
    """The lemma of a token's text: folded syllables joined with "_", shorthand expanded."""
    syllables = span.split()
    if len(syllables) == 1:
        folded = fold(span)
        if _is_shorthand(span, folded):
            return "_".join(SHORTHAND[folded].split())
        return folded
    return "_".join(fold(syllable) for syllable in syllables)


def _joinable_runs(units: Sequence[_Unit]) -> Iterator[Tuple[int, int]]:
    """Maximal [i, j) ranges of joinable units separated by whitespace only."""
    i = 0
    while i < len(units):
        if not units[i].joinable:
            i += 1
            continue
        j = i + 1
        while j < len(units) and units[j].joinable and units[j].space_before:
            j += 1
        yield i, j
        i = j


_word_tokenize: Optional[Callable[[Text], List[Text]]] = None


def _load_underthesea() -> Callable[[Text], List[Text]]:
    """underthesea's word_tokenize, with its CRF model loaded (once per process)."""
    global _word_tokenize
    if _word_tokenize is None:
        from underthesea import word_tokenize

        word_tokenize("xin chào")  # loads the model now rather than on a citizen's message
        _word_tokenize = word_tokenize
    return _word_tokenize


def _underthesea_word_tokenize(sentence: Text) -> List[Text]:
    return _load_underthesea()(sentence)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True)
class VietnameseTokenizer(Tokenizer):
    """Vietnamese word segmentation with accent-folded, shorthand-expanded lemmas."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            **Tokenizer.get_default_config(),
            # Flag to check whether to split intents
            "intent_tokenization_flag": False,
            # Symbol on which intent should be split
            "intent_split_symbol": "_",
            # Regular expression to detect tokens
            "token_pattern": None,
            # Symbol on which prefix should be split
            "prefix_separator_symbol": None,
            # Share of syllables carrying diacritics from which a message counts as
            # written with diacritics and goes through underthesea.
            "accented_ratio": 0.3,
            # Longest word the lexicon matches, in syllables.
            "max_word_syllables": 4,
            # A word enters the lexicon when underthesea joined it in at least this
            # share of its occurrences in the (accented) training data.
            "min_join_ratio": 0.5,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        """Any extra python dependencies required for this component to run."""
        return ["underthesea"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        lexicon: Optional[Iterable[Text]] = None,
    ) -> None:
        """Initialises the tokenizer; ``lexicon`` holds folded multi-syllable words."""
        super().__init__({**self.get_default_config(), **config})
        self._model_storage = model_storage
        self._resource = resource
        self._accented_ratio = float(self._config["accented_ratio"])
        self._max_syllables = int(self._config["max_word_syllables"])
        self._min_join_ratio = float(self._config["min_join_ratio"])
        self._lexicon: Set[Text] = set()
        self.set_lexicon(lexicon or ())
        _load_underthesea()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        """Creates a new, untrained component (see parent class for full docstring)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> VietnameseTokenizer:
        """Loads the lexicon learnt in training from the model storage."""
        lexicon: List[Text] = []
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((Path(directory) / LEXICON_FILE).read_text(encoding="utf-8"))
                lexicon = list(data["words"])
        except (ValueError, OSError, KeyError, TypeError) as error:
            logger.warning(
                f"{cls.__name__}: no lexicon in resource '{resource.name}' ({error}); "
                f"text without diacritics is split into syllables."
            )
        return cls(config, model_storage, resource, lexicon)

    # ------------------------------------------------------------------ lexicon

    @property
    def lexicon(self) -> frozenset:
        """The folded multi-syllable words matched in text without diacritics."""
        return frozenset(self._lexicon)

    def set_lexicon(self, words: Iterable[Text]) -> None:
        """Replaces the lexicon; entries are folded and whitespace-normalised."""
        lexicon = set()
        for word in words:
            syllables = fold(word).split()
            if 2 <= len(syllables) <= self._max_syllables:
                lexicon.add(" ".join(syllables))
        self._lexicon = lexicon

    def train(self, training_data: TrainingData) -> Resource:
        """Learns the lexicon from the training data and persists it."""
        self.set_lexicon(self.learn_lexicon(training_data))
        logger.debug(f"{self.__class__.__name__}: learnt {len(self._lexicon)} multi-syllable words.")
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Writes the lexicon to the model storage."""
        if self._model_storage is None or self._resource is None:
            raise ValueError("VietnameseTokenizer was created without a model storage to persist to.")
        with self._model_storage.write_to(self._resource) as directory:
            payload = {"format": LEXICON_FORMAT, "words": sorted(self._lexicon)}
            (Path(directory) / LEXICON_FILE).write_text(
                json.dumps(payload, ensure_ascii=False, indent=0), encoding="utf-8"
            )

    @staticmethod
    def _texts_for_lexicon(training_data: TrainingData) -> Iterator[Tuple[Text, List[Dict[Text, Any]]]]:
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if isinstance(text, str) and text.strip():
                yield text, example.get(ENTITIES) or []
        for table in training_data.lookup_tables:
            elements = table.get("elements") or []
            if isinstance(elements, str):
                path = Path(elements)
                try:
                    is_file = "\n" not in elements and path.is_file()
                except OSError:
                    is_file = False
                elements = (path.read_text(encoding="utf-8") if is_file else elements).splitlines()
            for element in elements:
                if isinstance(element, str) and element.strip():
                    yield element.strip(), []
        for synonym, value in training_data.entity_synonyms.items():
            for entry in (synonym, value):
                if isinstance(entry, str) and entry.strip():
                    yield entry, []

    def learn_lexicon(self, training_data: TrainingData) -> List[Text]:
        """Folded words underthesea joins in most of their occurrences in the accented data.

        An occurrence inside a longer word ("thế nào" in "như thế nào") does not count
        against the shorter word: longest match would not consider it there either.
        """
        joined: Counter = Counter()
        seen: Counter = Counter()
        for text, entities in self._texts_for_lexicon(training_data):
            units = find_units(text)
            if not self._is_accented(units):
                continue
            groups = self._segment_with_underthesea(units)
            if groups is None:
                continue
            tokens = self._split_at_entity_boundaries(text, self._to_tokens(text, units, groups), entities)
            first_unit = {unit.start: index for index, unit in enumerate(units)}
            words = []  # unit ranges of the multi-syllable tokens
            for token in tokens:
                size = len(token.text.split())
                if size >= 2 and token.start in first_unit:
                    words.append((first_unit[token.start], first_unit[token.start] + size))
            for a, b in words:
                if b - a <= self._max_syllables:
                    joined[" ".join(unit.folded for unit in units[a:b])] += 1
            for i, j in _joinable_runs(units):
                for n in range(2, min(self._max_syllables, j - i) + 1):
                    for k in range(i, j - n + 1):
                        if any(a <= k and k + n <= b and b - a > n for a, b in words):
                            continue
                        seen[" ".join(unit.folded for unit in units[k : k + n])] += 1
        return sorted(
            word for word, count in joined.items() if count >= self._min_join_ratio * max(seen[word], count)
        )

    # ------------------------------------------------------------- tokenizing

    def _is_accented(self, units: Sequence[_Unit]) -> bool:
        syllables = [unit for unit in units if unit.syllable]
        if not syllables:
            return False
        return sum(unit.accented for unit in syllables) >= self._accented_ratio * len(syllables)

    def _segment_with_underthesea(self, units: Sequence[_Unit]) -> Optional[List[Tuple[int, int]]]:
        """Groups units into words as underthesea segments them; None if it cannot be aligned."""
        pieces: List[Text] = []
        owners: List[Optional[int]] = []
        for index, unit in enumerate(units):
            if index and not unit.space_before:
                pieces.append(",")  # punctuation between units: never one word
                owners.append(None)
            if unit.syllable:
                pieces.append(nfc(unit.text))
            else:
                pieces.append("0" if _HAS_DIGIT.search(unit.text) else "x")
            owners.append(index)
        try:
            words = _underthesea_word_tokenize(" ".join(pieces))
        except Exception as error:  # underthesea must never take a message down
            logger.debug(f"underthesea failed on a message: {error!r}")
            return None
        sizes = [len(word.split()) for word in words]
        if sum(sizes) != len(pieces):
            return None

        groups: List[Tuple[int, int]] = []
        position = 0
        for size in sizes:
            run: List[int] = []  # consecutive joinable units inside this word
            for owner in owners[position : position + size]:
                if owner is not None and units[owner].joinable and run and run[-1] == owner - 1:
                    run.append(owner)
                    continue
                if run:
                    groups.append((run[0], run[-1] + 1))
                    run = []
                if owner is None:
                    continue
                if units[owner].joinable:
                    run = [owner]
                else:
                    groups.append((owner, owner + 1))
            if run:
                groups.append((run[0], run[-1] + 1))
            position += size
        return sorted(set(groups))

    def _segment_with_lexicon(self, units: Sequence[_Unit]) -> List[Tuple[int, int]]:
        """Greedy longest match of folded syllables against the lexicon."""
        groups: List[Tuple[int, int]] = []
        covered = 0
        for i, j in _joinable_runs(units):
            groups.extend((k, k + 1) for k in range(covered, i))
            k = i
            while k < j:
                size = 1
                for n in range(min(self._max_syllables, j - k), 1, -1):
                    if " ".join(unit.folded for unit in units[k : k + n]) in self._lexicon:
                        size = n
                        break
                groups.append((k, k + size))
                k += size
            covered = j
        groups.extend((k, k + 1) for k in range(covered, len(units)))
        return sorted(groups)

    def _segment(self, units: Sequence[_Unit]) -> List[Tuple[int, int]]:
        if self._is_accented(units):
            groups = self._segment_with_underthesea(units)
            if groups is not None:
                return groups
        return self._segment_with_lexicon(units)

    @staticmethod
    def _to_tokens(text: Text, units: Sequence[_Unit], groups: Sequence[Tuple[int, int]]) -> List[Token]:
        tokens = []
        for i, j in groups:
            start, end = units[i].start, units[j - 1].end
            span = text[start:end]
            tokens.append(Token(span, start, end, lemma=lemma_of(span)))
        return tokens

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        text = message.get(attribute)
        if not isinstance(text, str):
            return []
        units = find_units(text)
        if units:
            tokens = self._to_tokens(text, units, self._segment(units))
        else:
            # Only punctuation or emoji ("??", "👍"): one token, as the whitespace tokenizer does.
            stripped = text.strip()
            if not stripped:
                return []
            start = text.index(stripped)
            tokens = [Token(stripped, start, start + len(stripped), lemma=lemma_of(stripped))]
        if self.token_pattern_regex is None:
            return tokens
        # The base class gives every piece the lemma of the whole token; recompute it.
        return [
            Token(token.text, token.start, token.end, data=token.data, lemma=lemma_of(token.text))
            for token in self._apply_token_pattern(tokens)
        ]

    # ------------------------------------------------- entity-aware training

    @staticmethod
    def _split_at_entity_boundaries(
        text: Text, tokens: List[Token], entities: Sequence[Dict[Text, Any]]
    ) -> List[Token]:
        """Splits multi-syllable tokens at syllable boundaries where an entity starts or ends."""
        boundaries = set()
        for entity in entities:
            for key in (ENTITY_ATTRIBUTE_START, ENTITY_ATTRIBUTE_END):
                if isinstance(entity.get(key), int):
                    boundaries.add(entity[key])
        if not boundaries:
            return tokens

        result: List[Token] = []
        for token in tokens:
            inside = [b for b in boundaries if token.start < b < token.end]
            syllables = [
                (token.start + m.start(), token.start + m.end()) for m in _SYLLABLE_IN_TOKEN.finditer(token.text)
            ]
            if not inside or len(syllables) < 2:
                result.append(token)
                continue
            group = [syllables[0]]
            pieces = []
            for syllable in syllables[1:]:
                if any(group[-1][1] <= b <= syllable[0] for b in inside):
                    pieces.append(group)
                    group = [syllable]
                else:
                    group.append(syllable)
            pieces.append(group)
            for piece in pieces:
                start, end = piece[0][0], piece[-1][1]
                span = text[start:end]
                result.append(Token(span, start, end, data=dict(token.data), lemma=lemma_of(span)))
        return result

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Tokenizes all training data, keeping entity annotations on token boundaries."""
        training_data = super().process_training_data(training_data)
        for example in training_data.training_examples:
            entities = example.get(ENTITIES)
            tokens = example.get(TOKENS_NAMES[TEXT])
            if entities and tokens:
                example.set(
                    TOKENS_NAMES[TEXT],
                    self._split_at_entity_boundaries(example.get(TEXT), tokens, entities),
                )
        return training_data
