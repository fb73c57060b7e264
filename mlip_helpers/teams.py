"""Interdisciplinary teams: communication links, team structures, socio-technical congruence, a simulation.

Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. The lecture
"Fostering Interdisciplinary Teams" (Le Goues & Kaestner, CMU, CC BY 4.0):
a team of n people has n(n-1)/2 possible communication links, so process
costs grow faster than the team; structure splits a project into teams, and
*congruence* asks whether the people who must coordinate (because their work
depends on each other) actually communicate (Cataldo et al., 2006).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "communication_links", "congruence", "congruence_exercise", "coordination_exercise",
           "coordination_requirements", "lecture_exercises", "links_exercise", "simulate_integration",
           "team_output", "teamed_links"]

Pair = frozenset


def communication_links(n: int) -> int:
    """Number of pairs in a team of ``n`` people: n(n-1)/2.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``.

    Examples
    --------
    >>> [communication_links(n) for n in (1, 2, 5, 10, 50)]
    [0, 1, 10, 45, 1225]
    """
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise InputError(f"a team size must be a whole number >= 0, got {n!r}.", argument="n")
    n = int(n)
    return n * (n - 1) // 2


def teamed_links(team_sizes: Sequence[int]) -> int:
    """Links when people talk only inside their team, and teams talk through one lead each.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. That is the
    sum of n(n-1)/2 over the teams plus k(k-1)/2 among the k leads.

    Examples
    --------
    >>> teamed_links([5, 5, 5, 5]), communication_links(20)
    (46, 190)
    """
    return sum(communication_links(s) for s in team_sizes) + communication_links(len(team_sizes))


def team_output(n: Any, *, productivity: float = 1.0, cost_per_link: float = 0.05) -> Any:
    """Work done per week by ``n`` people when every link costs ``cost_per_link`` of a person's week.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. A deliberately
    simple model of process cost: ``productivity * n - cost_per_link * n(n-1)/2``;
    it peaks near ``n = productivity / cost_per_link + 1/2`` and then falls.

    Examples
    --------
    >>> [round(float(team_output(n)), 2) for n in (1, 10, 20, 30, 40)]
    [1.0, 7.75, 10.5, 8.25, 1.0]
    """
    n = np.asarray(n, dtype=float)
    return productivity * n - cost_per_link * n * (n - 1) / 2


def coordination_requirements(assignment: Mapping[str, Iterable[str]],
                              dependencies: Iterable[tuple[str, str]]) -> set[frozenset]:
    """Pairs of people who need to coordinate: they work on the same or on dependent components.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. ``assignment``
    maps each person to the components they work on; ``dependencies`` lists
    pairs of components where a change to one may break the other.

    Examples
    --------
    >>> needs = coordination_requirements({"ana": ["model"], "ben": ["serving"], "cy": ["ui"]},
    ...                                   [("model", "serving")])
    >>> sorted(sorted(pair) for pair in needs)
    [['ana', 'ben']]
    """
    linked = {frozenset(d) for d in dependencies}
    owns = {person: set(parts) for person, parts in assignment.items()}
    needs = set()
    for a, b in combinations(sorted(owns), 2):
        if owns[a] & owns[b] or any(frozenset((x, y)) in linked for x in owns[a] for y in owns[b] if x != y):
            needs.add(Pair((a, b)))
    return needs


def congruence(required: Iterable[frozenset], actual: Iterable[Iterable[str]]) -> float:
    """Share of the required coordination pairs that actually communicate (1.0: fully congruent).

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``.

    Examples
    --------
    >>> congruence([frozenset("ab"), frozenset("bc")], [("a", "b"), ("a", "c")])
    0.5
    """
    required = {Pair(p) for p in required}
    if not required:
        raise InputError("no coordination is required, so congruence is undefined.", argument="required")
    return len(required & {Pair(p) for p in actual}) / len(required)


def simulate_integration(owner: Mapping[str, str], team: Mapping[str, str], dependencies: Sequence[tuple[str, str]],
                         *, weeks: int = 20, p_change: float = 0.3, p_talk_within: float = 0.9,
                         p_talk_across: float = 0.2, seed: int = 0) -> pd.DataFrame:
    """Weekly integration problems: a change that crosses a dependency breaks things unless the owners talk.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. Each week and
    each dependency (a, b), a change happens with ``p_change``; it is caught if
    the owners of a and b talk that week, which they do with ``p_talk_within``
    when in the same team and ``p_talk_across`` otherwise (the same person always
    knows). The expected number of problems per week is therefore the sum over
    dependencies of ``p_change * (1 - p_talk)``.

    Examples
    --------
    >>> owner = {"model": "ana", "serving": "ben"}
    >>> same = simulate_integration(owner, {"ana": "t1", "ben": "t1"}, [("model", "serving")],
    ...                             weeks=2000, p_change=0.5, p_talk_within=0.8)
    >>> round(float(same["problems"].mean()), 1)  # 0.5 * (1 - 0.8)
    0.1
    """
    missing = sorted({c for d in dependencies for c in d} - set(owner))
    if missing:
        raise InputError(f"components {missing} have no owner.", argument="owner")
    p_talk = np.array([1.0 if owner[a] == owner[b] else
                       p_talk_within if team[owner[a]] == team[owner[b]] else p_talk_across
                       for a, b in dependencies])
    rng = np.random.default_rng(seed)
    changed = rng.random((weeks, len(dependencies))) < p_change
    talked = rng.random((weeks, len(dependencies))) < p_talk
    return pd.DataFrame({"week": np.arange(1, weeks + 1), "changes": changed.sum(axis=1),
                         "problems": (changed & ~talked).sum(axis=1)})


def links_exercise(n: int) -> Exercise:
    """The ``links`` exercise of ``notebooks/22-interdisciplinary-teams.ipynb``, from its data.

    Examples
    --------
    >>> links_exercise(12).check(66).passed
    True
    """
    return Exercise.count("links", communication_links(n), mistakes={
        n * n: "n squared counts every person twice and includes talking to oneself.",
        n * (n - 1): "That counts each pair twice (Ana-Ben and Ben-Ana); divide by two.",
        n - 1: "That is the links of one person; the team has one link per pair of people.",
    }, hint="Count the pairs of people: each person with every other, each pair once.")


def congruence_exercise(required: Iterable[frozenset], actual: Iterable[Iterable[str]]) -> Exercise:
    """The ``congruence`` exercise of ``notebooks/22-interdisciplinary-teams.ipynb``, from its data.

    Examples
    --------
    >>> exercise = congruence_exercise({frozenset("ab"), frozenset("bc"), frozenset("cd")}, [("a", "b"), ("x", "y")])
    >>> exercise.check(1 / 3).passed
    True
    """
    required, actual = {Pair(p) for p in required}, {Pair(p) for p in actual}
    share = congruence(required, actual)
    mistakes = {len(required & actual) / len(actual): "That divides by the pairs who talk; congruence divides by "
                                                      "the pairs who *need* to coordinate.",
                float(len(required & actual)): "That is a count of pairs; congruence is a share of the required ones.",
                1 - share: "That is the share of required pairs who do *not* talk."}
    mistakes.pop(share, None)
    return Exercise.number("congruence", share, tolerance=1e-9, share=True, mistakes=mistakes,
                           hint="Of the required pairs, which share also appears among the pairs who talk?")


# --- the exercises of notebook 22 ------------------------------------------------------------------------------

NOTEBOOK = "22-interdisciplinary-teams"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def _dependent_only(assignment: Mapping[str, Iterable[str]], dependencies: Iterable[tuple[str, str]]) -> set:
    linked = {frozenset(d) for d in dependencies}
    owns = {person: set(parts) for person, parts in assignment.items()}
    return {Pair((a, b)) for a, b in combinations(sorted(owns), 2)
            if any(frozenset((x, y)) in linked for x in owns[a] for y in owns[b] if x != y)}


def _one_direction(assignment: Mapping[str, Iterable[str]], dependencies: Iterable[tuple[str, str]]) -> set:
    owns = {person: set(parts) for person, parts in assignment.items()}
    return {Pair((a, b)) for a, b in combinations(sorted(owns), 2)
            if owns[a] & owns[b] or any((x, y) in set(dependencies) for x in owns[a] for y in owns[b])}


def _pairs_accept(expected: set) -> Callable[[Any], bool]:
    def accept(out: Any) -> bool:
        pairs = {frozenset(p) for p in out}
        return all(len(p) == 2 for p in pairs) and pairs == {frozenset(p) for p in expected}
    return accept


_SHARED = "two people who work on the same component must coordinate too, not only owners of dependent components."
_DIRECTION = ("a dependency links two components whichever way it is written: (a, b) also makes the owner of b "
              "coordinate with the owner of a.")
_SELF = ("nobody needs to coordinate with themselves, and a pair is unordered: return each pair of two different "
         "people once, as a frozenset.")


def coordination_exercise() -> Exercise:
    """Build-it: ``coordination_pairs(assignment, dependencies)``, run on hidden teams and component graphs.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. The result
    is a set of pairs (frozensets of two people) who must coordinate.

    Examples
    --------
    >>> coordination_exercise().check(coordination_requirements).passed
    True
    """
    worlds = (
        ("a person who owns two dependent components", {"ana": ["model", "features"], "ben": ["app"]},
         [("features", "model"), ("app", "serving")], _SELF),
        ("dependencies written against the direction of the owners", {"ana": ["app"], "ben": ["serving"],
                                                                      "cy": ["model"]},
         [("serving", "app"), ("model", "serving")], _DIRECTION),
        ("two people on the same component", {"ana": ["model"], "ben": ["model"], "cy": ["ui"]},
         [("ui", "serving")], _SHARED),
    )
    cases = [Case(label, (assignment, dependencies),
                  _pairs_accept(coordination_requirements(assignment, dependencies)), why)
             for label, assignment, dependencies, why in worlds]
    return Exercise.code("coordination pairs", cases=cases, solution=coordination_requirements,
                         mistakes={_dependent_only: _SHARED, _one_direction: _DIRECTION},
                         hint="itertools.combinations(people, 2) gives every pair once; compare what they work on.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 0, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/22-interdisciplinary-teams.ipynb``; the team is fixed, not drawn.

    Examples
    --------
    >>> sorted(lecture_exercises())
    ['congruence', 'coordination', 'links']
    """
    people = {"ana": "data_collection", "ben": "features", "cy": "model", "dee": "labeling", "eli": "serving",
              "fay": "app", "gus": "monitoring", "hana": "privacy_review"}
    dependencies = [("data_collection", "features"), ("labeling", "model"), ("features", "model"),
                    ("model", "serving"), ("serving", "app"), ("serving", "monitoring"), ("model", "monitoring"),
                    ("data_collection", "privacy_review"), ("app", "privacy_review")]
    required = coordination_requirements({p: [c] for p, c in people.items()}, dependencies)
    by_role = {"data science": ["ben", "cy"], "engineering": ["ana", "eli", "fay", "gus"],
               "domain and law": ["dee", "hana"]}
    pairs = {frozenset((a, b)) for members in by_role.values() for a in members for b in members if a != b}
    leads = [members[0] for members in by_role.values()]
    pairs |= {frozenset((a, b)) for a in leads for b in leads if a != b}
    return {"links": links_exercise(12), "coordination": coordination_exercise(),
            "congruence": congruence_exercise(required, pairs)}
