"""Repeated buyer questions found offline: character n-gram TF-IDF vectors, cosine similarity, leader clustering.

Works the same for every language: word languages give 3-grams of each word padded with spaces (so
"ship" and "shipping" share most of theirs: cheap stemming); scripts without spaces (Chinese, Japanese
and Hangul) give 2-grams, most of their words being one or two characters. Digits all become "0", so
"order #1001" and "order #2077" read alike. Messages in two languages rarely share n-grams and land in
different clusters.

Clustering is one pass of leader clustering in id order: a message joins the cluster whose centroid is
most similar (cosine `threshold` or more), else starts one. Clusters are found through an inverted index
probed with the message's heaviest n-grams only (see `_probe`), which keeps 5,000 messages to seconds.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

from crossborder_crm.replies import text as tx
from crossborder_crm.replies.lexicon import load_lexicon

# Cosine to a cluster's centroid from which a message joins it. At 0.5 a greeting and a politer
# ending ("こんにちは、…でしょうか?") split short Japanese paraphrases. The price: questions differing
# in one word can meet ("Do you ship to Australia?" may join "Do you ship to Canada?"), which for an
# FAQ is mostly one question.
DEFAULT_THRESHOLD = 0.45
LABEL_CHARS = 120
EXAMPLES = 3
TERMS = 5
# Characters of scripts written without spaces between words (kana, CJK ideographs) and Hangul,
# whose syllable blocks carry as much as a Latin 3-gram each.
_DENSE = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_RUNS = re.compile(f"([{_DENSE}]+)|([^{_DENSE}]+)")
_DENSE_CHAR = re.compile(f"[{_DENSE}]")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Msg:
    """A buyer's message to cluster: its id, words and detected language (BCP 47)."""

    id: int
    text: str
    language: str


@dataclass(frozen=True)
class Cluster:
    """Similar messages: their ids, how many, the most central one as label, examples and top terms."""

    ids: tuple[int, ...]
    size: int
    label: str
    examples: tuple[str, ...]
    language: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class _Features:
    grams: Counter[str]
    terms: Counter[str]


def _fold_accents(language: str, text: str) -> bool:
    # As the lexicons match (replies.text): never fold where NFD would split kana or Hangul.
    lexicon = load_lexicon(language or "und")
    if lexicon is not None:
        return lexicon.fold_accents
    return not _DENSE_CHAR.search(text)


def _features(text: str, language: str) -> _Features:
    """The n-grams (for similarity) and terms (for display) of one message."""
    norm = _DIGITS.sub("0", tx.normalise(text, _fold_accents(language, text)))
    grams: Counter[str] = Counter()
    terms: Counter[str] = Counter()
    for token in tx.tokenize(norm):
        for dense, other in _RUNS.findall(token.text):
            if dense:
                padded = f" {dense} "
                grams.update(padded[i:i + 2] for i in range(len(padded) - 1))
                # No word boundaries to show: the run's character pairs stand for its words.
                terms.update(dense[i:i + 2] for i in range(len(dense) - 1))
            else:
                padded = f" {other} "
                grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
                if len(other) > 1 and other != "0":
                    terms[other] += 1
    return _Features(grams, terms)


