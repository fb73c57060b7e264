"""Requirements in the world, specifications at the machine, and the assumptions that connect them.

Introduced in ``notebooks/02-requirements.ipynb``. The running example is the
lecture's fall-detecting smartwatch (Le Goues & Kaestner, CMU, CC BY 4.0).
The *requirement* is about the world (a wearer who falls gets help), the
*specification* about what the watch can sense and do (movement that looks
like a fall raises an alarm), and *assumptions* fill the gap (the watch is
worn, falls look in the wild like they looked in the lab, wearers cancel false
alarms). :func:`system_outcomes` turns a model's recall and false-positive rate
into weekly numbers per wearer under stated assumptions; :func:`simulate_wearers`
checks them in a simulated world where any assumption can be broken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "BROKEN_OPTIONS", "FEATURES", "FallAssumptions", "SystemOutcomes", "broken_assumption_exercise",
           "false_calls_exercise", "make_fall_events", "pilot_world", "precision_at_prevalence", "simulate_wearers",
           "system_outcomes", "lecture_exercises"]

NOTEBOOK = "02-requirements"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""

FEATURES = ("peak_g", "still_seconds", "tilt_degrees")
"""What the watch senses about a sudden movement: peak acceleration, time lying still after it, change of tilt."""

# mean and spread of each feature for falls, everyday movements (sitting down hard) and sports (jumps, tennis)
_KINDS = {"fall": ((2.8, 0.7), (15.0, 9.0), (70.0, 20.0)),
          "everyday": ((1.6, 0.5), (3.0, 3.0), (30.0, 20.0)),
          "sport": ((2.5, 0.6), (5.0, 4.0), (55.0, 25.0))}


@dataclass(frozen=True)
class FallAssumptions:
    """Assumptions about the world of a fall-detecting watch and its wearers (all per wearer)."""

    falls_per_year: float = 0.5
    """How often a wearer falls."""
    events_per_day: float = 5.0
    """Sudden movements per day that the model has to judge (sitting down hard, dropping the arm, ...)."""
    wear_share: float = 0.9
    """Share of everyday movements during which the watch is worn."""
    worn_during_falls: float = 0.9
    """Share of falls during which the watch is worn."""
    cancel_share: float = 0.8
    """Share of false alarms that the wearer cancels before the watch calls for help."""
    sporty_share: float = 0.0
    """Share of wearers whose movements are sports-like rather than everyday ones; the lab had none."""

    def __post_init__(self) -> None:
        for name in ("wear_share", "worn_during_falls", "cancel_share", "sporty_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise InputError(f"{name} is a share and must lie between 0 and 1, got {getattr(self, name)!r}.",
                                 argument=name)


@dataclass(frozen=True)
class SystemOutcomes:
    """What wearers experience, per wearer and week."""

    alarms_per_week: float
    """Alarms the watch raises, true and false."""
    false_alarms_per_week: float
    """Alarms without a fall."""
    false_calls_per_week: float
    """False alarms that are not cancelled: help is called for nothing."""
    falls_called: float
    """Share of falls after which help is called (the requirement)."""
    alarm_precision: float
    """Share of alarms that follow a real fall."""

    def to_series(self) -> pd.Series:
        """The outcomes as a pandas Series."""
        return pd.Series(asdict(self), dtype=float)


def precision_at_prevalence(recall: float, false_positive_rate: float, prevalence: float) -> float:
    """Precision of a classifier with the given recall and false-positive rate where positives have this share.

    Introduced in ``notebooks/02-requirements.ipynb``. Recall and false-positive
    rate describe the model; precision also depends on how common positives
    are, so a precision measured on a balanced lab set does not carry over.

    Examples
    --------
    >>> round(precision_at_prevalence(0.9, 0.1, 0.5), 3), round(precision_at_prevalence(0.9, 0.1, 0.01), 3)
    (0.9, 0.083)
    """
    found = recall * prevalence
    return float(found / (found + false_positive_rate * (1 - prevalence))) if found else 0.0


def system_outcomes(recall: float, false_positive_rate: float, assumptions: FallAssumptions) -> SystemOutcomes:
    """Turn the model's recall and false-positive rate into weekly outcomes per wearer, under ``assumptions``.

    Introduced in ``notebooks/02-requirements.ipynb``. Assumes the lab's
    rates hold for every wearer (``sporty_share`` is not used: the lab had no
    sporty wearers, which is itself an assumption).

    Examples
    --------
    >>> out = system_outcomes(0.95, 0.02, FallAssumptions())
    >>> round(out.false_alarms_per_week, 3), round(out.false_calls_per_week, 3), round(out.falls_called, 3)
    (0.63, 0.126, 0.855)
    """
    a = assumptions
    false_alarms = a.events_per_day * 7 * a.wear_share * false_positive_rate
    true_alarms = a.falls_per_year / 52 * a.worn_during_falls * recall
    return SystemOutcomes(float(true_alarms + false_alarms), float(false_alarms),
                          float(false_alarms * (1 - a.cancel_share)), float(a.worn_during_falls * recall),
                          float(true_alarms / (true_alarms + false_alarms)))


def make_fall_events(n_events: int, *, fall_share: float = 0.5, sport_share: float = 0.0,
                     seed: int = 0) -> pd.DataFrame:
    """Sudden movements as the watch senses them, with the truth (``kind``, ``is_fall``) the watch cannot see.

    Introduced in ``notebooks/02-requirements.ipynb``. A share ``fall_share``
    are falls; of the rest a share ``sport_share`` are sports movements and the
    others everyday ones. Columns: :data:`FEATURES`, ``kind``, ``is_fall``.

    Examples
    --------
    >>> events = make_fall_events(1000, fall_share=0.3, seed=1)
    >>> list(events.columns), round(float(events["is_fall"].mean()), 1)
    (['peak_g', 'still_seconds', 'tilt_degrees', 'kind', 'is_fall'], 0.3)
    """
    if n_events < 0 or not (0 <= fall_share <= 1 and 0 <= sport_share <= 1):
        raise InputError("need n_events >= 0 and shares between 0 and 1.", argument="n_events")
    rng = np.random.default_rng(seed)
    kind = np.where(rng.random(n_events) < fall_share, "fall",
                    np.where(rng.random(n_events) < sport_share, "sport", "everyday"))
    values = np.empty((n_events, len(FEATURES)))
    for name, params in _KINDS.items():
        rows = kind == name
        values[rows] = rng.normal([m for m, _ in params], [sd for _, sd in params], size=(rows.sum(), len(FEATURES)))
    frame = pd.DataFrame(values.clip(min=0), columns=list(FEATURES))
    frame["kind"] = kind
    frame["is_fall"] = kind == "fall"
    return frame


def simulate_wearers(detector: Callable[[pd.DataFrame], np.ndarray], world: FallAssumptions, *,
                     n_wearers: int = 1000, weeks: int = 26, seed: int = 0) -> SystemOutcomes:
    """Give the watch to ``n_wearers`` people living in ``world`` for ``weeks`` weeks and count what happens.

    Introduced in ``notebooks/02-requirements.ipynb``. Every wearer is sporty
    with probability ``world.sporty_share``; sporty wearers' movements are
    sports movements. Only movements while the watch is worn are judged by
    ``detector`` (a function from a feature table to booleans); the wearer
    cancels each false alarm with probability ``world.cancel_share``.

    Examples
    --------
    >>> out = simulate_wearers(lambda X: X["peak_g"].to_numpy() > 2.5, FallAssumptions(), n_wearers=500, weeks=52)
    >>> 0 < out.false_alarms_per_week < 2, 0.5 < out.falls_called <= 1
    (True, True)
    """
    rng = np.random.default_rng(seed)
    days = 7 * weeks
    sporty = rng.random(n_wearers) < world.sporty_share
    moves = rng.poisson(world.events_per_day * days, size=n_wearers)
    falls = int(rng.poisson(world.falls_per_year * days / 365.25 * n_wearers))
    sporty_moves = int(moves[sporty].sum())
    events = pd.concat([make_fall_events(int(moves.sum()) - sporty_moves, fall_share=0.0, seed=seed + 1),
                        make_fall_events(sporty_moves, fall_share=0.0, sport_share=1.0, seed=seed + 2),
                        make_fall_events(falls, fall_share=1.0, seed=seed + 3)], ignore_index=True)
    worn = rng.random(len(events)) < np.where(events["is_fall"], world.worn_during_falls, world.wear_share)
    alarm = worn & np.asarray(detector(events[list(FEATURES)]), dtype=bool)
    is_fall = events["is_fall"].to_numpy()
    false_alarms = int((alarm & ~is_fall).sum())
    false_calls = int((rng.random(false_alarms) >= world.cancel_share).sum())
    wearer_weeks = n_wearers * weeks
    true_alarms = int((alarm & is_fall).sum())
    return SystemOutcomes((true_alarms + false_alarms) / wearer_weeks, false_alarms / wearer_weeks,
                          false_calls / wearer_weeks, true_alarms / falls if falls else float("nan"),
                          true_alarms / (true_alarms + false_alarms) if alarm.any() else float("nan"))


def _false_calls_diagnosis(false_positive_rate: float, a: FallAssumptions) -> Callable[[Any], str]:
    weekly = 7 * a.events_per_day * false_positive_rate
    known = [(weekly, "every false alarm is counted, also those while the watch is not worn and those the wearer "
                      "cancels."),
             (weekly * a.wear_share, "that counts every false alarm; the wearer cancels a share of them (cancel_share) "
                                     "before help is called."),
             (weekly * (1 - a.cancel_share), "the watch is only worn during a share of the movements (wear_share); no "
                                             "alarm without the watch."),
             (weekly * a.wear_share * (1 - a.cancel_share) / 7, "that is per day; the requirement counts per week."),
             (weekly * a.wear_share * a.cancel_share, "that counts the *cancelled* false alarms; help is called for "
                                                      "the others, a share 1 - cancel_share.")]

    def why(output: Any) -> str:
        if isinstance(output, (bool, np.bool_)) or not isinstance(output, (int, float, np.number)):
            return f"your function returned {type(output).__name__}; it must return one number."
        for value, text in known:
            if np.isclose(float(output), value, rtol=1e-6, atol=0):
                return text
        return "the number does not follow from these assumptions: multiply movements per week, the share worn, " \
               "the false-positive rate and the share not cancelled."
    return why


def false_calls_exercise() -> Exercise:
    """Build-it exercise: ``false_calls_per_week(false_positive_rate, assumptions)`` for any assumptions.

    Introduced in ``notebooks/02-requirements.ipynb``. The hidden cases change the assumptions, so a function that
    hard-codes the notebook's numbers fails; each failure names the forgotten factor.

    Examples
    --------
    >>> exercise = false_calls_exercise()
    >>> exercise.check(lambda fpr, a: 7 * a.events_per_day * fpr).reason.split(": ", 1)[1][:30]
    'every false alarm is counted, '
    """
    worlds = [("the notebook's assumptions", 0.02, FallAssumptions()),
              ("a watch worn all day by wearers who never cancel", 0.05, FallAssumptions(wear_share=1.0,
                                                                                          cancel_share=0.0)),
              ("busy wearers with 12 sudden movements a day", 0.01, FallAssumptions(events_per_day=12.0,
                                                                                    wear_share=0.6,
                                                                                    cancel_share=0.5))]
    cases = [Case(label, (fpr, world),
                  lambda out, want=system_outcomes(1.0, fpr, world).false_calls_per_week:
                  isinstance(out, (int, float, np.number)) and not isinstance(out, (bool, np.bool_))
                  and bool(np.isclose(float(out), want, rtol=1e-6, atol=1e-12)),
                  _false_calls_diagnosis(fpr, world)) for label, fpr, world in worlds]

    def worked(false_positive_rate: float, assumptions: FallAssumptions) -> float:
        a = assumptions
        return 7 * a.events_per_day * a.wear_share * false_positive_rate * (1 - a.cancel_share)

    first = _false_calls_diagnosis(worlds[0][1], worlds[0][2])
    return Exercise.code("false_calls_per_week", cases=cases, solution=worked, mistakes=[
        (lambda fpr, a: 7 * a.events_per_day * fpr, first(7 * 5.0 * 0.02)),
        (lambda fpr, a: 7 * a.events_per_day * a.wear_share * fpr, first(7 * 5.0 * 0.9 * 0.02)),
        (lambda fpr, a: 7 * a.events_per_day * fpr * (1 - a.cancel_share), first(7 * 5.0 * 0.02 * 0.2)),
        (lambda fpr, a: a.events_per_day * a.wear_share * fpr * (1 - a.cancel_share),
         first(5.0 * 0.9 * 0.02 * 0.2)),
        (lambda fpr, a: 0.126, "the number does not follow from these assumptions")],
        hint="movements per week, times the share while worn, times the false-positive rate, times the share not "
             "cancelled; read each from the assumptions you are given.")


def pilot_world(assumed: FallAssumptions) -> FallAssumptions:
    """The world of a care home's pilot study: like ``assumed`` except for one assumption (find out which).

    Introduced in ``notebooks/02-requirements.ipynb``.

    Examples
    --------
    >>> pilot_world(FallAssumptions()) == FallAssumptions()
    False
    """
    return replace(assumed, cancel_share=round(assumed.cancel_share * 0.35, 3))


BROKEN_OPTIONS = ("falls_per_year", "events_per_day", "wear_share", "worn_during_falls", "cancel_share")
"""The assumptions among which :func:`broken_assumption_exercise` asks for the broken one."""


def broken_assumption_exercise(assumed: FallAssumptions, world: FallAssumptions) -> Exercise:
    """Exercise: which assumption of ``assumed`` does ``world`` break?

    Introduced in ``notebooks/02-requirements.ipynb``. Exactly one of
    :data:`BROKEN_OPTIONS` must differ between the two.

    Examples
    --------
    >>> from dataclasses import replace
    >>> exercise = broken_assumption_exercise(FallAssumptions(), replace(FallAssumptions(), wear_share=0.5))
    >>> exercise.expected, exercise.check("events_per_day").passed
    ('wear_share', False)
    """
    broken = [name for name in BROKEN_OPTIONS if getattr(assumed, name) != getattr(world, name)]
    if len(broken) != 1:
        raise InputError(f"the world must break exactly one of {BROKEN_OPTIONS}, it breaks {broken}.",
                         argument="world")
    why = {"falls_per_year": "more or fewer falls change the share of falls called by nothing, and barely "
                             "change false alarms.",
           "events_per_day": "more movements would raise the alarms themselves, not only the calls.",
           "wear_share": "a watch worn less would raise *fewer* alarms, not more calls.",
           "worn_during_falls": "that changes how many falls are caught, not how many false alarms become calls.",
           "cancel_share": "fewer cancelled false alarms would raise the calls while the alarms stay as promised."}
    return Exercise.choice("broken_assumption", broken[0],
                           {name: text.capitalize() if name == broken[0] else f"not {name}: {text}"
                            for name, text in why.items()},
                           hint="compare alarms, calls and falls called, promised against observed: which moved?")


def lecture_exercises(*, seed: int = 0, **_: Any) -> dict[str, Exercise]:
    """The exercises of ``notebooks/02-requirements.ipynb`` for its parameters, keyed by name.

    The pilot's broken assumption does not depend on the seed; the false-call function is judged on fixed worlds.

    Examples
    --------
    >>> sorted(lecture_exercises())
    ['broken_assumption', 'false_calls_per_week']
    """
    assumed = FallAssumptions()
    built = [false_calls_exercise(), broken_assumption_exercise(assumed, pilot_world(assumed))]
    return {exercise.name: exercise for exercise in built}
