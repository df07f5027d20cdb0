"""The simulated triage assistant's world: seeded patient messages, the assistant's decisions and replies.

A symptom-triage assistant answers patients' messages: "see a doctor about possible diabetes" or "self-care
advice". ``simulate_messages`` writes the patients' side: one row per message with its date, the patient's age band,
the message text (from templates and vocabularies per age band and condition) and the clinician-confirmed truth
(``urgent``: the message describes possible diabetes). The service learns that truth late: from follow-up records
``LABEL_DELAY_DAYS`` after the message (``label_available_on``), or the next day for the few conversations a
clinician reviews. ``assistant_log`` adds the assistant's side: the decision of a real text model
(``helpers.assistant.triage``) standing where an LLM's structured output would stand, the reply text, its latency and the
prompt/model version that wrote it. ``simulate_log`` does both, with a model trained on the first ``TRAIN_DAYS``.

Named scenarios change the world from a known day in a known way; ``SCENARIOS`` holds each change next to its ground
truth (the function that applies it is part of the scenario). With the same arguments the frame is identical, and
every scenario starts from the same draws, so two scenarios differ only by their documented change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from helpers.validation import require_columns, require_rows, require_whole_number

__all__ = [
    "AGE_BANDS",
    "LABEL_DELAY_DAYS",
    "PROMPT_VERSIONS",
    "SCENARIOS",
    "SHIFT_DAY",
    "TRAIN_DAYS",
    "PromptVersion",
    "Scenario",
    "assistant_log",
    "scenario_table",
    "simulate_log",
    "simulate_messages",
]

#: Patients' age bands, and their share of messages before any scenario changes it.
AGE_BANDS = ("18-39", "40-64", "65+")
_BAND_SHARES = (0.47, 0.40, 0.13)
#: Share of each band's messages that describe possible diabetes (the urgent cases).
_URGENT_SHARE = {"18-39": 0.05, "40-64": 0.12, "65+": 0.20}
#: Share of messages whose confirmed urgency differs from what their text suggests.
_LABEL_NOISE = 0.015
#: Days between a message and the day its clinician-confirmed urgency is on record (follow-up).
LABEL_DELAY_DAYS = 14
#: The assistant's model is trained on the messages of days 0 .. TRAIN_DAYS - 1 (their labels are confirmed).
TRAIN_DAYS = 28
#: The day the scenarios' changes start (a Monday with the default start date).
SHIFT_DAY = 56

# ----------------------------------------------------------------------------------------------------------------
# Vocabularies. Patients write in the first person; care-home staff (elderly_shift) write about a resident.
# ----------------------------------------------------------------------------------------------------------------
_OPENERS = {
    "18-39": ["Hi,", "Hey,", "Quick question:", "Hello,", "Hi there,"],
    "40-64": ["Hello,", "Good morning,", "Hi,", "Good evening,", "Hello there,"],
    "65+": ["Good morning,", "Hello,", "Dear doctor,", "Good afternoon,", "Hello there,"],
}
_CONTEXT = {
    "18-39": ["I'm 27 and", "I'm 34 and", "I work night shifts and", "I'm a student and", "I'm 22 and"],
    "40-64": ["I'm 52 and", "I'm 47 and", "I'm 58 and", "work has been busy and", "I'm 61 and"],
    "65+": ["I'm 71 and", "I'm 78 and", "since I retired", "I'm 68 and", "I'm 83 and"],
}
_DURATIONS = ["for a few days", "for about a week", "for two weeks", "since last month", "on and off for a while"]
_CLOSINGS = [
    "Should I be worried?", "What should I do?", "Do I need to see someone?",
    "Is this something I can treat at home?", "Any advice?",
]
#: How diabetes presents in the messages the model learned from: thirst, passing urine often, weight loss.
_DIABETES_CLASSIC = [
    "I've been really thirsty all the time", "I'm drinking far more water than usual", "I keep needing to pee",
    "I'm going to the toilet constantly", "I get up several times a night to urinate",
    "I've lost weight without trying", "my vision has gone blurry", "my mouth is always dry",
]
#: Tiredness: a routine complaint, and sometimes the only symptom an urgent message names (hard to triage).
_VAGUE = ["I've been feeling exhausted", "I feel run down", "I've had no energy"]
_ROUTINE = {
    "cold": ["I've got a runny nose and a cough", "I have a sore throat and a blocked nose",
             "I've been sneezing and coughing"],
    "back pain": ["my lower back aches", "I pulled something in my back lifting a box",
                  "my back is stiff in the mornings"],
    "headache": ["I keep getting headaches", "I have a throbbing headache behind my eyes",
                 "I get a headache every afternoon"],
    "indigestion": ["I get heartburn after meals", "my stomach feels bloated after eating",
                    "I have a burning feeling in my chest after dinner"],
    "sprain": ["I twisted my ankle", "my wrist is swollen after slipping on the stairs", "my knee hurts after a run"],
    "insomnia": ["I can't get to sleep at night", "I wake up at 4am and can't get back to sleep",
                 "I've been sleeping badly"],
    "hay fever": ["my eyes are itchy and watering", "I keep sneezing when I go outside",
                  "my nose runs every time I'm in the garden"],
    "tiredness": _VAGUE,
    "rash": ["I have an itchy rash on my arm", "I've got a patch of dry skin on my elbow",
             "there's a red itchy spot on my leg"],
}
_ROUTINE_EXTRA = [
    "I'm drinking lots of water to flush it out", "paracetamol helps a little", "I've been feeling tired",
    "it's worse in the evenings", "I've had this before",
]
_CARE_HOMES = ["Elmfield House", "Beech Court care home", "Riverside Lodge", "Oakwood Care Centre"]
_CARE_OPENERS = [
    "I'm a carer at {home}.", "Writing on behalf of a resident at {home}.", "Message from the night staff at {home}.",
    "I'm the senior carer on shift at {home}.",
]
_RESIDENTS = ["an 84-year-old woman", "a 79-year-old man", "a 91-year-old woman", "an 87-year-old man",
              "a 76-year-old woman"]
#: How diabetes presents in the care-home residents (elderly_shift): none of these words occur in training.
_DIABETES_ATYPICAL = [
    "has been more confused than usual", "is very drowsy in the afternoons", "keeps getting urine infections",
    "has a sore on the foot that is slow to heal", "has been lethargic and off food",
    "was recently started on steroids (prednisolone)", "has had two falls this week", "has thrush that keeps recurring",
    "seems muddled and sleepy",
]
#: Distinctive words of ``_DIABETES_ATYPICAL`` that the assistant's training messages never contain.
ATYPICAL_WORDS = (
    "confused", "drowsy", "urine", "infections", "heal", "lethargic", "steroids", "prednisolone", "falls", "thrush",
    "recurring", "muddled", "sleepy",
)
_CARE_ROUTINE = [
    "has a chesty cough and a runny nose", "has dry itchy skin on the legs", "is constipated",
    "has a mild headache", "has a bruise on the arm from a knock", "has a cold sore",
]
_CARE_CLOSINGS = ["Does the resident need to see the GP?", "Should we book a GP visit?",
                  "Can we manage this in the home?", "Please advise."]


# ----------------------------------------------------------------------------------------------------------------
# The assistant's replies: one style per prompt/model version
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PromptVersion:
    """How one prompt/model version writes its replies and how long it takes (the decision is not its business)."""

    name: str
    description: str
    refusal_share: float  #: share of replies that open by declining to diagnose
    extra_sentences: int  #: safety sentences appended to every reply
    overhead_seconds: float  #: time to the first word
    seconds_per_word: float  #: generation time per reply word
    latency_spread: float  #: sigma of the log-normal noise on latency


PROMPT_VERSIONS = {
    "v1": PromptVersion("v1", "prompt v1 with the launch model", 0.02, 0, 0.35, 0.022, 0.22),
    "v2": PromptVersion("v2", "prompt v2 (stricter safety wording) with a larger model", 0.25, 3, 0.55, 0.025, 0.25),
}
_URGENT_REPLIES = [
    "Thank you for the details. Thirst, passing urine often and tiredness can be signs of raised blood sugar. "
    "Please book an appointment with your GP in the next few days and ask about a blood test for diabetes.",
    "What you describe could be a sign of diabetes. Please see your GP this week; a simple blood test can check it. "
    "If you feel very unwell, call 111.",
]
_ROUTINE_REPLIES = [
    "Thanks for your message. This sounds like something you can look after at home: rest, drink plenty of fluids "
    "and take paracetamol if needed. Contact your GP if it is not better in a week.",
    "This usually gets better on its own. A pharmacist can suggest something to ease it. If it gets worse or you "
    "are worried, contact your GP or call 111.",
]
_REFUSAL = "I'm not able to give a diagnosis or medical advice."
_SAFETY = [
    "I am an automated assistant and my answer is not a substitute for a clinician's judgement.",
    "If you have chest pain, difficulty breathing or feel suddenly very unwell, call 999 straight away.",
    "You can read more about this condition on the NHS website, and a pharmacist can also advise you.",
]


# ----------------------------------------------------------------------------------------------------------------
# Scenarios: each change lives next to its ground truth
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class _Draws:
    """Every random draw of one world (the same for every scenario), as arrays the scenarios may change."""

    day: np.ndarray
    band: np.ndarray
    urgent: np.ndarray
    text: np.ndarray
    writer: np.ndarray  # "patient" or "care home"
    prompt_version: np.ndarray
    care_home_u: np.ndarray  # uniform draws deciding which messages a care-home arrival replaces
    care_home_text: Callable[[np.ndarray], np.ndarray]  # the care-home messages of the rows a mask selects
    care_home_urgent: np.ndarray


def _no_change(draws: _Draws, after: np.ndarray, scenario: Scenario) -> None:
    return None


def _care_homes_arrive(draws: _Draws, after: np.ndarray, scenario: Scenario) -> None:
    """From the start day, a share of messages come from care-home residents (65+), written by their carers."""
    arrives = after & (draws.care_home_u < scenario.details["care_home_share"])
    draws.band[arrives] = "65+"
    draws.writer[arrives] = "care home"
    draws.text[arrives] = draws.care_home_text(arrives)
    draws.urgent[arrives] = draws.care_home_urgent[arrives]


def _prompt_update(draws: _Draws, after: np.ndarray, scenario: Scenario) -> None:
    """From the start day, a new prompt/model version writes the replies; messages and decisions are untouched."""
    draws.prompt_version[after] = scenario.details["prompt_version"]


@dataclass(frozen=True)
class Scenario:
    """Ground truth of one scenario: what changes, from which day, in which segment, and the function doing it."""

    name: str
    description: str
    start_day: int | None = None  #: first day (0-based) on which the change is in force
    shifted_segment: str | None = None  #: the age band whose messages change, if any
    changes_replies: bool = False  #: whether the assistant's replies change (not its decisions)
    details: dict = field(default_factory=dict)  #: the exact sizes of the change
    apply: Callable[[_Draws, np.ndarray, Scenario], None] = field(default=_no_change, repr=False)


SCENARIOS: dict[str, Scenario] = {
    "stable": Scenario(
        name="stable",
        description="Nothing changes: the control case. Monitoring must stay quiet on it.",
    ),
    "elderly_shift": Scenario(
        name="elderly_shift",
        description=(
            f"From day {SHIFT_DAY} a care-home partnership brings in residents aged 65+, whose carers write for them: "
            "14% of messages from then on. Diabetes in these residents presents as confusion, drowsiness, infections, "
            "slow-healing sores, falls or after new steroid medication, words the assistant never saw in training; "
            "40% of their messages are urgent."
        ),
        start_day=SHIFT_DAY,
        shifted_segment="65+",
        details={"care_home_share": 0.14, "care_home_urgent_share": 0.40, "classic_symptom_share": 0.10,
                 "atypical_words": ATYPICAL_WORDS},
        apply=_care_homes_arrive,
    ),
    "prompt_update": Scenario(
        name="prompt_update",
        description=(
            f"From day {SHIFT_DAY} a new prompt and a larger model write the replies: longer (three safety "
            "sentences), a quarter of them open by declining to diagnose, and slower. The triage decision is a "
            "separate structured output and does not change."
        ),
        start_day=SHIFT_DAY,
        changes_replies=True,
        details={"prompt_version": "v2"},
        apply=_prompt_update,
    ),
}


# ----------------------------------------------------------------------------------------------------------------
# The world
# ----------------------------------------------------------------------------------------------------------------
def _validate(scenario: str, days: int, per_day: int, seed: int) -> None:
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; valid scenarios are: {', '.join(SCENARIOS)}")
    for name, value in (("days", days), ("per_day", per_day)):
        require_whole_number(value, name, minimum=1)
    require_whole_number(seed, "seed")


def _pick(rng: np.random.Generator, pool: list[str], n: int) -> np.ndarray:
    return np.asarray(pool, dtype=object)[rng.integers(0, len(pool), size=n)]


def _patient_messages(rng: np.random.Generator, band: np.ndarray, urgent: np.ndarray) -> np.ndarray:
    n = len(band)
    opener = np.empty(n, dtype=object)
    context = np.empty(n, dtype=object)
    for b in AGE_BANDS:  # the same number of draws for every band, whatever its size: frames stay aligned
        opener = np.where(band == b, _pick(rng, _OPENERS[b], n), opener)
        context = np.where(band == b, _pick(rng, _CONTEXT[b], n), context)
    routine = np.asarray(list(_ROUTINE.values()), dtype=object)  # one row per condition, three wordings each
    condition = rng.integers(0, len(routine), size=n)
    routine_first = routine[condition, rng.integers(0, routine.shape[1], size=n)]
    routine_extra = _pick(rng, _ROUTINE_EXTRA, n)
    classic_first, classic_second = _pick(rng, _DIABETES_CLASSIC, n), _pick(rng, _DIABETES_CLASSIC, n)
    vague = _pick(rng, _VAGUE, n)
    only_vague = rng.uniform(size=n) < 0.12  # some urgent messages name no telling symptom
    extra_routine = rng.uniform(size=n) < 0.35
    duration, closing = _pick(rng, _DURATIONS, n), _pick(rng, _CLOSINGS, n)
    classic = urgent & ~only_vague  # urgent, naming classic symptoms; naming only tiredness, it reads as routine
    first = np.where(classic, classic_first, np.where(urgent, vague, routine_first))
    also = np.where(classic, classic_second, routine_extra)
    has_also = np.where(classic, classic_second != classic_first, extra_routine)
    second = np.where(has_also, " Also " + also + ".", "")
    return opener + " " + context + " " + first + " " + duration + "." + second + " " + closing


def _care_home_messages(
    rng: np.random.Generator, n: int, details: dict
) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray]:
    """Draws for a care-home message in every row: a function writing the messages of the rows a mask selects (only
    those are written), and each row's urgency."""
    urgent = rng.uniform(size=n) < details["care_home_urgent_share"]
    home, opener = _pick(rng, _CARE_HOMES, n), _pick(rng, _CARE_OPENERS, n)
    resident = _pick(rng, _RESIDENTS, n)
    atypical_1, atypical_2 = _pick(rng, _DIABETES_ATYPICAL, n), _pick(rng, _DIABETES_ATYPICAL, n)
    routine = _pick(rng, _CARE_ROUTINE, n)
    classic = rng.uniform(size=n) < details["classic_symptom_share"]
    duration, closing = _pick(rng, _DURATIONS, n), _pick(rng, _CARE_CLOSINGS, n)

    def write(rows: np.ndarray) -> np.ndarray:
        texts = []
        for i in np.flatnonzero(rows):
            if urgent[i]:
                symptoms = atypical_1[i] + (f" and {atypical_2[i]}" if atypical_2[i] != atypical_1[i] else "")
                if classic[i]:
                    symptoms += " and is drinking far more water than usual"
            else:
                symptoms = routine[i]
            texts.append(
                f"{opener[i].format(home=home[i])} One of our residents, {resident[i]}, {symptoms} {duration[i]}. "
                f"{closing[i]}"
            )
        return np.asarray(texts, dtype=object)

    return write, urgent.astype(int)


