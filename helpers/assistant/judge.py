"""What LLM teams compute from a production log: a judge calibrated by human review, agreement, cost, hallucinations.

An LLM judge reads every conversation and says whether the assistant got it right; it is cheap and it is wrong
sometimes. A clinician's review of a small sample is slow and right. The review calibrates the judge:

* ``calibrate(judge_failure, human_failure)``: the judge's **sensitivity** (share of real failures it flags) and
  **specificity** (share of right answers it passes) on the reviewed cases, each with a Wilson interval.
* ``rogan_gladen(raw_rate, sensitivity, specificity)``: the failure rate corrected for the judge's errors,
  (raw + specificity - 1) / (sensitivity + specificity - 1), clipped to 0-1 (Rogan and Gladen, 1978);
  ``corrected_rate`` adds a seeded parametric-bootstrap interval over the three counts it rests on.
* ``kappa_timeline(reviews, window)``: Cohen's kappa between judge and clinicians over the last ``window`` days of
  reviews, each day: agreement beyond chance (1 perfect, 0 no better than chance). A falling kappa says the judge
  no longer sees what the clinicians see, so its failure rate can no longer be trusted.
* ``cost_per_day(tokens, messages_per_day, price_per_million)``: tokens times a stated price.
* ``unsupported_words(message, reply)``: a hallucination check without an API: words of ``FACT_WORDS`` (people,
  body parts, medicines, events) that the reply names and the message does not.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.assistant.segments import wilson_interval
from helpers.validation import require_columns, require_rows, require_whole_number

__all__ = [
    "FACT_WORDS",
    "calibrate",
    "corrected_rate",
    "cost_per_day",
    "kappa_timeline",
    "rogan_gladen",
    "unsupported_words",
]

#: Facts a reply may invent: relatives, body parts, medicines and tests, events. A reply naming one that the
#: message does not name is flagged (a word list, not a clinical judgement: it finds inventions, not all errors).
_FACTS = (
    "mother father son daughter wife husband sister brother grandmother grandfather mum dad child baby partner "
    "wound chest heart lungs leg legs arm arms foot feet eye eyes skin stomach kidney liver blood bone "
    "insulin metformin antibiotics antibiotic ibuprofen aspirin steroids inhaler vaccine x-ray scan surgery "
    "loss died death funeral pregnancy pregnant cancer stroke fracture allergy"
)
FACT_WORDS = frozenset(_FACTS.split())
_WORD = re.compile(r"[a-z][a-z\-]+")


def _binary(values, name: str) -> np.ndarray:
    array = pd.Series(values).astype("boolean")
    if array.isna().any():
        raise ValueError(f"{name} has missing values: pass True/False (or 1/0) for every reviewed case")
    return array.to_numpy(dtype=bool)


def calibrate(judge_failure, human_failure) -> pd.DataFrame:
    """The judge's sensitivity and specificity on reviewed cases (True = the assistant failed), with intervals.

    Returns one row each for ``sensitivity`` (flagged real failures / real failures) and ``specificity`` (passed
    right answers / right answers): ``value``, ``low``, ``high`` (95% Wilson), ``cases`` (the denominator).

    Raises:
        ValueError: lengths differ, missing values, or no failure (or no right answer) among the reviews.
    """
    judge, human = _binary(judge_failure, "judge_failure"), _binary(human_failure, "human_failure")
    if len(judge) != len(human):
        raise ValueError(f"judge_failure has {len(judge)} cases, human_failure {len(human)}: pass the same cases")
    rows = {}
    for name, cases, hits in (("sensitivity", human, judge & human), ("specificity", ~human, ~judge & ~human)):
        n = int(cases.sum())
        if n == 0:
            kind = "failure" if name == "sensitivity" else "right answer"
            raise ValueError(f"no reviewed {kind}: the {name} cannot be estimated; review more cases")
        low, high = wilson_interval(int(hits.sum()), n)
        rows[name] = {"value": hits.sum() / n, "low": low, "high": high, "cases": n}
    return pd.DataFrame(rows).T.astype({"cases": int})


def rogan_gladen(raw_rate: float, sensitivity: float, specificity: float) -> float:
    """The true failure rate behind a judge's raw rate: (raw + sp - 1) / (se + sp - 1), clipped to 0-1.

    Raises:
        ValueError: a rate outside 0-1, or se + sp <= 1 (a judge no better than a coin carries no information).
    """
    for name, value in (("raw_rate", raw_rate), ("sensitivity", sensitivity), ("specificity", specificity)):
        if not 0 <= float(value) <= 1:
            raise ValueError(f"{name} must be a proportion between 0 and 1, got {value!r}")
    if sensitivity + specificity <= 1:
        raise ValueError(f"sensitivity + specificity = {sensitivity + specificity:.3f} <= 1: the judge is no better "
                         "than chance and its rate cannot be corrected")
    return float(np.clip((raw_rate + specificity - 1) / (sensitivity + specificity - 1), 0, 1))


def corrected_rate(flagged: int, judged: int, calibration: pd.DataFrame, draws: int = 4000, seed: int = 0) -> dict:
    """Rogan-Gladen on ``flagged`` of ``judged`` conversations, with a 95% parametric-bootstrap interval.

    The bootstrap redraws the raw count and the sensitivity's and specificity's counts (``calibrate``'s ``cases``)
    from binomials; draws where the judge would be no better than chance are dropped. Returns ``raw``,
    ``corrected``, ``low``, ``high``.
    """
    require_whole_number(judged, "judged", minimum=1)
    require_whole_number(flagged, "flagged")
    if flagged > judged:
        raise ValueError(f"flagged ({flagged}) cannot exceed judged ({judged})")
    se, sp = calibration.loc["sensitivity"], calibration.loc["specificity"]
    rng = np.random.default_rng(seed)
    raw = rng.binomial(judged, flagged / judged, draws) / judged
    ses = rng.binomial(int(se["cases"]), float(se["value"]), draws) / int(se["cases"])
    sps = rng.binomial(int(sp["cases"]), float(sp["value"]), draws) / int(sp["cases"])
    ok = ses + sps > 1
    sims = np.clip((raw[ok] + sps[ok] - 1) / (ses[ok] + sps[ok] - 1), 0, 1)
    return {"raw": flagged / judged, "corrected": rogan_gladen(flagged / judged, float(se["value"]), float(sp["value"])),
            "low": float(np.quantile(sims, 0.025)), "high": float(np.quantile(sims, 0.975))}


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    observed = (a == b).mean()
    chance = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return float((observed - chance) / (1 - chance)) if chance < 1 else np.nan


def kappa_timeline(reviews: pd.DataFrame, window: int = 14) -> pd.DataFrame:
    """Cohen's kappa between ``judge_failure`` and ``human_failure`` over the last ``window`` days, each day.

    ``reviews`` needs ``day``, ``judge_failure`` and ``human_failure``. Returns ``day``, ``reviews`` (in the window),
    ``agreement`` (share of equal verdicts) and ``kappa`` (``<NA>`` where both raters gave one answer throughout:
    kappa is undefined there, not 0).
    """
    require_rows(reviews, "reviews")
    require_columns(reviews, ["day", "judge_failure", "human_failure"], "reviews")
    require_whole_number(window, "window", minimum=1)
    day = reviews["day"].to_numpy()
    judge, human = _binary(reviews["judge_failure"], "judge_failure"), _binary(reviews["human_failure"], "human_failure")
    rows = []
    for d in range(int(day.min()), int(day.max()) + 1):
        inside = (day > d - window) & (day <= d)
        k = _kappa(judge[inside], human[inside]) if inside.any() else np.nan
        rows.append({"day": d, "reviews": int(inside.sum()),
                     "agreement": (judge[inside] == human[inside]).mean() if inside.any() else np.nan, "kappa": k})
    out = pd.DataFrame(rows)
    out["kappa"] = out["kappa"].astype("Float64").mask(out["kappa"].isna())
    return out


def cost_per_day(tokens_per_message: float, messages_per_day: float, price_per_million: float) -> float:
    """Cost of a day's traffic: tokens per message x messages a day x price per million tokens / 1e6."""
    for name, value in (("tokens_per_message", tokens_per_message), ("messages_per_day", messages_per_day),
                        ("price_per_million", price_per_million)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(tokens_per_message) * float(messages_per_day) * float(price_per_million) / 1e6


def unsupported_words(message: str, reply: str) -> list[str]:
    """The ``FACT_WORDS`` a reply names that its message does not (sorted): candidate hallucinations."""
    said = set(_WORD.findall(str(message).lower()))
    return sorted({w for w in _WORD.findall(str(reply).lower()) if w in FACT_WORDS and w not in said})
