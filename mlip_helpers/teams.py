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

__all__ = ["NOTEBOOK", "ROLES", "SKILLS", "communication_links", "congruence", "congruence_exercise",
           "coordination_exercise", "coordination_requirements", "lecture_exercises", "links_exercise",
           "simulate_handoffs", "simulate_integration", "simulate_organisation", "skill_profiles", "team_output",
           "teamed_links"]

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


ROLES = ("software engineer", "data engineer", "data scientist", "applied scientist", "research scientist")
"""The lecture's continuum of roles (after Orban, 2016), in order; role k sits at position k/4 on a 0-1 scale."""
SKILLS = {"software engineering": 0.0, "data engineering": 0.3, "statistics and modeling": 0.65, "ML research": 1.0}
"""Each skill and the position on the continuum where it is strongest (the planted centres)."""


def skill_profiles(n_people: int, *, width: float = 0.35, noise: float = 0.3, seed: int = 0) -> pd.DataFrame:
    """People drawn along the continuum of roles, with skill levels (0-3) that peak near their position.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. Each person has a planted position in 0..1
    (0: software engineer, 1: research scientist); each skill in :data:`SKILLS` has level
    ``3 exp(-((position - centre) / width)^2)`` plus noise, clipped to 0..3; the role is the nearest of
    :data:`ROLES`. Neighbouring roles share skills, the ends of the continuum hardly any.

    Examples
    --------
    >>> people = skill_profiles(400, seed=1)
    >>> list(people.columns[:2]), people["role"].nunique()
    (['position', 'role'], 5)
    """
    if isinstance(n_people, bool) or int(n_people) != n_people or n_people < 2:
        raise InputError(f"n_people must be a whole number >= 2, got {n_people!r}.", argument="n_people")
    rng = np.random.default_rng(seed)
    position = rng.uniform(0, 1, int(n_people))
    levels = {skill: np.clip(3 * np.exp(-((position - centre) / width) ** 2)
                             + rng.normal(0, noise, len(position)), 0, 3) for skill, centre in SKILLS.items()}
    role = np.array(ROLES)[np.rint(position * (len(ROLES) - 1)).astype(int)]
    return pd.DataFrame({"position": position, "role": role, **levels})


def simulate_handoffs(n_changes: int, *, shared: bool, handoffs: int = 3, wait_days: float = 2.0,
                      p_defect: float = 0.3, p_catch_handoff: float = 0.4, p_catch_shared: float = 0.8,
                      seed: int = 0) -> pd.DataFrame:
    """Model changes going to production through hand-offs between roles, or owned jointly (DevOps style).

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. A change takes 2 days of work. With hand-offs
    (``shared=False``) it passes ``handoffs`` queues (data science to data engineering to software engineering to
    operations), each waiting an exponential time with mean ``wait_days``; a defect (``p_defect``) is caught
    before release with ``p_catch_handoff``, since the receiving side does not know the model's assumptions, and
    a caught defect goes back over the wall: another round of queues. With shared ownership one team with joint
    tools and vocabulary does it all: no queues, a defect is caught with ``p_catch_shared`` and fixed in a day.
    An uncaught defect becomes a production incident. Expected incidents per change: ``p_defect (1 - p_catch)``.

    Examples
    --------
    >>> runs = {s: simulate_handoffs(4000, shared=s, seed=2) for s in (False, True)}
    >>> [round(float(runs[s]["incident"].mean()), 2) for s in (False, True)]  # 0.3*0.6, 0.3*0.2
    [0.18, 0.06]
    """
    if isinstance(n_changes, bool) or int(n_changes) != n_changes or n_changes < 1:
        raise InputError(f"n_changes must be a whole number >= 1, got {n_changes!r}.", argument="n_changes")
    rng = np.random.default_rng(seed)
    n = int(n_changes)
    defect = rng.random(n) < p_defect
    caught = defect & (rng.random(n) < (p_catch_shared if shared else p_catch_handoff))
    if shared:
        lead = 2.0 + caught * 1.0
    else:
        queues = rng.exponential(wait_days, size=(n, 2 * handoffs))
        lead = 2.0 + queues[:, :handoffs].sum(axis=1) + caught * queues[:, handoffs:].sum(axis=1)
    return pd.DataFrame({"lead_time_days": lead, "defect": defect, "caught": caught,
                         "incident": defect & ~caught})


def simulate_organisation(kind: str, *, n_weeks: int, projects: int = 3, roles: int = 4, p_project_ask: float = 0.6,
                          p_functional_ask: float = 0.4, p_disagree: float = 0.5, p_solve: float = 0.3,
                          p_same_problem: float = 0.5, p_peers_talk: Mapping[str, float] | None = None,
                          seed: int = 0) -> pd.DataFrame:
    """Weekly conflicting priorities and duplicated work in a matrix or a project organisation.

    Introduced in ``notebooks/22-interdisciplinary-teams.ipynb``. ``projects x roles`` people, one per project
    and role. In a *matrix* organisation each person answers to a project manager and a functional (role)
    manager; each asks for work in a week with ``p_project_ask`` and ``p_functional_ask``, and when both ask they
    disagree with ``p_disagree``: a conflicting priority. A *project* organisation has one manager per person, so
    no such conflicts. Each week a person solves a problem with ``p_solve``; each same-role colleague in another
    project meets the same problem with ``p_same_problem`` and reuses the solution only if they talk, which
    role peers do with probability ``p_peers_talk[kind]`` (default 0.8 in a matrix, where roles meet, and 0.1 in
    projects); otherwise the problem is solved twice.

    Examples
    --------
    >>> weeks = simulate_organisation("project", n_weeks=50)
    >>> int(weeks["conflicts"].sum()), list(weeks.columns)
    (0, ['week', 'conflicts', 'duplicated'])
    """
    if isinstance(n_weeks, bool) or int(n_weeks) != n_weeks or n_weeks < 1 or projects < 2 or roles < 1:
        raise InputError(f"need n_weeks >= 1, projects >= 2 and roles >= 1, got {n_weeks!r}, {projects!r}, "
                         f"{roles!r}.", argument="n_weeks")
    talk = {"matrix": 0.8, "project": 0.1, **(p_peers_talk or {})}
    if kind not in ("matrix", "project"):
        raise InputError(f"kind is 'matrix' or 'project', got {kind!r}.", argument="kind")
    rng = np.random.default_rng(seed)
    people = projects * roles
    both = (rng.random((n_weeks, people)) < p_project_ask) & (rng.random((n_weeks, people)) < p_functional_ask)
    conflicts = (both & (rng.random((n_weeks, people)) < p_disagree)).sum(axis=1) if kind == "matrix" else \
        np.zeros(n_weeks, dtype=int)
    solved = rng.random((n_weeks, people)) < p_solve
    meets = rng.random((n_weeks, people, projects - 1)) < p_same_problem
    reused = rng.random((n_weeks, people, projects - 1)) < talk[kind]
    duplicated = (solved[:, :, None] & meets & ~reused).sum(axis=(1, 2))
    return pd.DataFrame({"week": np.arange(1, n_weeks + 1), "conflicts": conflicts, "duplicated": duplicated})


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
