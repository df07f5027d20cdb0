"""The triage assistant's decision model: TF-IDF and logistic regression on the patients' messages.

In production an LLM would read the message and return a structured field such as ``{"decision": "see a doctor"}``.
The course stands a small, real text classifier in that place, trained on the first weeks of clinician-labelled
messages, so that its failure under drift is a consequence of what it learned, not something written into the
simulation: a word it never saw in training carries no weight at all in its decision.

* ``train_triage_model(messages)``: fit the pipeline on messages with a known ``urgent`` label.
* ``triage(model, messages)``: the decision for each message, with the model's probability that it is urgent.
* ``vocabulary(model)`` and ``unseen_word_share(texts, vocabulary)``: which words the model knows, and the share of
  a message's words it has never seen (a drift signal that needs no label).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from helpers.validation import require_columns, require_no_nan, require_rows

__all__ = [
    "DECISIONS",
    "TOKEN_PATTERN",
    "URGENT_THRESHOLD",
    "tokenize",
    "train_triage_model",
    "triage",
    "unseen_word_share",
    "vocabulary",
]

#: A word, for the model and for the unseen-word share: two or more letters (lower-cased first).
TOKEN_PATTERN = r"\b[a-z][a-z]+\b"
#: The assistant's two decisions, by predicted label (1 = urgent).
DECISIONS = {1: "see a doctor: possible diabetes", 0: "self-care advice"}
#: At or above this probability of "urgent" the assistant tells the patient to see a doctor.
URGENT_THRESHOLD = 0.5

_TOKEN = re.compile(TOKEN_PATTERN)


def tokenize(text: str) -> list[str]:
    """The words of ``text`` as the model reads them: lower-cased runs of two or more letters."""
    return _TOKEN.findall(str(text).lower())


def _check_messages(messages: pd.DataFrame, columns: list[str], what: str) -> None:
    require_rows(messages, what)
    require_columns(messages, columns, what)
    require_no_nan(messages, columns, what)


def train_triage_model(
    messages: pd.DataFrame, text: str = "message", label: str = "urgent", seed: int = 0
) -> Pipeline:
    """Fit TF-IDF (single words) and a logistic regression on ``messages``.

    Args:
        messages: one row per message with its text and its clinician-confirmed label (1 = urgent, 0 = routine).
        text, label: the column names.
        seed: random state of the solver (the fit is deterministic either way).

    Returns:
        A fitted scikit-learn ``Pipeline`` (``tfidfvectorizer``, ``logisticregression``).

    Raises:
        ValueError: no rows, a missing column, missing values, or a label that is not 0/1 or has only one class.
    """
    _check_messages(messages, [text, label], "messages")
    labels = messages[label]
    bad = sorted(set(labels.unique()) - {0, 1})
    if bad:
        raise ValueError(f"messages[{label!r}] must hold 0 (routine) or 1 (urgent), found {bad[:5]}")
    if labels.nunique() < 2:
        raise ValueError(f"messages[{label!r}] holds one class only ({labels.iloc[0]}); training needs both 0 and 1")
    model = make_pipeline(
        TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 1), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4.0, max_iter=1000, random_state=seed),
    )
    return model.fit(messages[text].astype(str), labels.astype(int))


def triage(
    model: Pipeline, messages: pd.DataFrame, text: str = "message", threshold: float = URGENT_THRESHOLD
) -> pd.DataFrame:
    """The assistant's decision for each message: a copy of ``messages`` with three columns added.

    ``urgent_probability`` (the model's probability that the message is urgent, 0-1), ``predicted_urgent`` (1 when
    it is at or above ``threshold``) and ``decision`` (the text of ``DECISIONS``).

    Raises:
        ValueError: no rows, a missing text column or missing texts, a threshold outside (0, 1).
    """
    _check_messages(messages, [text], "messages")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise ValueError(f"threshold must be a probability strictly between 0 and 1, got {threshold!r}")
    out = messages.copy()
    # each distinct message once (its probability does not depend on the others): a log repeats many of them
    which, distinct = pd.factorize(messages[text].astype(str))
    probability = model.predict_proba(distinct)[:, 1][which]
    out["urgent_probability"] = probability
    out["predicted_urgent"] = (probability >= threshold).astype(int)
    out["decision"] = np.where(out["predicted_urgent"] == 1, DECISIONS[1], DECISIONS[0])
    return out


def vocabulary(model: Pipeline) -> frozenset[str]:
    """The single words the model learned in training (its TF-IDF vocabulary without word pairs)."""
    try:
        terms = model.named_steps["tfidfvectorizer"].get_feature_names_out()
    except (AttributeError, KeyError):
        raise ValueError("model is not a fitted triage pipeline (see train_triage_model)") from None
    return frozenset(t for t in terms if " " not in t)


def unseen_word_share(texts: Iterable[str] | pd.Series, known: frozenset[str] | set[str]) -> np.ndarray:
    """For each text, the share (0-1) of its words that are not in ``known`` (e.g. ``vocabulary(model)``).

    0 means the model has seen every word in training; 0.4 means two words in five carry no weight in its decision.
    A text without any word counts as 0 (nothing unseen).

    Raises:
        ValueError: an empty ``known`` vocabulary (every word would count as unseen).
    """
    if not known:
        raise ValueError("the known vocabulary is empty: pass vocabulary(model) of a fitted triage model")
    which, distinct = pd.factorize(pd.Series(list(texts), dtype=object).astype(str))  # each distinct text once
    shares = []
    for text in distinct:
        words = tokenize(text)
        shares.append(sum(w not in known for w in words) / len(words) if words else 0.0)
    return np.asarray(shares, dtype=float)[which]
