"""Systems thinking: a feedback loop simulated, and the value of automating, prompting or organizing.

Introduced in ``notebooks/01-introduction.ipynb``. The lecture "From Models to
Systems" (Le Goues & Kaestner, CMU, CC BY 4.0) draws a feedback loop as data
that creates a model, a model that creates decisions, and decisions that
create the next data. Here the decisions are which movies a streaming
service's row shows, the data is the click log, and movies that are never
shown never get the clicks that could prove them good. The same lecture names
three ways to put a prediction in front of a user: automate, prompt, or
organize (annotate); :func:`mode_values` prices each.

The lecture "Motivation, Syllabus, and Introductions" contrasts code written
from a specification (deduction: the rule follows from the spec and can be
verified against it) with a model learned from examples (induction: the rule
fits the examples, and nothing says what it does away from them);
:func:`rating_examples`, :func:`induce_rule` and :func:`induction_table` show
both on one planted rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError
from mlip_helpers.systems import Catalog, make_catalog  # noqa: F401 - make_catalog for the examples

__all__ = ["NOTEBOOK", "RATINGS", "LoopRun", "best_movies_exercise", "choose_mode_exercise", "feedback_loop",
           "induce_rule", "induction_table", "intended_rule", "lecture_exercises", "mode_values", "plot_product",
           "rating_examples"]

NOTEBOOK = "01-introduction"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""


@dataclass(frozen=True, eq=False)
class LoopRun:
    """Rounds of a model that learns from the data its own decisions produced."""

    rounds: pd.DataFrame
    """Per round: ``distinct_shown`` movies, true click rate of the ``top`` k and of all ``shown``, the ``best``."""
    truth: np.ndarray
    """Per movie: the true click rate of an average viewer (planted)."""
    clicks: np.ndarray
    """Per movie: clicks logged over all rounds (round 0 included)."""
    shows: np.ndarray
    """Per movie: times shown over all rounds (round 0 included)."""


def feedback_loop(catalog: Catalog, *, rank_by: str = "clicks", explore: float = 0.0, rounds: int = 30,
                  k: int = 5, views_per_round: int = 2000, first_views: int = 3, seed: int = 0) -> LoopRun:
    """Learn from the click log, show the top ``k`` movies, log the new clicks, learn again; repeat.

    Introduced in ``notebooks/01-introduction.ipynb``. Round 0 shows every
    movie ``first_views`` times. In each later round the model is refit on
    everything logged so far and ranks the movies by ``rank_by``: ``"clicks"``
    (how often a movie was clicked, the "most popular" row) or ``"rate"``
    (clicks per time shown, (clicks + 1) / (shows + 2)). Each impression goes to
    one of the ``k`` top-ranked movies or, with probability ``explore``, to a
    random movie. Clicks follow the true click rate of an average viewer.

    Examples
    --------
    >>> catalog = make_catalog(n_users=10, n_movies=30, seed=0)
    >>> run = feedback_loop(catalog, rounds=5, views_per_round=200)
    >>> run.rounds["distinct_shown"].tolist()
    [5, 5, 5, 5, 5]
    """
    if rank_by not in ("clicks", "rate") or not 0 <= explore <= 1:
        raise InputError(f"rank_by must be 'clicks' or 'rate' and explore in [0, 1]; got {rank_by!r}, {explore!r}.",
                         argument="rank_by")
    rng = np.random.default_rng(seed)
    truth = catalog.average_click_rate()
    shows = np.full(catalog.n_movies, first_views)
    clicks = rng.binomial(shows, truth)
    best = np.sort(truth)[-k:].mean()
    records = []
    for r in range(1, rounds + 1):
        estimate = clicks.astype(float) if rank_by == "clicks" else (clicks + 1) / (shows + 2)
        top = np.argsort(-estimate, kind="stable")[:k]
        shown = np.where(rng.random(views_per_round) < explore, rng.integers(catalog.n_movies, size=views_per_round),
                         rng.choice(top, size=views_per_round))
        np.add.at(shows, shown, 1)
        np.add.at(clicks, shown, rng.random(views_per_round) < truth[shown])
        records.append({"round": r, "distinct_shown": len(np.unique(shown)), "top_true_ctr": truth[top].mean(),
                        "shown_true_ctr": truth[shown].mean(), "best_ctr": best})
    return LoopRun(pd.DataFrame(records), truth, clicks, shows)


def best_movies_exercise(run: LoopRun, *, top: int = 10, first_views: int = 3) -> Exercise:
    """Exercise: how many of the ``top`` truly most clickable movies were shown again after round 0?

    Introduced in ``notebooks/01-introduction.ipynb``. The answer comes from
    ``run.shows`` and the planted ``run.truth``.

    Examples
    --------
    >>> run = LoopRun(pd.DataFrame(), np.array([0.1, 0.5, 0.4]), np.array([3, 1, 0]), np.array([903, 3, 3]))
    >>> exercise = best_movies_exercise(run, top=2)
    >>> exercise.check(0).passed, exercise.check(2).reason[:30]
    (True, 'every movie was shown in the f')
    """
    best = np.argsort(-run.truth, kind="stable")[:top]
    expected = int((run.shows[best] > first_views).sum())
    mistakes = {top: "every movie was shown in the first round; count only the movies shown again afterwards.",
                int((run.shows > first_views).sum()): "that counts every movie shown after the first round; keep only "
                                                      "the best ones by their *true* click rate (run.truth)."}
    mistakes.pop(expected, None)
    return Exercise.count("best_movies_shown", expected, mistakes=mistakes,
                          hint="sort the movies by run.truth, keep the best ones the question names, and count those "
                               "that run.shows says were shown more often than in the first round.")


def mode_values(enjoyed: np.ndarray, *, gain: float = 1.0, wrong_action: float = 2.0, prompt_cost: float = 0.2,
                noticed: float = 0.3) -> pd.DataFrame:
    """Value to the viewer of acting on one suggestion by automating, prompting or organizing.

    Introduced in ``notebooks/01-introduction.ipynb``. For a suggested next
    movie that the viewer would (``enjoyed``) or would not enjoy:

    - automate (autoplay): ``gain`` if enjoyed, else ``-wrong_action`` (stopping an unwanted movie);
    - prompt ("Play it next?"): the viewer accepts exactly the good ones, each prompt costs ``prompt_cost``;
    - organize (add to the row): a share ``noticed`` of the good ones is found and enjoyed; no cost.

    Examples
    --------
    >>> mode_values(np.array([True, False])).round(2).to_dict("list")
    {'automate': [1.0, -2.0], 'prompt': [0.8, -0.2], 'organize': [0.3, 0.0]}
    """
    good = np.asarray(enjoyed, dtype=bool)
    return pd.DataFrame({"automate": np.where(good, gain, -wrong_action),
                         "prompt": np.where(good, gain, 0.0) - prompt_cost,
                         "organize": np.where(good, noticed * gain, 0.0)})


_MODES = ("automate", "prompt", "organize")
_WHY_MODE = ("your rule does not pick the mode worth most at this confidence: weigh each outcome of mode_values by "
             "its probability (p for a good pick, 1 - p for a bad one) and take the largest.")


def _best_mode(p: float, **costs: float) -> str:
    value = mode_values(np.array([True, False]), **costs).T @ np.array([p, 1 - p])
    return str(value.idxmax())


def choose_mode_exercise(**costs: float) -> Exercise:
    """Build-it exercise: ``choose_mode(p)`` returns the mode worth most for a pick that is right with probability p.

    Introduced in ``notebooks/01-introduction.ipynb``. ``costs`` are passed to :func:`mode_values`; the hidden
    cases are confidences from unlikely to near certain, some close to where the best mode changes.

    Examples
    --------
    >>> "right 10% of the time" in choose_mode_exercise().check(lambda p: "prompt").reason
    True
    """
    confidences = (0.1, 0.95, 0.6, 0.25, 0.35, 0.85, 0.93)
    cases = [Case(f"a pick that is right {p:.0%} of the time", (p,),
                  lambda out, want=_best_mode(p, **costs): isinstance(out, str) and out.strip().lower() == want,
                  _WHY_MODE) for p in confidences]

    def worked(p: float) -> str:
        value = mode_values(np.array([True, False]), **costs).T @ np.array([p, 1 - p])
        return value.idxmax()

    return Exercise.code("choose_mode", cases=cases, solution=worked, mistakes=[
        (lambda p: "prompt", _WHY_MODE), (lambda p: "automate" if p >= 0.5 else "organize", _WHY_MODE),
        (lambda p: "automate" if p >= 0.9 else "prompt", _WHY_MODE)],
        hint="mode_values(np.array([True, False])) holds each mode's value for a good and a bad pick.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 2000, n_movies: int = 200, months: int = 6,
                      **_: Any) -> dict[str, Exercise]:
    """The exercises of ``notebooks/01-introduction.ipynb`` for its parameters, keyed by name.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=300, n_movies=60, months=2))
    ['best_movies_shown', 'choose_mode', 'goal_layers', 'month_ctr']
    """
    from sklearn.linear_model import LogisticRegression

    from mlip_helpers.systems import ctr_exercise, layers_exercise, pair_features, simulate_product

    catalog = make_catalog(n_users=n_samples, n_movies=n_movies, seed=seed)
    rng = np.random.default_rng(seed)
    n_log = 10 * n_samples
    users, movies = rng.integers(catalog.n_users, size=n_log), rng.integers(catalog.n_movies, size=n_log)
    features = pair_features(catalog, users, movies)
    clicked = rng.random(n_log) < catalog.click_probability(users, movies)
    click_model = LogisticRegression().fit(features[: n_log // 2], clicked[: n_log // 2])
    run = simulate_product(catalog, lambda u, m: click_model.predict_proba(pair_features(catalog, u, m))[:, 1],
                           months=months, seed=seed)
    loop = feedback_loop(catalog, rank_by="clicks", views_per_round=n_samples, seed=seed)
    built = [layers_exercise(), ctr_exercise(run), best_movies_exercise(loop), choose_mode_exercise()]
    return {exercise.name: exercise for exercise in built}


def plot_product(ax=None):
    """Draw the streaming product: the model is one component, and its outputs come back as data.

    Introduced in ``notebooks/01-introduction.ipynb``. ML components are orange.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> "ranking model" in [t.get_text().split("\\n")[0] for t in plot_product().texts]
    True
    """
    import matplotlib.pyplot as plt

    boxes = {"viewers": (0, 1), "app\n(row of movies)": (1.6, 1), "ranking model\n(inference service)": (3.4, 1),
             "click & watch logs": (1.6, 0), "training pipeline": (3.4, 0), "billing &\nsubscriptions": (0, 0),
             "monitoring\ndashboard": (1.6, -0.9)}
    arrows = [("viewers", "app\n(row of movies)", "visit / row"),
              ("app\n(row of movies)", "ranking model\n(inference service)", "who? / 3 movies"),
              ("app\n(row of movies)", "click & watch logs", "clicks, watches"),
              ("click & watch logs", "training pipeline", "new data"),
              ("training pipeline", "ranking model\n(inference service)", "new model"),
              ("viewers", "billing &\nsubscriptions", "renew?"), ("click & watch logs", "monitoring\ndashboard", "")]
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.6))
    drawn = {}
    for name, (x, y) in boxes.items():
        ml = name.startswith(("ranking", "training"))
        drawn[name] = ax.text(x, y, name, ha="center", va="center", fontsize=8, bbox={
            "boxstyle": "round,pad=0.4", "facecolor": "#f7c99b" if ml else "#e8eef7", "edgecolor": "0.3"})
    for a, b, label in arrows:
        (x0, y0), (x1, y1) = boxes[a], boxes[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={
            "arrowstyle": "<->" if label.count("/") else "->", "color": "0.4", "shrinkA": 3, "shrinkB": 3,
            "patchA": drawn[a].get_bbox_patch(), "patchB": drawn[b].get_bbox_patch()})
        ax.text((x0 + x1) / 2 + (0.05 if x0 == x1 else 0), (y0 + y1) / 2 + (0.08 if y0 == y1 else 0), label,
                ha="left" if x0 == x1 else "center", fontsize=7, color="0.3")
    ax.set(xlim=(-0.7, 4.2), ylim=(-1.3, 1.4))
    ax.axis("off")
    return ax


RATINGS = (0, 7, 13, 16, 18)
"""Minimum viewer ages of the catalog's age ratings (the planted specification's vocabulary)."""


def intended_rule(age, min_age) -> np.ndarray:
    """The specification, written as code: a movie may be recommended only to viewers at least ``min_age`` old.

    Introduced in ``notebooks/01-introduction.ipynb`` (deductive reasoning: the rule follows from the spec).

    Examples
    --------
    >>> intended_rule([10, 10, 30], [7, 13, 18]).tolist()
    [True, False, True]
    """
    return np.asarray(age) >= np.asarray(min_age)


def rating_examples(n: int, *, youngest: int = 13, oldest: int = 80, noise: float = 0.03,
                    seed: int = 0) -> pd.DataFrame:
    """Labelled examples as a product's logs would hold them: viewers aged ``youngest`` to ``oldest`` only.

    Introduced in ``notebooks/01-introduction.ipynb``. Each row is a (viewer age, movie rating) pair labelled
    ``allowed`` by :func:`intended_rule`; a share ``noise`` of labels is flipped (mislogged), so even the
    intended rule fits the examples only "well enough". No example has a viewer younger than ``youngest``.

    Examples
    --------
    >>> ex = rating_examples(500, seed=1)
    >>> int(ex["age"].min()) >= 13, bool(0.9 < (ex["allowed"] == intended_rule(ex["age"], ex["min_age"])).mean() < 1)
    (True, True)
    """
    if n < 1 or not 0 <= youngest <= oldest or not 0 <= noise < 0.5:
        raise InputError(f"need n >= 1, 0 <= youngest <= oldest and noise in [0, 0.5); got {n}, {youngest}, {oldest}, "
                         f"{noise}.", argument="n")
    rng = np.random.default_rng(seed)
    age = rng.integers(youngest, oldest + 1, size=n)
    min_age = rng.choice(RATINGS, size=n)
    allowed = intended_rule(age, min_age) ^ (rng.random(n) < noise)
    return pd.DataFrame({"age": age, "min_age": min_age, "allowed": allowed})


def induce_rule(examples: pd.DataFrame, *, max_depth: int = 3, seed: int = 0) -> Callable[[Any, Any], np.ndarray]:
    """Induce a rule from labelled examples: a small decision tree on (age, min_age).

    Introduced in ``notebooks/01-introduction.ipynb`` (inductive reasoning: the rule is generalized from
    examples; no specification is consulted). Returns ``rule(age, min_age) -> allowed``.

    Examples
    --------
    >>> rule = induce_rule(rating_examples(1000, seed=0))
    >>> rule([40, 15], [18, 18]).tolist()
    [True, False]
    """
    from sklearn.tree import DecisionTreeClassifier

    if len(examples) == 0:
        raise InputError("examples is empty; a rule cannot be induced from no examples.", argument="examples")
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=seed)
    tree.fit(examples[["age", "min_age"]].to_numpy(), examples["allowed"].to_numpy())

    def rule(age, min_age):
        grid = np.column_stack([np.ravel(age), np.ravel(min_age)])
        return tree.predict(grid).astype(bool)

    return rule


def induction_table(rules: dict[str, Callable[[Any, Any], np.ndarray]], held_out: pd.DataFrame, *,
                    youngest: int = 13, oldest: int = 80) -> pd.DataFrame:
    """How well each rule fits the held-out examples, and how often it matches the specification on every input.

    Introduced in ``notebooks/01-introduction.ipynb``. Rows: ``fits held-out examples`` (agreement with the noisy
    labels, all a team without a spec can measure), ``matches spec, ages with examples`` and ``matches spec, younger
    viewers`` (every age and rating, checked against :func:`intended_rule`: only possible with a specification).

    Examples
    --------
    >>> table = induction_table({"spec": intended_rule}, rating_examples(400, seed=2))
    >>> float(table.loc["matches spec, younger viewers", "spec"])
    1.0
    """
    ages, mins = np.meshgrid(np.arange(0, oldest + 1), RATINGS)
    ages, mins = ages.ravel(), mins.ravel()
    truth, seen = intended_rule(ages, mins), ages >= youngest
    rows = {}
    for name, rule in rules.items():
        on_grid = rule(ages, mins) == truth
        rows[name] = {"fits held-out examples": float(np.mean(rule(held_out["age"], held_out["min_age"])
                                                              == held_out["allowed"].to_numpy())),
                      "matches spec, ages with examples": float(on_grid[seen].mean()),
                      "matches spec, younger viewers": float(on_grid[~seen].mean())}
    return pd.DataFrame(rows)