def simulate_messages(
    scenario: str = "stable",
    days: int = 112,
    per_day: int = 600,
    start: str = "2025-01-06",
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate ``days`` x ``per_day`` patient messages to the triage assistant under a named scenario.

    Args:
        scenario: one of ``SCENARIOS`` (``stable``, ``elderly_shift``, ``prompt_update``).
        days: number of days (>= 1). Changes start on day ``SHIFT_DAY`` (56), so use ``days > 56`` to see them.
        per_day: messages per day (>= 1).
        start: date of day 0 (ISO format; the default is a Monday).
        seed: random seed (>= 0); the same arguments always give the same frame.

    Returns:
        One row per message, sorted by date: ``message_id``, ``date``, ``day`` (0-based), ``age_band`` (one of
        ``AGE_BANDS``), ``writer`` ("patient", or "care home" when a carer writes for a resident), ``message``,
        ``prompt_version`` (the version that will answer it on that day: a key of ``PROMPT_VERSIONS``), ``urgent``
        (1 = possible diabetes: the patient should see a doctor; the clinician-confirmed truth) and
        ``label_available_on`` (the day that truth is on record).

    Raises:
        ValueError: unknown scenario, days or per_day below 1, a negative seed (the message lists what is valid).
    """
    _validate(scenario, days, per_day, seed)
    truth = SCENARIOS[scenario]
    rng = np.random.default_rng(seed)
    n = days * per_day
    day = np.repeat(np.arange(days), per_day)
    band = np.asarray(AGE_BANDS, dtype=object)[rng.choice(len(AGE_BANDS), size=n, p=_BAND_SHARES)]
    presents_urgent = rng.uniform(size=n) < pd.Series(band).map(_URGENT_SHARE).to_numpy()
    text = _patient_messages(rng, band, presents_urgent)
    # what the message suggests is not always what the clinician confirms (a detail the patient left out)
    urgent = (presents_urgent ^ (rng.uniform(size=n) < _LABEL_NOISE)).astype(int)
    care_details = SCENARIOS["elderly_shift"].details  # drawn in every scenario, so that all share their draws
    care_home_u = rng.uniform(size=n)
    care_text, care_urgent = _care_home_messages(rng, n, care_details)
    draws = _Draws(
        day=day, band=band, urgent=urgent, text=text, writer=np.full(n, "patient", dtype=object),
        prompt_version=np.full(n, "v1", dtype=object), care_home_u=care_home_u, care_home_text=care_text,
        care_home_urgent=care_urgent,
    )
    after = day >= (truth.start_day if truth.start_day is not None else days + 1)
    truth.apply(draws, after, truth)

    frame = _frame(draws, start)
    frame.attrs["scenario"] = scenario
    return frame


def _frame(draws: _Draws, start: str) -> pd.DataFrame:
    """The world's draws as the message frame (columns documented in ``simulate_messages``)."""
    n = len(draws.day)
    dates = pd.Timestamp(start) + pd.to_timedelta(draws.day, unit="D")
    return pd.DataFrame(
        {
            "message_id": np.char.add("M", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
            "date": dates,
            "day": draws.day,
            "age_band": pd.Categorical(draws.band, categories=list(AGE_BANDS)),
            "writer": draws.writer,  # object arrays of str: what pandas would make of fixed-width strings
            "message": draws.text,
            "prompt_version": draws.prompt_version,
            "urgent": draws.urgent.astype(int),
            "label_available_on": dates + pd.Timedelta(days=LABEL_DELAY_DAYS),
        }
    )


def _reply(refused: int, urgent: int, variant: int, extra_sentences: int) -> str:
    body = (_URGENT_REPLIES if urgent else _ROUTINE_REPLIES)[variant]
    return " ".join([_REFUSAL] * refused + [body] + _SAFETY[:extra_sentences])


def assistant_log(messages: pd.DataFrame, model, seed: int = 0) -> pd.DataFrame:
    """The assistant's side of each message: decision, reply, latency (a copy of ``messages`` with columns added).

    The decision comes from ``model`` (``helpers.assistant.triage.triage``: ``urgent_probability``, ``predicted_urgent``,
    ``decision``). The reply text and ``latency_seconds`` follow the row's ``prompt_version`` (``PROMPT_VERSIONS``):
    a version changes how replies read and how long they take, never the decision. ``reply_words`` counts the
    reply's words and ``refused`` marks replies that open by declining to diagnose.

    Raises:
        ValueError: no rows, a missing column, or a ``prompt_version`` that ``PROMPT_VERSIONS`` does not know.
    """
    from helpers.assistant.triage import triage

    require_rows(messages, "messages")
    require_columns(messages, ["message", "prompt_version"], "messages")
    unknown = sorted(set(messages["prompt_version"]) - set(PROMPT_VERSIONS))
    if unknown:
        raise ValueError(f"unknown prompt_version {unknown[0]!r}; known versions are: {', '.join(PROMPT_VERSIONS)}")
    log = triage(model, messages)
    rng = np.random.default_rng([seed, 5])  # a stream of its own: replies never disturb the messages' draws
    n = len(log)
    variant = rng.integers(0, 2, size=n)
    refuse_u, noise = rng.uniform(size=n), rng.normal(size=n)
    # each row's PromptVersion, one column per attribute
    style = pd.DataFrame([asdict(v) for v in PROMPT_VERSIONS.values()]).set_index("name").loc[log["prompt_version"]]
    refused = refuse_u < style["refusal_share"].to_numpy()
    # a reply is one of a few texts (refusal or not, urgent or not, variant, safety sentences): each written once
    parts = np.column_stack([refused, log["predicted_urgent"], variant, style["extra_sentences"]]).astype(int)
    combinations, which = np.unique(parts, axis=0, return_inverse=True)
    texts = [_reply(*(int(value) for value in combination)) for combination in combinations]
    replies = np.asarray(texts, dtype=object)[which.reshape(-1)]
    words = np.asarray([len(text.split()) for text in texts])[which.reshape(-1)]
    seconds = style["overhead_seconds"].to_numpy() + style["seconds_per_word"].to_numpy() * words
    latency = seconds * np.exp(style["latency_spread"].to_numpy() * noise)
    log["reply"] = replies
    log["reply_words"] = words
    log["refused"] = refused
    log["latency_seconds"] = np.round(latency, 3)
    return log


def simulate_log(
    scenario: str = "stable",
    days: int = 112,
    per_day: int = 600,
    start: str = "2025-01-06",
    seed: int = 0,
    train_days: int = TRAIN_DAYS,
) -> pd.DataFrame:
    """``simulate_messages`` answered by an assistant whose model was trained on days 0 .. ``train_days`` - 1.

    The model (``helpers.assistant.triage.train_triage_model`` on those days' messages, whose labels are confirmed) is the same
    one you get by training on ``messages[messages["day"] < train_days]`` yourself. Columns: those of
    ``simulate_messages`` and ``assistant_log``.

    Raises:
        ValueError: as ``simulate_messages``; ``train_days`` not between 1 and ``days``.
    """
    from helpers.assistant.triage import train_triage_model

    messages = simulate_messages(scenario, days=days, per_day=per_day, start=start, seed=seed)
    if isinstance(train_days, bool) or not isinstance(train_days, (int, np.integer)) or not 1 <= train_days <= days:
        raise ValueError(f"train_days must be a whole number between 1 and days ({days}), got {train_days!r}")
    model = train_triage_model(messages[messages["day"] < train_days], seed=seed)
    log = assistant_log(messages, model, seed=seed)
    log.attrs["scenario"] = scenario
    return log


def scenario_table() -> pd.DataFrame:
    """The scenarios' ground truth as a table (one row per scenario), for display."""
    return pd.DataFrame(
        [
            {
                "scenario": s.name,
                "start_day": s.start_day,
                "shifted_segment": s.shifted_segment or "none",
                "changes_replies": s.changes_replies,
                "description": s.description,
            }
            for s in SCENARIOS.values()
        ]
    ).astype({"start_day": "Int64"})
