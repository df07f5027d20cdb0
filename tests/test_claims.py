"""helpers.claims: strict runs fail on a false claim, a learner's run prints a note and goes on."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.claims import STRICT_ENV, claim


def test_a_true_claim_passes_quietly(capsys):
    assert claim(np.float64(0.79) < 0.8, "the ratio is below 0.8") is None
    assert capsys.readouterr().err == ""


def test_a_false_claim_fails_a_strict_run_naming_the_claim(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(AssertionError, match="Claim no longer holds: the ratio is below 0.8"):
        claim(0.85 < 0.8, "the ratio is below 0.8")


@pytest.mark.parametrize("value", ["0", ""])
def test_a_false_claim_in_a_learners_run_prints_a_note(monkeypatch, capsys, value):
    monkeypatch.setenv(STRICT_ENV, value)
    claim(False, "drift fires before the accuracy alert")
    err = capsys.readouterr().err
    assert "Claim no longer holds: drift fires before the accuracy alert" in err and "default parameters" in err


@pytest.mark.parametrize("holds", [float("nan"), 1, "yes", np.array([True, False]), None])
def test_what_is_not_a_boolean_is_refused(holds):
    with pytest.raises(TypeError, match="True or False"):
        claim(holds, "something")


def test_a_claim_without_words_is_refused():
    with pytest.raises(TypeError, match="in words"):
        claim(True, " ")
