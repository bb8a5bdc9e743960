"""In-memory Vietnamese search over the procedure catalog.

Why in memory: a province's catalog is ~2,000 procedures and the whole country's
~70,000; an index of that size fits in a few tens of MB, answers in a couple of
milliseconds and behaves the same on SQLite and PostgreSQL. Each API process
builds it from the database and rebuilds it when the catalog revision changes.

How it ranks (BM25F over folded text):
- text is folded (no diacritics, lower case), so "lam lai bang lai" meets "làm lại bằng lái";
- terms are syllables plus the multi-syllable words underthesea finds in the
  catalog ("giấy phép", "lái xe"); a query typed without diacritics is matched
  against that word list by n-grams, so segmentation works without accents;
- phone shorthand (gplx, cccd, ko) and colloquial phrases (bằng lái, nhập hộ khẩu,
  sao y) are expanded from ``api.text.vocabulary``; the catalog's own ``aliases``
  are indexed as a field of their own;
- a word not in the catalog's vocabulary is corrected to the nearest one
  (telex leftovers first, then edit distance with rapidfuzz);
- the best candidates are re-ranked by how much of a whole name or alias the
  query contains, in order.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from underthesea import word_tokenize

from api.text.normalize import CODE_RE, fold, nfc, tokens, untelex
from api.text.vocabulary import PHRASES, SHORTHAND, STOPWORDS

# Field weights: a hit in the name or a colloquial alias says much more than one
# in the field (lĩnh vực) or the result.
FIELD_WEIGHTS = {"name": 3.0, "aliases": 2.5, "field": 0.6, "result": 0.4}
# Length normalisation per field: official names are long ("Cấp giấy phép xây dựng mới
# đối với công trình cấp III, cấp IV … và nhà ở riêng lẻ") and must not drown for it.
FIELD_B = {"name": 0.4, "aliases": 0.5, "field": 0.75, "result": 0.75}
K1 = 1.2
WORD_PREFIX = "w:"  # multi-syllable word terms, e.g. "w:giay_phep"
ACCENT_PREFIX = "a:"  # syllables as written, e.g. "a:tử", to tell "tử" from "tư" when typed
ACCENT_WEIGHT = 0.5
MAX_NGRAM = 4
RERANK_DEPTH = 60
POSITION_DECAY = 0.3  # the last word of a query weighs 30 % less than the first
_NAME_PREFIX_RE = re.compile(r"^\s*(thu tuc|tthc)\s+")
_WORD_RE = re.compile(r"\w+(?:[./-]\w+)*", re.UNICODE)
_PHRASE_KEYS = sorted(PHRASES, key=len, reverse=True)


@dataclass(frozen=True, slots=True)
class DocInput:
    """What the index needs of one procedure."""

    id: int
    code: str
    name: str
    field: str
    online_level: int
    slug: str | None
    agency_level: str
    aliases: tuple[str, ...] = ()
    result: str = ""
    province_code: str | None = None  # None: applies everywhere


@dataclass(frozen=True, slots=True)
class Hit:
    doc: DocInput
    score: float
    coverage: float  # share of the query's meaningful words that the procedure matched


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    total: int
    confident: bool
    corrected: str  # the query as understood, folded and expanded (for debugging)


@lru_cache(maxsize=50_000)
def _segment(text: str) -> tuple[str, ...]:
    """Folded multi-syllable words of ``text`` according to underthesea."""
    words = []
    for word in word_tokenize(nfc(text)):
        parts = tokens(fold(word))
        if len(parts) > 1:
            words.append("_".join(parts))
    return tuple(words)


def read_words(text: str) -> list[str]:
    """Folded words of ``text`` with phone shorthand expanded ("CCCD" → "can cuoc cong dan").

    Used on both sides, so a catalog alias written "làm CCCD lần đầu" and a query typed
    "lam can cuoc lan dau" meet. Shorthand is expanded only where no diacritics were
    typed: "hồng" is not "hong" = không.
    """
    out: list[str] = []
    for raw in _WORD_RE.findall(nfc(text).lower()):
        folded = fold(raw)
        if folded == raw and folded in SHORTHAND:
            out.extend(SHORTHAND[folded].split())
        else:
            out.extend(tokens(folded))
    return out


def _strip_prefix(folded: str) -> str:
    return _NAME_PREFIX_RE.sub("", folded)


def _bm25_tf(tf: float, length: int, avg: float, b: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - b + b * length / avg))


class SearchIndex:
    """Immutable once built; rebuilding makes a new instance that replaces the old one."""

    def __init__(self, docs: list[DocInput]) -> None:
        self.docs = docs
        self.by_code = {d.code: i for i, d in enumerate(docs)}
        self.n = len(docs)
        fields = self._field_passages(docs)
        self.words: set[str] = set()
        for per_doc in fields.values():
            for passages in per_doc:
                for terms in passages:
                    self.words.update(t[len(WORD_PREFIX) :] for t in terms if t.startswith(WORD_PREFIX))
        postings: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for fname, per_doc in fields.items():
            weight, b = FIELD_WEIGHTS[fname], FIELD_B[fname]
            lengths = [len(terms) for passages in per_doc for terms in passages]
            avg = (sum(lengths) / len(lengths) if lengths else 1.0) or 1.0
            for doc_id, passages in enumerate(per_doc):
                # Each alias is a passage of its own: many aliases must not dilute each one.
                best: dict[str, float] = {}
                for terms in passages:
                    counts: dict[str, int] = defaultdict(int)
                    for term in terms:
                        counts[term] += 1
                    for term, tf in counts.items():
                        best[term] = max(best.get(term, 0.0), _bm25_tf(tf, len(terms), avg, b))
                for term, value in best.items():
                    postings[term][doc_id] += weight * value
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for term, per_doc_weights in postings.items():
            ids = np.fromiter(per_doc_weights.keys(), dtype=np.int32, count=len(per_doc_weights))
            weights = np.fromiter(per_doc_weights.values(), dtype=np.float32, count=len(per_doc_weights))
            order = np.argsort(ids)  # sorted ids let _doc_has binary-search
            self.postings[term] = (ids[order], weights[order])
            df = len(per_doc_weights)
            self.idf[term] = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        # Syllables the catalog knows, for typo correction (most frequent first on ties).
        self.syllables = sorted(
            (t for t in self.postings if ":" not in t),
            key=lambda t: -len(self.postings[t][0]),
        )
        self._syllable_set = set(self.syllables)
        self.known = self._syllable_set | STOPWORDS | set(SHORTHAND) | {w for k in PHRASES for w in k.split()}
        # Whole names and aliases as folded token tuples, for the re-ranking step.
        self.phrases: list[tuple[tuple[str, ...], ...]] = [
            tuple({tuple(read_words(p)) for p in (_strip_prefix(fold(d.name)), *d.aliases)} - {()})
            for d in docs
        ]

        provinces = sorted({d.province_code for d in docs if d.province_code})
        self._province_ids = {p: i + 1 for i, p in enumerate(provinces)}
        self._doc_province = np.array(
            [self._province_ids.get(d.province_code, 0) for d in docs], dtype=np.int16
        )

    @staticmethod
    def _field_passages(docs: list[DocInput]) -> dict[str, list[list[tuple[str, ...]]]]:
        out: dict[str, list[list[tuple[str, ...]]]] = {f: [] for f in FIELD_WEIGHTS}
        for d in docs:
            out["name"].append([_terms_of(d.name, True)])
            out["aliases"].append([_terms_of(a) for a in d.aliases])
            out["field"].append([_terms_of(d.field)])
            out["result"].append([_terms_of(d.result)] if d.result else [])
        return out

    # --- query side -------------------------------------------------------------------

    def _candidates(self, token: str) -> list[str]:
        """Catalog syllables close to ``token``: telex repair first, then edit distance
        (transpositions count as one edit: "sihn" → "sinh")."""
        repaired = untelex(token)
        if repaired and repaired in self._syllable_set:
            return [repaired]
        max_dist = 2 if len(token) >= 7 else 1
        found = process.extract(token, self.syllables, scorer=OSA.distance, score_cutoff=max_dist, limit=8)
        return [c for c, _dist, _ in sorted(found, key=lambda f: f[1])]

    def _fits(self, candidate: str, prev: str | None, nxt: str | None) -> bool:
        return (prev is not None and f"{prev}_{candidate}" in self.words) or (
            nxt is not None and f"{candidate}_{nxt}" in self.words
        )

    def understand(self, query: str) -> tuple[list[str], list[str]]:
        """Read the query as the catalog speaks: the folded words (shorthand expanded,
        typos corrected) and the extra words colloquial phrases expand to.

        A word that is not Vietnamese at all ("sihn", "khais") becomes the nearest catalog
        word. A real word the catalog doesn't use ("sin" in "khai sin") is corrected only
        when the correction forms a catalog word with its neighbour ("khai sinh").
        """
        typed = read_words(query)
        words: list[str] = []
        for pos, tok in enumerate(typed):
            if tok in self.known or len(tok) < 3 or not tok.isalpha():
                words.append(tok)
                continue
            prev = words[-1] if words else None
            nxt = typed[pos + 1] if pos + 1 < len(typed) else None
            candidates = self._candidates(tok)
            fitting = [c for c in candidates if self._fits(c, prev, nxt)]
            if fitting:
                words.append(fitting[0])
            elif candidates and tok not in _vietnamese_syllables():
                words.append(candidates[0])
            else:
                words.append(tok)
        extra: list[str] = []
        for seq in (typed, words) if typed != words else (typed,):
            text = " " + " ".join(seq) + " "
            for key in _PHRASE_KEYS:
                if f" {key} " in text:
                    extra.extend(PHRASES[key].split())
                    text = text.replace(f" {key} ", " | ")  # a longer phrase wins over its parts
        return words, extra

    def _query_terms(self, seqs: list[list[str]]) -> dict[str, float]:
        """Weighted query terms. Citizens name the thing they want first ("làm khai sinh
        có cần giấy kết hôn không"), so later words weigh a little less."""
        terms: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            terms[term] = max(terms.get(term, 0.0), weight)

        for seq in seqs:
            n_tok = max(len(seq), 1)
            for i, tok in enumerate(seq):
                if tok not in STOPWORDS:
                    add(tok, 1.0 - POSITION_DECAY * i / n_tok)
            for n in range(2, MAX_NGRAM + 1):
                for i in range(len(seq) - n + 1):
                    word = "_".join(seq[i : i + n])
                    if word in self.words:
                        add(WORD_PREFIX + word, 1.0 - POSITION_DECAY * i / n_tok)
        return terms

    def search(
        self, query: str, limit: int = 10, offset: int = 0, province: str | None = None
    ) -> SearchResult:
        """Best first. ``province`` keeps that province's own records and the national ones."""
        if self.n == 0:
            return SearchResult([], 0, False, "")
        words, extra = self.understand(query)
        understood = " ".join(words + (["+"] + extra if extra else []))
        code_hits = [self.by_code[c] for c in CODE_RE.findall(fold(query)) if c in self.by_code]
        terms = self._query_terms([words, extra] if extra else [words])
        for term in _accented(query):  # diacritics the citizen typed tell "tử" from "tư"
            terms.setdefault(term, ACCENT_WEIGHT)
        present = [(t, w) for t, w in terms.items() if t in self.postings]
        if not present and not code_hits:
            return SearchResult([], 0, False, understood)
        scores = np.zeros(self.n, dtype=np.float32)
        if present:
            ids = np.concatenate([self.postings[t][0] for t, _ in present])
            weights = np.concatenate([self.postings[t][1] * (w * self.idf[t]) for t, w in present])
            scores = np.bincount(ids, weights=weights, minlength=self.n).astype(np.float32)
        if province is not None:
            pid = self._province_ids.get(province, -1)
            scores[(self._doc_province != 0) & (self._doc_province != pid)] = 0
            code_hits = [i for i in code_hits if self._doc_province[i] in (0, pid)]
        total_mass = sum(self.idf.get(t, 0.0) * w for t, w in terms.items() if ":" not in t) or 1.0
        matched = np.flatnonzero(scores > 0)
        depth = min(len(matched), max(RERANK_DEPTH, offset + limit))
        if len(matched) > depth:
            top = matched[np.argpartition(-scores[matched], depth - 1)[:depth]]
        else:
            top = matched
        query_seq = tuple(words) + (("|",) + tuple(extra) if extra else ())
        unigrams = [t for t, _ in present if ":" not in t]
        ranked: list[Hit] = []
        for i in top.tolist():
            phrase = self._phrase_cover(i, query_seq)
            coverage = sum(self.idf[t] * terms[t] for t in unigrams if self._doc_has(i, t)) / total_mass
            score = float(scores[i]) * (1.0 + 0.6 * phrase) * (0.5 + 0.5 * min(coverage, 1.0))
            ranked.append(Hit(self.docs[i], score, min(coverage, 1.0)))
        for i in code_hits:  # an exact code typed by the citizen always comes first
            ranked.append(Hit(self.docs[i], 1e6, 1.0))
        # Ties: a national record before a province's copy of it.
        ranked.sort(key=lambda h: (-h.score, h.doc.province_code is not None, h.doc.name))
        ranked = _collapse(ranked)
        return SearchResult(
            hits=ranked[offset : offset + limit],
            total=len(ranked) if len(matched) <= depth else len(matched),
            # One generic word ("nộp", "giấy") is never enough to be sure of a procedure.
            confident=len(unigrams) >= 2 and _is_confident(ranked),
            corrected=understood,
        )

    def _doc_has(self, doc_id: int, term: str) -> bool:
        ids = self.postings[term][0]
        pos = int(np.searchsorted(ids, doc_id))
        return pos < len(ids) and int(ids[pos]) == doc_id

    def _phrase_cover(self, doc_id: int, query_seq: tuple[str, ...]) -> float:
        """Best share of one of the procedure's names/aliases found in order in the query."""
        best = 0.0
        for phrase in self.phrases[doc_id]:
            if not phrase:
                continue
            found = _longest_common_run(phrase, query_seq)
            if found >= 2 or found == len(phrase):
                best = max(best, found / len(phrase))
        return best


@lru_cache(maxsize=1)
def _vietnamese_syllables() -> frozenset[str]:
    """Every folded syllable of underthesea's 74K-word dictionary: real words, not typos."""
    from underthesea.corpus import viet_dict_74K

    out: set[str] = set()
    for word in viet_dict_74K.words:
        out.update(tokens(fold(word)))
    return frozenset(out)


@lru_cache(maxsize=200_000)
def _terms_of(text: str, strip_prefix: bool = False) -> tuple[str, ...]:
    """Index terms of a text: folded syllables, multi-syllable words, syllables as written.
    Cached: a national catalog repeats the same names once per province."""
    words = read_words(text)
    if strip_prefix and words[:2] in (["thu", "tuc"], ["tthc"]):
        words = words[2:] if words[0] == "thu" else words[1:]
    segmented = [WORD_PREFIX + w for w in _segment(text)]
    # Expanded shorthand ("can cuoc cong dan") brings its own multi-syllable words.
    segmented += [WORD_PREFIX + w for w in _segment(" ".join(words)) if WORD_PREFIX + w not in segmented]
    return tuple(words + segmented + _accented(text))


def _accented(text: str) -> list[str]:
    return [ACCENT_PREFIX + w for w in _WORD_RE.findall(nfc(text).lower()) if fold(w) != w]


def _longest_common_run(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _collapse(hits: list[Hit]) -> list[Hit]:
    """One hit per procedure: provinces publish the same procedure under the same name,
    and a citizen wants to see it once, not 34 times."""
    seen: set[str] = set()
    out = []
    for h in hits:
        key = fold(h.doc.name)
        if h.doc.code not in seen and key not in seen:
            seen.update((h.doc.code, key))
            out.append(h)
    return out


def _is_confident(ranked: list[Hit]) -> bool:
    """Sure enough to answer with one procedure rather than offer the top three."""
    if not ranked:
        return False
    first = ranked[0]
    # Calibrated on bench/data/search_queries.tsv: with these two thresholds 78 % of the
    # queries get one answer, and every one of those answers was right.
    if first.coverage < 0.6:
        return False
    rival = ranked[1] if len(ranked) > 1 else None
    if rival is None:
        return True
    # A rival that matches every word the first one does ("giấy phép lái xe": cấp lại or
    # đổi?) leaves the choice to the citizen unless the first is far ahead.
    if rival.coverage >= first.coverage - 0.02:
        return rival.score < 0.75 * first.score
    return rival.score < 0.9 * first.score