def _idf(counts: Sequence[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(counts)
    return {k: math.log((n + 1) / (d + 1)) + 1.0 for k, d in df.items()}


def _unit(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    # Sublinear tf: a word said three times is not three times the question.
    vec = {k: (1.0 + math.log(c)) * idf[k] for k, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {k: w / norm for k, w in vec.items()}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(k, 0.0) for k, w in a.items())


def _probe(vec: dict[str, float], threshold: float) -> list[str]:
    """The heaviest n-grams of a unit vector, enough that the rest weigh less than `threshold`.

    A centroid sharing none of them has cosine ≤ |rest| < threshold (Cauchy–Schwarz, weights being
    non-negative), so only clusters sharing one need comparing; the heaviest n-grams are the rarest,
    with the shortest postings.
    """
    rest = 1.0
    probe = []
    for gram, w in sorted(vec.items(), key=lambda kv: (-kv[1], kv[0])):
        if math.sqrt(max(rest, 0.0)) < threshold:
            break
        probe.append(gram)
        rest -= w * w
    return probe


def _leaders(vectors: list[dict[str, float]], threshold: float) -> list[list[int]]:
    """Leader clustering over vectors in order: each joins the cluster whose centroid is most similar, or leads.

    Comparing with the centroid rather than the first message keeps one odd first message from
    deciding who joins; the centroid moves as members join, so it stays one pass.
    """
    index: dict[str, list[int]] = defaultdict(list)  # n-gram -> clusters whose centroid has it
    sums: list[dict[str, float]] = []  # per cluster, the sum of its members' vectors
    norms: list[float] = []  # and that sum's length
    groups: list[list[int]] = []
    for i, vec in enumerate(vectors):
        candidates = {c for gram in _probe(vec, threshold) for c in index.get(gram, ())}
        best, best_score = None, threshold
        for c in sorted(candidates):  # sorted: ties go to the earliest cluster, every run
            score = _dot(vec, sums[c]) / norms[c]
            if score > best_score or (best is None and score >= best_score):
                best, best_score = c, score
        if best is None:
            best = len(groups)
            groups.append([])
            sums.append({})
            norms.append(0.0)
        groups[best].append(i)
        total = sums[best]
        for gram, w in vec.items():
            if gram not in total:
                index[gram].append(best)
            total[gram] = total.get(gram, 0.0) + w
        norms[best] = math.sqrt(sum(w * w for w in total.values()))
    return groups


def _summary(members: list[int], msgs: list[Msg], vectors: list[dict[str, float]],
             feats: list[_Features], term_idf: dict[str, float]) -> Cluster:
    centroid: Counter[str] = Counter()
    for i in members:
        centroid.update(vectors[i])
    # Most central first; id breaks ties so the label does not change between runs.
    ranked = sorted(members, key=lambda i: (-_dot(vectors[i], centroid), msgs[i].id))
    examples: list[str] = []
    seen: set[str] = set()
    for i in ranked:
        text = " ".join(msgs[i].text.split())
        if text.casefold() not in seen:  # "Do you ship?" and "do you ship?" are one example
            seen.add(text.casefold())
            examples.append(text)
        if len(examples) == EXAMPLES:
            break
    languages = Counter(msgs[i].language for i in members)
    language = min(languages, key=lambda tag: (-languages[tag], tag))
    weights: Counter[str] = Counter()
    for i in members:
        for term, count in feats[i].terms.items():
            weights[term] += (1.0 + math.log(count)) * term_idf[term]
    terms = tuple(t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:TERMS])
    return Cluster(ids=tuple(sorted(msgs[i].id for i in members)), size=len(members),
                   label=shorten(examples[0], LABEL_CHARS), examples=tuple(examples), language=language,
                   terms=terms)


def shorten(text: str, limit: int) -> str:
    """The text on one line, cut at a word boundary (when there is one) to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:!?،、。,") + "…"


def cluster(messages: Sequence[Msg], *, min_size: int = 3, threshold: float = DEFAULT_THRESHOLD) -> list[Cluster]:
    """Clusters of similar messages with at least `min_size` members, largest first.

    The result does not depend on the order `messages` come in (they are taken in id order).
    """
    msgs = sorted(messages, key=lambda m: m.id)
    feats = [_features(m.text, m.language) for m in msgs]
    gram_idf = _idf([f.grams for f in feats])
    term_idf = _idf([f.terms for f in feats])
    vectors = [_unit(f.grams, gram_idf) for f in feats]
    kept = [i for i, v in enumerate(vectors) if v]  # a message of only punctuation has nothing to compare
    groups = _leaders([vectors[i] for i in kept], threshold)
    clusters = [_summary([kept[p] for p in g], msgs, vectors, feats, term_idf)
                for g in groups if len(g) >= min_size]
    return sorted(clusters, key=lambda c: (-c.size, c.ids[0]))
