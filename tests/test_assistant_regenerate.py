"""The recorded log is what the real model writes: a handful of rows regenerated with SmolLM2-135M-Instruct.

What must match exactly: the judge's Yes/No answer, the assistant's decision (the logistic regression on the
embeddings, retrained from the log), the reply text and its token counts (greedy decoding, float32 on the CPU), and
the model file's sha256 in the provenance. What matches within a tolerance: the judge's logit margin (0.02) and the
embedding numbers (0.02 after the float16 projection): batched and single matrix products round differently, and the
log stores float16. Latency is wall-clock and is not compared. Skips, naming the install command, without the model.
"""

import numpy as np
import pytest

from helpers.assistant import recording
from helpers.assistant.llm import ModelNotInstalled, model_path


@pytest.fixture(scope="module")
def llm():
    try:
        model_path()
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except (ModelNotInstalled, ImportError) as error:
        pytest.skip(f"the model is not installed ({error}): make install")
    from helpers.assistant.llm import load_model

    return load_model(threads=1)  # as the log was recorded; and two workers' torch threads would spin against each other


@pytest.fixture(scope="module")
def log():
    return recording.load_log()


def test_provenance_names_the_model_file(llm):
    from helpers.data import sha256_of

    provenance = recording.load_provenance()
    assert provenance["model"]["sha256"] == sha256_of(llm.path)
    assert provenance["model"]["bytes"] == llm.path.stat().st_size == 98_362_432


def test_embeddings_and_decisions_regenerate(llm, log):
    from helpers.assistant.llm import embed, project

    embedding = recording.embedding_columns()
    training = log[log["day"] < 28]
    classifier = recording.train_decision_model(training[embedding].to_numpy(), training["urgent"].to_numpy())
    # two patients and two care-home messages, away from the decision line (a 0.02 wobble cannot flip them)
    served = log[(log["day"] >= 56) & ((log["urgent_probability"] - 0.5).abs() > 0.1)]
    rows = served.groupby("writer").head(2)
    again = project(embed(llm, rows["message"].tolist()))
    assert np.abs(again.astype(np.float32) - rows[embedding].to_numpy(np.float32)).max() < 0.02
    assert (classifier.predict(again.astype(np.float32)) == rows["predicted_urgent"].to_numpy()).all()


def test_judge_and_reply_regenerate(llm, log):
    from helpers.assistant.llm import judge, reply

    for _, row in log[log["judged"]].head(3).iterrows():
        verdict = judge(llm, row["message"])
        assert verdict["urgent"] == bool(row["judge_urgent"]) and verdict["prompt_tokens"] == row["judge_prompt_tokens"]
        assert abs(verdict["margin"] - row["judge_margin"]) < 0.02
    row = log[log["replied"]].iloc[0]
    answer = reply(llm, row["message"], row["decision"])
    assert answer["reply"] == row["reply"]
    assert (answer["prompt_tokens"], answer["completion_tokens"]) == (row["prompt_tokens"], row["completion_tokens"])
