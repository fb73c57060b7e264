"""Planning for mistakes: FMEA tables, mitigations as fault-tree rewrites, and a Monte Carlo check.

Introduced in ``notebooks/03-planning-for-mistakes.ipynb``; builds on :mod:`mlip_helpers.faulttree`. In the
lecture "Planning for Mistakes" (Le Goues & Kaestner, CMU, CC BY 4.0) a mitigation either *removes* a basic
event (:func:`remove_event`) or makes cut sets *larger* with an independent safeguard that must fail too
(:func:`add_safeguard`). FMEA goes from each component's failure modes up to their effects, ranked by the risk
priority number severity x occurrence x detection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.faulttree import (
    Event,
    FaultTreeError,
    Gate,
    and_gate,
    basic_events,
    event,
    minimal_cut_sets,
    or_gate,
    top_event_probability,
)

__all__ = ["NOTEBOOK", "FailureMode", "add_safeguard", "compare_designs", "fmea_table", "gate_probability_exercise",
           "lecture_exercises", "occurrence_rating", "remove_event", "simulate_top_event", "single_point_exercise",
           "top_probability_exercise"]

NOTEBOOK = "03-planning-for-mistakes"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""

OCCURRENCE_SCALE = ((1 / 10, 10), (1 / 20, 9), (1 / 50, 8), (1 / 100, 7), (1 / 500, 6), (1 / 2_000, 5),
                    (1 / 10_000, 4), (1 / 100_000, 3), (1 / 1_000_000, 2))
"""(smallest probability, rating) pairs of a common FMEA occurrence scale; anything rarer rates 1."""


@dataclass(frozen=True)
class FailureMode:
    """One row of an FMEA: how a component can fail, what follows, and how bad, likely and hidden it is."""

    component: str
    """The part of the system that fails (a sensor, a model, a controller)."""
    mode: str
    """How it fails."""
    effect: str
    """What the failure does to the system and its users."""
    severity: int
    """1 (no effect) to 10 (hazardous, without warning)."""
    occurrence: int
    """1 (almost never) to 10 (almost always); see :func:`occurrence_rating`."""
    detection: int
    """1 (certainly caught before harm) to 10 (cannot be caught)."""
    mitigation: str = ""
    """What is done about it."""

    def __post_init__(self) -> None:
        for name in ("severity", "occurrence", "detection"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 10:
                raise FaultTreeError(f"{name} of {self.component!r} / {self.mode!r} must be a whole number from "
                                     f"1 to 10, got {value!r}.", name=self.component)

    @property
    def rpn(self) -> int:
        """Risk priority number: severity x occurrence x detection (1 to 1000)."""
        return int(self.severity * self.occurrence * self.detection)


def fmea_table(modes: Iterable[FailureMode]) -> pd.DataFrame:
    """The failure modes as a table with their risk priority numbers, riskiest first.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Examples
    --------
    >>> table = fmea_table([FailureMode("camera", "lens dirty", "person missed", 9, 4, 6),
    ...                     FailureMode("model", "misses person", "person missed", 9, 7, 8)])
    >>> table[["component", "rpn"]].values.tolist()
    [['model', 504], ['camera', 216]]
    """
    rows = [{"component": m.component, "mode": m.mode, "effect": m.effect, "severity": m.severity,
             "occurrence": m.occurrence, "detection": m.detection, "rpn": m.rpn, "mitigation": m.mitigation}
            for m in modes]
    table = pd.DataFrame(rows, columns=["component", "mode", "effect", "severity", "occurrence", "detection",
                                        "rpn", "mitigation"])
    return table.sort_values("rpn", ascending=False, kind="stable").reset_index(drop=True)


def occurrence_rating(probability: float) -> int:
    """FMEA occurrence rating (1 to 10) of a failure with this probability per use, by :data:`OCCURRENCE_SCALE`.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. Ties a fault
    tree's event probabilities to an FMEA's occurrence column.

    Examples
    --------
    >>> occurrence_rating(0.2), occurrence_rating(0.03), occurrence_rating(1e-4), occurrence_rating(1e-7)
    (10, 8, 4, 1)
    """
    if not 0 <= probability <= 1:
        raise FaultTreeError(f"a probability lies between 0 and 1, got {probability!r}.")
    return next((rating for floor, rating in OCCURRENCE_SCALE if probability >= floor), 1)


def _rebuild(node, visit):
    """Apply ``visit`` bottom-up; ``visit(node, children)`` returns the new node or None (never happens)."""
    if isinstance(node, Event):
        return visit(node, ())
    return visit(node, tuple(_rebuild(child, visit) for child in node.children))


def _gate(node: Gate, children: tuple):
    if node.kind == "and" and None in children:
        return None  # an AND gate whose input can no longer happen can no longer happen
    kept = tuple(c for c in children if c is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else Gate(node.name, node.kind, kept, node.description)


def add_safeguard(tree, target: str, safeguard: Event, *, name: str | None = None):
    """Put an independent safeguard behind ``target``: its failure now needs ``safeguard`` to fail as well.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. The event or
    gate named ``target`` (the top included) is replaced by an AND gate of
    itself and ``safeguard``, so every cut set through it grows by one event.

    Examples
    --------
    >>> tree = or_gate("top", Event("a", 0.1), Event("b", 0.2))
    >>> guarded = add_safeguard(tree, "a", Event("guard", 0.5))
    >>> [sorted(s) for s in minimal_cut_sets(guarded)]
    [['b'], ['a', 'guard']]
    """
    found = []

    def visit(node, children):
        new = node if isinstance(node, Event) else _gate(node, children)
        if node.name == target:
            found.append(node)
            return and_gate(name or f"{target}_unguarded", new, safeguard)
        return new

    result = _rebuild(tree, visit)
    if not found:
        raise FaultTreeError(f"no event or gate named {target!r} in the tree.", name=target)
    return result


def remove_event(tree, name: str):
    """The tree after a mitigation that makes the basic event ``name`` impossible.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. The event is
    dropped from OR gates; an AND gate that needed it can no longer happen and
    is dropped in turn; a gate left with one input is replaced by that input.

    Examples
    --------
    >>> tree = or_gate("top", Event("a", 0.1), and_gate("both", Event("b", 0.2), Event("c", 0.3)))
    >>> remove_event(tree, "c")
    Event(name='a', probability=0.1, description='', model_mistake=False)
    """
    if name not in basic_events(tree):
        raise FaultTreeError(f"no basic event named {name!r} in the tree.", name=name)
    result = _rebuild(tree, lambda node, children: (None if node.name == name else node)
                      if isinstance(node, Event) else _gate(node, children))
    if result is None:
        raise FaultTreeError(f"without {name!r} the top event can no longer happen; nothing is left to analyse.",
                             name=name)
    return result


def simulate_top_event(tree, *, n_trials: int = 100_000, seed: int = 0) -> float:
    """Share of ``n_trials`` random trials in which the top event happens (each basic event drawn independently).

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. A check of
    :func:`~mlip_helpers.faulttree.top_event_probability` by brute force.

    Examples
    --------
    >>> tree = and_gate("top", Event("a", 0.5), Event("b", 0.5))
    >>> round(simulate_top_event(tree, n_trials=10_000), 2)
    0.25
    """
    rng = np.random.default_rng(seed)
    happened = {n: rng.random(n_trials) < e.probability for n, e in basic_events(tree).items()}

    def occurs(node):
        if isinstance(node, Event):
            return happened[node.name]
        results = [occurs(child) for child in node.children]
        return np.logical_and.reduce(results) if node.kind == "and" else np.logical_or.reduce(results)

    return float(occurs(tree).mean())


def compare_designs(designs: Mapping[str, object]) -> pd.DataFrame:
    """Designs side by side: minimal cut sets, the smallest one, single points of failure, top-event probability.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. The column
    ``model_alone`` says whether a model mistake alone causes the top event.

    Examples
    --------
    >>> plain = or_gate("top", Event("a", 0.1), Event("m", 0.2, model_mistake=True))
    >>> table = compare_designs({"plain": plain, "guarded": add_safeguard(plain, "m", Event("g", 0.1))})
    >>> table[["smallest_cut_set", "model_alone"]].values.tolist()
    [[1, True], [1, False]]
    """
    rows = {}
    for label, tree in designs.items():
        events, cut_sets = basic_events(tree), minimal_cut_sets(tree)
        singles = sorted(next(iter(s)) for s in cut_sets if len(s) == 1)
        rows[label] = {"cut_sets": len(cut_sets), "smallest_cut_set": min(len(s) for s in cut_sets),
                       "single_points": ", ".join(singles) or "-",
                       "model_alone": any(events[n].model_mistake for n in singles),
                       "probability": top_event_probability(tree)}
    return pd.DataFrame.from_dict(rows, orient="index")


def top_probability_exercise(tree) -> Exercise:
    """Exercise: the exact top-event probability of ``tree`` (independent basic events).

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Examples
    --------
    >>> exercise = top_probability_exercise(or_gate("top", Event("a", 0.1), Event("b", 0.2)))
    >>> exercise.check(0.28).passed, exercise.check(0.3).reason[:30]
    (True, 'that adds up the probabilities')
    """
    expected = top_event_probability(tree)
    ps = [e.probability for e in basic_events(tree).values()]
    mistakes = {float(sum(ps)): "that adds up the probabilities (the rare-event approximation): it counts the "
                                "trials where several events happen more than once. Use 1 - prod(1 - p) for OR.",
                float(np.prod(ps)): "that multiplies all probabilities, the rule for one AND gate; follow the "
                                    "tree's gates."}
    mistakes = {value: text for value, text in mistakes.items() if abs(value - expected) > 1e-6}
    return Exercise.number("top_event_probability", expected, relative=1e-4, share=True, mistakes=mistakes,
                           hint="an OR gate fails unless every input holds: 1 - prod(1 - p); an AND gate "
                                "multiplies.")


def single_point_exercise(tree) -> Exercise:
    """Exercise: name a basic event that causes the top event on its own (a cut set of size one).

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Examples
    --------
    >>> tree = or_gate("top", Event("a", 0.1), and_gate("g", Event("b", 0.2), Event("c", 0.3)))
    >>> exercise = single_point_exercise(tree)
    >>> exercise.check("a").passed, exercise.check("b").passed
    (True, False)
    """
    events = basic_events(tree)
    singles = [next(iter(s)) for s in minimal_cut_sets(tree) if len(s) == 1]
    if not singles:
        raise FaultTreeError("this tree has no single point of failure to ask about.")
    mistakes = {}
    for cut_set in minimal_cut_sets(tree):
        if len(cut_set) > 1:
            for n in cut_set:
                mistakes.setdefault(n, f"{n} alone is not enough: it causes the top event only together with "
                                       f"{', '.join(sorted(cut_set - {n}))} (an AND gate above it).")
    return Exercise.choice("single_point_of_failure", singles, tuple(events), mistakes=mistakes,
                           hint="find a cut set of size one: an event with only OR gates between it and the top.")


def _gate_diagnosis(kind: str, ps: tuple[float, ...]):
    p = np.array(ps, dtype=float)
    known = [(float(p.sum()), "you added the probabilities: that counts twice the trials in which several inputs "
                              "fail together (and can exceed 1)."),
             (float(1 - np.prod(p)), "1 - prod(p) is the chance that *not all* inputs fail; take 1 minus the product "
                                     "of the chances that each input holds."),
             (float(np.prod(1 - p)), "that is the chance that every input holds, the complement of what the gate "
                                     "asks.")]
    known += [(float(np.prod(p)), "you multiplied the probabilities, the rule for an AND gate; an OR gate fails when "
                                  "*any* input fails.")] if kind == "or" else [
              (float(1 - np.prod(1 - p)), "that is the rule for an OR gate; an AND gate fails only when *all* inputs "
                                          "fail together.")]

    def why(output):
        if isinstance(output, (bool, np.bool_)) or not isinstance(output, (int, float, np.number)):
            return f"your function returned {type(output).__name__}; it must return one probability."
        for value, text in known:
            if np.isclose(float(output), value, rtol=1e-9, atol=1e-15):
                return text
        return "that is not the gate's probability for independent inputs."
    return why


def gate_probability_exercise() -> Exercise:
    """Build-it exercise: ``gate_probability(kind, probabilities)`` for an ``"and"`` or ``"or"`` gate.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. Hidden gates have one to five independent inputs.

    Examples
    --------
    >>> "you added" in gate_probability_exercise().check(lambda kind, ps: sum(ps)).reason
    True
    """
    gates = [("or", (0.1, 0.2)), ("and", (0.1, 0.2)), ("or", (0.002, 0.03, 0.0005)), ("or", (0.4, 0.4, 0.4, 0.4, 0.4)),
             ("and", (0.5,)), ("and", (0.9, 0.01, 0.3))]

    def exact(kind: str, ps: tuple[float, ...]) -> float:
        p = np.array(ps, dtype=float)
        return float(np.prod(p)) if kind == "and" else float(1 - np.prod(1 - p))

    cases = [Case(f"an {kind.upper()} gate with {len(ps)} input{'s' * (len(ps) > 1)}", (kind, list(ps)),
                  lambda out, want=exact(kind, ps): isinstance(out, (int, float, np.number))
                  and not isinstance(out, (bool, np.bool_)) and bool(np.isclose(float(out), want, rtol=1e-9,
                                                                                atol=1e-15)),
                  _gate_diagnosis(kind, ps)) for kind, ps in gates]
    first = _gate_diagnosis(*gates[0])
    return Exercise.code("gate_probability", cases=cases, solution=exact, mistakes=[
        (lambda kind, ps: sum(ps), first(0.1 + 0.2)),
        (lambda kind, ps: float(np.prod(ps)), first(0.1 * 0.2)),
        (lambda kind, ps: 1 - float(np.prod(ps)), first(1 - 0.1 * 0.2))],
        hint="AND: all inputs fail, multiply; OR: not every input holds, 1 - product of (1 - p).")


def _door_designs() -> dict[str, Gate]:
    camera = event("camera_view_blocked", 0.002)
    vision = event("vision_misses_person", 0.03, model_mistake=True)
    controller = event("controller_ignores_detection", 0.0005)
    vision_only = or_gate("person_trapped", or_gate("person_not_detected", camera, vision), controller)
    curtain = add_safeguard(vision_only, "person_not_detected", event("light_curtain_misses", 0.01),
                            name="no_sensor_detects")
    return {"vision only": vision_only, "redundancy: light curtain": curtain}


def lecture_exercises(*, seed: int = 0, **_: object) -> dict[str, Exercise]:
    """The exercises of ``notebooks/03-planning-for-mistakes.ipynb``, keyed by name (its trees are fixed).

    Examples
    --------
    >>> sorted(lecture_exercises())
    ['gate_probability', 'single_point_of_failure', 'top_event_probability']
    """
    designs = _door_designs()
    built = [top_probability_exercise(designs["vision only"]),
             single_point_exercise(designs["redundancy: light curtain"]), gate_probability_exercise()]
    return {exercise.name: exercise for exercise in built}
