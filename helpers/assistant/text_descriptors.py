"""Text descriptors with Evidently, offline: numbers computed on each message or reply, ready for drift checks.

A descriptor turns a text into a number (its length, whether it contains a word, the share of its words the model
never saw), so the usual drift tests apply to text without any label. Only descriptors that run offline are used:
TextLength, WordCount, SentenceCount, Contains, RegExp, BeginsWith, NonLetterCharacterPercentage, IncludesWords
with ``lemmatize=False``, and a ``CustomColumnDescriptor`` for the unseen-word share. Evidently's
OOVWordsPercentage, Sentiment and lemmatising word lists download NLTK data at run time, and its HuggingFace and
LLM-judge descriptors need models: none of them is used here.

* ``message_descriptors(known_words)`` / ``reply_descriptors()``: the descriptor lists.
* ``describe(frame, descriptors, column)``: the frame with one column per descriptor, computed by Evidently.
* ``daily_sample(log, per_segment)``: a fixed number of messages per day and segment (descriptors on a sample cost
  a fraction of the full traffic and drift tests need no more).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from helpers.assistant.triage import unseen_word_share
from helpers.validation import require_columns, require_rows, require_whole_number

with warnings.catch_warnings():  # Evidently's import pulls in libraries that warn about their own deprecations
    warnings.simplefilter("ignore")
    from evidently import DataDefinition, Dataset
    from evidently.core.datasets import DatasetColumn
    from evidently.descriptors import (
        BeginsWith,
        Contains,
        CustomColumnDescriptor,
        IncludesWords,
        NonLetterCharacterPercentage,
        RegExp,
        SentenceCount,
        TextLength,
        WordCount,
    )

__all__ = [
    "CLASSIC_WORDS",
    "UNSEEN",
    "daily_sample",
    "describe",
    "message_descriptors",
    "reply_descriptors",
]

#: Name of the unseen-word share descriptor.
UNSEEN = "unseen word share"
#: Words of the classic diabetes presentation the assistant learned (thirst, urination, weight loss).
CLASSIC_WORDS = ["thirsty", "water", "pee", "toilet", "urinate", "weight", "blurry"]


def message_descriptors(known_words: frozenset[str] | set[str]) -> list:
    """Descriptors of a patient's message (column ``message``); ``known_words``: ``helpers.assistant.triage.vocabulary(model)``.

    ``length`` (characters), ``words``, ``sentences``, ``non-letter %`` (0-100), ``third person`` (1 when the
    message gives someone's age as "NN-year-old": written about another person), ``mentions a resident``
    (Contains), ``classic symptoms`` (IncludesWords of ``CLASSIC_WORDS``, no lemmatising) and ``unseen word
    share`` (0-1: the share of the message's words the triage model never saw in training).
    """
    if not known_words:
        raise ValueError("known_words is empty: pass helpers.assistant.triage.vocabulary(model) of a fitted triage model")
    known = frozenset(known_words)

    def unseen_share(column: DatasetColumn) -> DatasetColumn:
        return DatasetColumn("num", pd.Series(unseen_word_share(column.data, known), index=column.data.index))

    return [
        TextLength("message", alias="length"),
        WordCount("message", alias="words"),
        SentenceCount("message", alias="sentences"),
        NonLetterCharacterPercentage("message", alias="non-letter %"),
        RegExp("message", reg_exp=r"\b\d{2}-year-old\b", alias="third person"),
        Contains("message", items=["resident"], case_sensitive=False, alias="mentions a resident"),
        IncludesWords("message", words_list=CLASSIC_WORDS, lemmatize=False, alias="classic symptoms"),
        CustomColumnDescriptor("message", unseen_share, alias=UNSEEN),
    ]


def reply_descriptors() -> list:
    """Descriptors of the assistant's reply (column ``reply``): ``reply length``, ``reply words``, ``refusal``
    (1 when the reply opens by declining: BeginsWith "I'm not able") and ``mentions diabetes`` (Contains)."""
    return [
        TextLength("reply", alias="reply length"),
        WordCount("reply", alias="reply words"),
        BeginsWith("reply", prefix="I'm not able", alias="refusal"),
        Contains("reply", items=["diabetes", "blood sugar"], case_sensitive=False, alias="mentions diabetes"),
    ]


def describe(frame: pd.DataFrame, descriptors: list, column: str = "message") -> pd.DataFrame:
    """``frame`` with one numeric column per descriptor, computed by Evidently (``Dataset.from_pandas``).

    Boolean descriptors come back as 0/1 integers, so that means and drift tests apply to them as to the others.

    Raises:
        ValueError: an empty frame, a missing text column, missing texts, no descriptors.
    """
    require_rows(frame, "frame")
    require_columns(frame, [column], "frame")
    if frame[column].isna().any():
        raise ValueError(f"frame[{column!r}] has {int(frame[column].isna().sum())} missing texts; drop them first")
    if not descriptors:
        raise ValueError("descriptors is empty: pass message_descriptors(...) or reply_descriptors()")
    data = frame.reset_index(drop=True)
    others = [c for c in data.columns if c != column]
    definition = DataDefinition(text_columns=[column], categorical_columns=[], numerical_columns=[])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = Dataset.from_pandas(data[[column]], data_definition=definition, descriptors=descriptors)
        values = dataset.as_dataframe().drop(columns=[column])
    for name in values.columns:
        if values[name].dtype == bool:
            values[name] = values[name].astype(int)
    out = pd.concat([data[others], data[[column]], values], axis=1)
    out.index = frame.index
    return out


def daily_sample(
    log: pd.DataFrame, per_segment: int = 40, segment: str = "age_band", date_column: str = "date", seed: int = 0
) -> pd.DataFrame:
    """Up to ``per_segment`` rows per day and segment, drawn at random (all of them when fewer), in date order.

    Raises:
        ValueError: an empty log, a missing column, ``per_segment`` below 1.
    """
    require_rows(log, "log")
    require_columns(log, [segment, date_column], "log")
    require_whole_number(per_segment, "per_segment", minimum=1)
    rng = np.random.default_rng(seed)
    days = (log[date_column] - log[date_column].min()).dt.days.to_numpy()
    keys = days.astype(np.int64) * 1000 + log[segment].astype("category").cat.codes.to_numpy()
    order = rng.permutation(len(log))
    ranks = pd.Series(keys[order]).groupby(keys[order]).cumcount().to_numpy()
    chosen = np.sort(order[ranks < per_segment])
    return log.iloc[chosen]
