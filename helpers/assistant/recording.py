"""The assistant's recorded production log: the real model run once over the simulated world, stored under ``data/``.

Monitoring reads logs; it does not run the model. ``record`` (``python -m course record-assistant``) runs
SmolLM2-135M-Instruct (``helpers.assistant.llm``) over the messages of ``WORLD`` (the ``elderly_shift`` scenario,
98 days of 150 messages) and writes:

* ``data/assistant_log.parquet``: one row per message: ``message_id``, ``message`` (the world's text, kept to check
  that the world still writes it), ``emb_00`` .. ``emb_47`` (the embedding, projected, float16), the assistant's
  ``urgent_probability`` / ``predicted_urgent`` (a logistic regression on the embeddings of days 0-27, the weeks
  whose labels were confirmed before launch), and for the rows the judge read (``judged``) its answer
  ``judge_urgent``, ``judge_margin`` and ``judge_right`` (its answer equals the assistant's decision); ``judge_sample``
  marks the uniform daily sample among them (the rest are the replied rows); for the rows that were answered (``replied``) the ``reply``, its
  ``prompt_tokens``, ``completion_tokens`` and measured ``latency_seconds``.
* ``data/assistant_eval.csv``: the regression-eval set: ``EVAL_SIZE`` messages answered with prompt v1 and v2.
* ``data/assistant_log_provenance.json``: the package, the model file's sha256, library versions, prompts,
  decoding settings, which rows got which output, and how long each stage took.

Each stage saves its progress below ``build/assistant_recording/`` and resumes where it stopped.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.paths import BUILD_DIR

__all__ = [
    "EVAL_SIZE",
    "JUDGE_PER_DAY",
    "LOG_FILES",
    "REPLY_DAYS",
    "REPLY_PER_DAY",
    "SERVED_PER_DAY",
    "WORLD",
    "embedding_columns",
    "eval_rows",
    "judge_order",
    "judge_stage",
    "load_eval",
    "load_log",
    "load_provenance",
    "record",
    "recorded_rows",
    "reply_rows",
    "train_decision_model",
]

#: The simulated world the log records (``helpers.assistant.world.simulate_messages`` arguments).
WORLD = {"scenario": "elderly_shift", "days": 98, "per_day": 150, "seed": 0}
#: Messages a day the recording covers from day 28 on (a seeded uniform sample, ``judge_order``'s first rounds);
#: days 0-27 (the training weeks) are covered whole.
SERVED_PER_DAY = 20
#: Of those, rows the judge reads each day (the first rounds of ``judge_order``).
JUDGE_PER_DAY = 3
#: Days and rows per day that get a generated reply: served messages of patients aged 65+ in the first days after
#: the change (the traced window, where a risk-based review looks).
REPLY_DAYS = (56, 57, 58, 59)
REPLY_PER_DAY = 2
#: Messages in the regression-eval set (half from care homes), each answered by prompt v1 and v2.
EVAL_SIZE = 4
#: The files ``record`` writes in ``data/``.
LOG_FILES = ("assistant_log.parquet", "assistant_eval.csv", "assistant_log_provenance.json")
_WORK = BUILD_DIR / "assistant_recording"


def embedding_columns(dims: int = 48) -> list[str]:
    """The log's embedding columns: ``emb_00`` .. ``emb_47``."""
    return [f"emb_{i:02d}" for i in range(dims)]


def world_messages() -> pd.DataFrame:
    """The world the log records (``WORLD``)."""
    from helpers.assistant.world import simulate_messages

    return simulate_messages(**WORLD)


def train_decision_model(embeddings: np.ndarray, urgent: np.ndarray, seed: int = 0):
    """The assistant's decision: a standardised logistic regression on the (projected) embeddings."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, random_state=seed))
    return model.fit(np.asarray(embeddings, dtype=np.float32), np.asarray(urgent, dtype=int))


def judge_order(messages: pd.DataFrame, seed: int = 0) -> np.ndarray:
    """Row positions in the order the judge reads them: round by round, one seeded random row of each day >= 28.

    Any prefix of length ``k x days`` is a uniform sample of ``k`` rows a day.
    """
    rng = np.random.default_rng([seed, 23])
    days = messages["day"].to_numpy()
    per_day = [rng.permutation(np.flatnonzero(days == d)) for d in np.unique(days[days >= 28])]
    depth = max(len(p) for p in per_day)
    return np.asarray([p[r] for r in range(depth) for p in per_day if r < len(p)])


def recorded_rows(messages: pd.DataFrame) -> np.ndarray:
    """Row positions the recording covers: every message of days 0-27, then ``SERVED_PER_DAY`` a day (sorted)."""
    served = judge_order(messages)[: SERVED_PER_DAY * (WORLD["days"] - 28)]
    return np.union1d(np.flatnonzero(messages["day"].to_numpy() < 28), served)


def reply_rows(messages: pd.DataFrame, seed: int = 0) -> np.ndarray:
    """Row positions that get a reply: the first ``REPLY_PER_DAY`` served 65+ rows of each of ``REPLY_DAYS``."""
    served = judge_order(messages)[: SERVED_PER_DAY * (WORLD["days"] - 28)]
    days, old = messages["day"].to_numpy(), (messages["age_band"] == "65+").to_numpy()
    return np.sort(np.concatenate([served[(days[served] == d) & old[served]][:REPLY_PER_DAY] for d in REPLY_DAYS]))


def eval_rows(messages: pd.DataFrame, seed: int = 0) -> np.ndarray:
    """Row positions of the regression-eval set: served rows of days 58-97, half from care homes."""
    rng = np.random.default_rng([seed, 25])
    late = (messages["day"].to_numpy() >= 58) & np.isin(np.arange(len(messages)), recorded_rows(messages))
    care = np.flatnonzero(late & (messages["writer"] == "care home").to_numpy())
    patient = np.flatnonzero(late & (messages["writer"] == "patient").to_numpy())
    half = EVAL_SIZE // 2
    return np.sort(np.concatenate([rng.choice(care, half, replace=False), rng.choice(patient, half, replace=False)]))


def _jsonl(path: Path) -> dict:
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {row["key"]: row for row in rows}


def _append(path: Path, row: dict) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


def _embed_all(llm, texts: list[str], chunk: int = 256) -> np.ndarray:
    """Embeddings of the distinct texts, chunk by chunk, each chunk saved (a rerun resumes)."""
    from helpers.assistant.llm import embed

    _WORK.mkdir(parents=True, exist_ok=True)
    parts = []
    for number, start in enumerate(range(0, len(texts), chunk)):
        path = _WORK / f"embeddings_{number:04d}.npy"
        if not path.exists():
            np.save(path, embed(llm, texts[start:start + chunk]))
            print(f"embedded {min(start + chunk, len(texts))} of {len(texts)} messages", flush=True)
        parts.append(np.load(path))
    return np.concatenate(parts)


def _stage(timings: dict, name: str, started: float) -> None:
    timings[name] = round(time.perf_counter() - started + timings.get(name, 0.0), 1)
    (_WORK / "timings.json").write_text(json.dumps(timings))


def _decisions(messages: pd.DataFrame, projected: np.ndarray) -> pd.DataFrame:
    from helpers.assistant.triage import DECISIONS

    train = (messages["day"] < 28).to_numpy()
    model = train_decision_model(projected[train], messages.loc[train, "urgent"].to_numpy())
    probability = model.predict_proba(projected.astype(np.float32))[:, 1]
    log = pd.DataFrame(projected, columns=embedding_columns(projected.shape[1]), index=messages.index)
    log.insert(0, "message", messages["message"].to_numpy())
    log.insert(0, "message_id", messages["message_id"].to_numpy())
    log["urgent_probability"] = np.round(probability, 4)
    log["predicted_urgent"] = (probability >= 0.5).astype(int)
    log["decision"] = np.where(log["predicted_urgent"] == 1, DECISIONS[1], DECISIONS[0])
    return log


def judge_stage(llm, messages: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """The judge's answers for the rows in ``order`` (saved as they come; a rerun resumes), indexed by position."""
    from helpers.assistant.llm import judge

    path, done = _WORK / "judge.jsonl", _jsonl(_WORK / "judge.jsonl")
    for count, i in enumerate(order, start=1):
        key = messages.at[i, "message_id"]
        if key not in done:
            done[key] = {"key": key, **judge(llm, messages.at[i, "message"])}
            _append(path, done[key])
        if count % 50 == 0:
            print(f"judged {count} of {len(order)}", flush=True)
    return pd.DataFrame([done[k] for k in messages.loc[order, "message_id"]], index=order)


def _judge_rows(llm, log: pd.DataFrame, messages: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    verdicts = judge_stage(llm, messages, order)
    log["judged"] = log.index.isin(order)
    log["judge_urgent"] = verdicts["urgent"].reindex(log.index).astype("boolean")
    log["judge_right"] = (log["judge_urgent"] == log["predicted_urgent"].astype(bool)).astype("boolean")
    log["judge_margin"] = verdicts["margin"].reindex(log.index)
    log["judge_prompt_tokens"] = verdicts["prompt_tokens"].reindex(log.index).astype("Int64")
    return log


def _replies(llm, log: pd.DataFrame, rows: np.ndarray, prompt: str, name: str) -> pd.DataFrame:
    from helpers.assistant.llm import reply

    path, done = _WORK / f"{name}.jsonl", _jsonl(_WORK / f"{name}.jsonl")
    for count, i in enumerate(rows, start=1):
        key = log.at[i, "message_id"]
        if key not in done:
            done[key] = {"key": key, **reply(llm, log.at[i, "message"], log.at[i, "decision"], prompt)}
            _append(path, done[key])
            print(f"{name}: {count} of {len(rows)} replies", flush=True)
    return pd.DataFrame([done[k] for k in log.loc[rows, "message_id"]], index=rows).drop(columns="key")


def _provenance(llm, timings: dict, log: pd.DataFrame) -> dict:
    from importlib.metadata import version

    from helpers.assistant import llm as lm
    from helpers.data import sha256_of

    return {
        "model": {"package": f"{lm.MODEL_PACKAGE}=={version(lm.MODEL_PACKAGE)}", "file": lm.MODEL_FILE,
                  "sha256": sha256_of(llm.path), "bytes": llm.path.stat().st_size,
                  "licence": "Apache-2.0 (SmolLM2-135M-Instruct, Hugging Face)"},
        "libraries": {name: version(name) for name in ("torch", "transformers", "tokenizers", "gguf", "accelerate",
                                                        "scikit-learn", "numpy")},
        "world": WORLD,
        "decoding": {"replies": f"greedy (do_sample=False), max_new_tokens={lm.MAX_NEW_TOKENS}, float32 on CPU",
                     "judge": "one forward pass; judge_urgent = logit(Yes) > logit(No); judge_right = "
                              "judge_urgent == predicted_urgent",
                     "embeddings": f"mean over tokens of layer {lm.EMBED_LAYER} of 30, projected to "
                                   f"{lm.PROJECTION_DIMS} dims (Gaussian, seed {lm.PROJECTION_SEED}), float16",
                     "decision": "logistic regression (standardised) on the projected embeddings of days 0-27"},
        "prompts": {"judge_system": lm.JUDGE_SYSTEM, "judge_user": lm.JUDGE_QUESTION, "reply_system": lm.REPLY_PROMPTS},
        "generated_for": {"embeddings and decision": f"all {len(log)} rows",
                          "judge verdict": f"{int(log['judged'].sum())} rows: {JUDGE_PER_DAY} a day on days 28-97, "
                                           "seeded uniform (judge_order; column judge_sample), and every replied row",
                          "reply": f"{int(log['replied'].sum())} rows: {REPLY_PER_DAY} a day on days {list(REPLY_DAYS)}",
                          "eval": f"{EVAL_SIZE} messages of days 58-97 (half from care homes), prompts v1 and v2"},
        "seconds_per_stage": timings,
        "recording": f"every message of days 0-27, then SERVED_PER_DAY={SERVED_PER_DAY} a day; one torch thread per "
                     "process; seconds_per_stage counts this process only, summed over restarts (a stage run "
                     "alongside in another process, e.g. judge_stage, is not counted)",
        "note": "latency_seconds is wall-clock on a shared 2-core machine: it varies from run to run",
    }


def record(data_dir: Path | None = None, judge_per_day: int = JUDGE_PER_DAY) -> Path:
    """Run the model over ``WORLD`` and write ``LOG_FILES`` into ``data_dir`` (default: the repository's ``data/``).

    Resumable: progress is kept below ``build/assistant_recording/``. Prints progress; returns the log's path.
    """
    from helpers.assistant.llm import load_model, project
    from helpers.data import DATA_DIR

    data_dir = Path(data_dir or DATA_DIR)
    _WORK.mkdir(parents=True, exist_ok=True)
    timings = json.loads((_WORK / "timings.json").read_text()) if (_WORK / "timings.json").exists() else {}
    started = time.perf_counter()
    llm = load_model(threads=1)  # one thread: on a shared machine, two spin against each other
    _stage(timings, "load", started)
    world = world_messages()
    rows = recorded_rows(world)
    first = np.union1d(reply_rows(world), eval_rows(world))  # embedded early: their replies can start
    day = world["day"].to_numpy()
    priority = np.concatenate([rows[day[rows] < 28], first, np.setdiff1d(rows[day[rows] >= 28], first)])
    _, distinct = pd.factorize(world["message"].to_numpy()[priority])
    which = pd.Index(distinct).get_indexer(world["message"].to_numpy()[rows])
    started = time.perf_counter()
    projected = project(_embed_all(llm, list(distinct)))[which]
    _stage(timings, "embeddings", started)
    messages = world.iloc[rows]
    log = _decisions(messages, projected)
    started = time.perf_counter()
    sample = judge_order(world)[: judge_per_day * (WORLD["days"] - 28)]
    order = np.concatenate([sample, np.setdiff1d(reply_rows(world), sample)])  # traced calls get a verdict too
    log = _judge_rows(llm, log, messages, order)
    log["judge_sample"] = log.index.isin(sample)
    _stage(timings, "judge", started)
    started = time.perf_counter()
    replied = reply_rows(world)
    answers = _replies(llm, log, replied, "v1", "replies")
    log["replied"] = log.index.isin(replied)
    for column in answers.columns:
        log[column] = answers[column].reindex(log.index)
    log["reply"] = log["reply"].astype("string")
    log[["prompt_tokens", "completion_tokens"]] = log[["prompt_tokens", "completion_tokens"]].astype("Int64")
    _stage(timings, "replies", started)
    started = time.perf_counter()
    evaluation = _eval_set(llm, log, world)
    _stage(timings, "eval", started)
    log.to_parquet(data_dir / LOG_FILES[0], index=False)
    evaluation.to_csv(data_dir / LOG_FILES[1], index=False)
    provenance = _provenance(llm, timings, log)
    (data_dir / LOG_FILES[2]).write_text(json.dumps(provenance, indent=2) + "\n")
    return data_dir / LOG_FILES[0]


def _eval_set(llm, log: pd.DataFrame, messages: pd.DataFrame) -> pd.DataFrame:
    rows = eval_rows(messages)
    frames = []
    for prompt in ("v1", "v2"):
        answers = _replies(llm, log, rows, prompt, f"eval_{prompt}")
        frames.append(answers.assign(prompt=prompt, message_id=log.loc[rows, "message_id"].to_numpy(),
                                     message=log.loc[rows, "message"].to_numpy(),
                                     decision=log.loc[rows, "decision"].to_numpy()))
    return pd.concat(frames, ignore_index=True)[["prompt", "message_id", "message", "decision", "reply",
                                                  "prompt_tokens", "completion_tokens", "latency_seconds"]]


def _data_file(name: str, data_dir: Path | None) -> Path:
    from helpers.data import data_path

    if data_dir is not None:
        path = Path(data_dir) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: record it with `python -m course record-assistant`")
        return path
    return data_path(name)  # verifies the published checksum


def load_log(data_dir: Path | None = None) -> pd.DataFrame:
    """The recorded production log joined to the world's messages (``WORLD``): one row per recorded message.

    The recording covers every message of days 0-27 and ``SERVED_PER_DAY`` a day after (``recorded_rows``).
    Columns: those of ``simulate_messages`` (date, day, age_band, writer, message, urgent, label_available_on ...)
    and those of the log (module docstring). The oracle's ``urgent`` column comes from the world.

    Raises:
        DataFileError: a log file is missing or altered (checksum); ValueError: the world no longer writes the
        messages the model read (the simulation changed since the recording).
    """
    log = pd.read_parquet(_data_file(LOG_FILES[0], data_dir))
    world = world_messages()
    rows = world.set_index("message_id").index.get_indexer(log["message_id"])
    if (rows < 0).any() or not (world["message"].to_numpy()[rows] == log["message"].to_numpy()).all():
        raise ValueError("the recorded log's messages differ from the world's (helpers.assistant.world changed): "
                         "record it again with `python -m course record-assistant`")
    joined = world.iloc[rows].reset_index(drop=True).join(log.drop(columns=["message_id", "message"]))
    joined.attrs["scenario"] = WORLD["scenario"]
    return joined


def load_eval(data_dir: Path | None = None) -> pd.DataFrame:
    """The regression-eval set: ``EVAL_SIZE`` messages answered by prompt v1 and by prompt v2 (one row each)."""
    return pd.read_csv(_data_file(LOG_FILES[1], data_dir))


def load_provenance(data_dir: Path | None = None) -> dict:
    """The recording's provenance: model file sha256, library versions, prompts, decoding, rows, timings."""
    return json.loads(_data_file(LOG_FILES[2], data_dir).read_text())
