"""A simulated streaming product: one model inside a system, goals at five layers, a feedback loop.

Introduced in ``notebooks/01-introduction.ipynb``. The lecture "From Models to
Systems" (Le Goues & Kaestner, CMU, CC BY 4.0) separates organizational
objectives, leading indicators, system goals, user outcomes and model
properties. Here all five are measured on one simulated product, a streaming
service's "recommended for you" row, whose planted truth is known: every movie
has an *appeal* (how clickable its thumbnail is) and a *quality* (how much
viewers enjoy it), and the two are not the same thing.

The same lecture asks for "T-shaped people": deep in one field, broad enough
to work with the others. :func:`team_skills` and :func:`review_issues`
simulate a team reviewing a product's issues, with specialists only or with
T-shaped members, under assumptions stated in their docstrings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlip_helpers.checker import Exercise
from mlip_helpers.errors import InputError

__all__ = ["AREAS", "LAYERS", "Catalog", "ProductRun", "ctr_exercise", "goal_measures", "layers_exercise",
           "make_catalog", "pair_features", "review_issues", "simulate_product", "team_skills"]

LAYERS = ("organizational", "leading indicator", "system", "user", "model")
"""The lecture's five layers of success measures, from the organization down to the model."""

Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True, eq=False)
class Catalog:
    """Movies and viewers of the simulated service, with the truth planted in them."""

    appeal: np.ndarray
    """Per movie: how tempting the thumbnail and title are (drives clicks, not enjoyment)."""
    quality: np.ndarray
    """Per movie: how much viewers enjoy it (drives finishing it, not clicking)."""
    genre: np.ndarray
    """Per movie: its genre, an integer."""
    taste: np.ndarray
    """Per viewer and genre: how much the viewer likes the genre (shape users x genres)."""
    thumbnail_score: np.ndarray
    """Per movie: what a model can observe of the appeal (appeal plus noise of scale 0.3)."""
    critic_score: np.ndarray
    """Per movie: what a model can observe of the quality (quality plus noise of scale 0.3)."""

    @property
    def n_users(self) -> int:
        """Number of viewers."""
        return self.taste.shape[0]

    @property
    def n_movies(self) -> int:
        """Number of movies."""
        return len(self.appeal)

    def click_probability(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """True probability that a viewer clicks a movie shown to them."""
        return _sigmoid(-3.0 + 1.6 * self.appeal[movies] + 0.8 * self.taste[users, self.genre[movies]])

    def enjoy_probability(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """True probability that a viewer who starts a movie enjoys it and watches to the end."""
        return _sigmoid(0.2 + 1.6 * self.quality[movies] + 0.8 * self.taste[users, self.genre[movies]])

    def average_click_rate(self) -> np.ndarray:
        """Per movie: the true click probability for a viewer of average taste."""
        return _sigmoid(-3.0 + 1.6 * self.appeal)


def make_catalog(*, n_users: int = 1000, n_movies: int = 200, n_genres: int = 6, seed: int = 0) -> Catalog:
    """Generate viewers and movies whose appeal and quality are only weakly related (planted truth).

    Introduced in ``notebooks/01-introduction.ipynb``. Appeal and quality are
    standard normal with correlation -0.3: the flashiest thumbnails tend to
    sit on somewhat worse movies.

    Examples
    --------
    >>> catalog = make_catalog(n_users=50, n_movies=20, seed=1)
    >>> catalog.n_users, catalog.n_movies, catalog.taste.shape
    (50, 20, (50, 6))
    """
    if n_users < 1 or n_movies < 10 or n_genres < 1:
        raise InputError("need at least 1 user, 10 movies and 1 genre.", argument="n_movies")
    rng = np.random.default_rng(seed)
    appeal, noise = rng.normal(size=(2, n_movies))
    quality = -0.3 * appeal + np.sqrt(1 - 0.3**2) * noise
    genre, taste = rng.integers(n_genres, size=n_movies), rng.normal(size=(n_users, n_genres))
    observed = np.array([appeal, quality]) + rng.normal(scale=0.3, size=(2, n_movies))
    return Catalog(appeal, quality, genre, taste, observed[0], observed[1])


def pair_features(catalog: Catalog, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
    """What a model can see about (viewer, movie) pairs: thumbnail score, critic score, taste for the genre.

    Introduced in ``notebooks/01-introduction.ipynb``. One row per pair and
    three columns: the movie's observed thumbnail and critic scores, and the
    viewer's taste for the movie's genre as learned from past viewing.

    Examples
    --------
    >>> catalog = make_catalog(n_users=5, n_movies=10)
    >>> pair_features(catalog, np.array([0, 1]), np.array([3, 4])).shape
    (2, 3)
    """
    return np.column_stack([catalog.thumbnail_score[movies], catalog.critic_score[movies],
                            catalog.taste[users, catalog.genre[movies]]])


@dataclass(frozen=True, eq=False)
class ProductRun:
    """What happened when the product ran with one ranking model."""

    sessions: pd.DataFrame
    """One row per session: ``user``, ``month``, ``clicked`` (bool), ``movie`` (-1 if none), ``finished``."""
    subscribed: pd.DataFrame
    """One row per user and month: ``user``, ``month``, ``renewed`` (bool) at the month's end."""


def simulate_product(catalog: Catalog, scorer: Scorer, *, months: int = 6, sessions_per_month: int = 4,
                     k: int = 3, seed: int = 0) -> ProductRun:
    """Run the service for some months: rank, show a row of ``k`` movies, viewers click, watch, renew or leave.

    Introduced in ``notebooks/01-introduction.ipynb``. ``scorer(users, movies)``
    returns one score per pair; each session shows the ``k`` best-scored
    movies. The viewer looks along the row and starts the first movie they
    click (if any), then finishes it if they enjoy it. At the end of each month
    a viewer renews with a probability that rises with finished movies and
    falls with abandoned ones; who does not renew has no more sessions.

    Examples
    --------
    >>> catalog = make_catalog(n_users=30, n_movies=20, seed=0)
    >>> run = simulate_product(catalog, lambda u, m: catalog.quality[m], months=2)
    >>> len(run.sessions) <= 30 * 2 * 4, run.subscribed["month"].unique().tolist()
    (True, [1, 2])
    """
    rng = np.random.default_rng(seed)
    active = np.arange(catalog.n_users)
    movies = np.arange(catalog.n_movies)
    sessions, subscribed = [], []
    for month in range(1, months + 1):
        scores = scorer(np.repeat(active, len(movies)), np.tile(movies, len(active))).reshape(len(active), -1)
        rows = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        finished_n, abandoned_n = np.zeros(len(active)), np.zeros(len(active))
        for _ in range(sessions_per_month):
            clicks = rng.random(rows.shape) < catalog.click_probability(active[:, None], rows)
            clicked = clicks.any(axis=1)
            movie = np.where(clicked, rows[np.arange(len(active)), clicks.argmax(axis=1)], -1)
            finished = clicked & (rng.random(len(active)) < catalog.enjoy_probability(active, np.maximum(movie, 0)))
            finished_n += finished
            abandoned_n += clicked & ~finished
            sessions.append(pd.DataFrame({"user": active, "month": month, "clicked": clicked, "movie": movie,
                                          "finished": finished}))
        renewed = rng.random(len(active)) < _sigmoid(0.5 + 1.0 * finished_n - 0.6 * abandoned_n)
        subscribed.append(pd.DataFrame({"user": active, "month": month, "renewed": renewed}))
        active = active[renewed]
    return ProductRun(pd.concat(sessions, ignore_index=True), pd.concat(subscribed, ignore_index=True))


def goal_measures(run: ProductRun, *, model_auc: float) -> pd.Series:
    """One number per layer of goals, measured on one run of the product.

    Introduced in ``notebooks/01-introduction.ipynb``.

    - organizational: share of the first month's subscribers still subscribed after the last month;
    - leading indicator: click-through rate of the row in the first month;
    - system: share of all sessions in which the row led to a movie watched to the end;
    - user: share of the movies viewers started that they enjoyed (finished) rather than abandoned;
    - model: ``model_auc``, the model's offline score (measured elsewhere, e.g. ROC AUC on held-out logs).

    Examples
    --------
    >>> sessions = pd.DataFrame({"user": [0, 1, 0, 1], "month": [1, 1, 2, 2], "clicked": [True, True, True, False],
    ...                          "movie": [3, 4, 5, -1], "finished": [True, False, True, False]})
    >>> subscribed = pd.DataFrame({"user": [0, 1, 0], "month": [1, 1, 2], "renewed": [True, True, False]})
    >>> goal_measures(ProductRun(sessions, subscribed), model_auc=0.7).round(3).tolist()
    [0.0, 1.0, 0.5, 0.667, 0.7]
    """
    s, sub = run.sessions, run.subscribed
    last = sub[sub["month"] == sub["month"].max()]
    first = s[s["month"] == s["month"].min()]
    return pd.Series({"organizational": last["renewed"].sum() / (sub["month"] == sub["month"].min()).sum(),
                      "leading indicator": first["clicked"].mean(),
                      "system": s["finished"].mean(),
                      "user": s.loc[s["clicked"], "finished"].mean(),
                      "model": float(model_auc)}, name="measure").astype(float)


LAYER_EXAMPLES = (
    ("ROC AUC of click prediction on last month's held-out logs", "model"),
    ("yearly revenue from subscriptions", "organizational"),
    ("share of viewers who agree in a survey that the row saves them time", "user"),
    ("share of sessions in which a recommended movie is watched to the end", "system"),
    ("number of viewers who open the app each day in the week after a redesign", "leading indicator"),
)
"""Five measures of the streaming product, each with the layer it belongs to (for :func:`layers_exercise`)."""


def layers_exercise() -> Exercise:
    """Exercise: name the layer of each measure in :data:`LAYER_EXAMPLES`, in order.

    Introduced in ``notebooks/01-introduction.ipynb``.

    Examples
    --------
    >>> layers_exercise().check(["model", "organizational", "user", "system", "leading indicator"]).passed
    True
    """
    expected = [layer for _, layer in LAYER_EXAMPLES]
    swapped = ["model", "leading indicator", "user", "system", "organizational"]
    user_system = ["model", "organizational", "system", "user", "leading indicator"]
    return Exercise.list("goal_layers", expected, mistakes={
        tuple(swapped): "revenue is what the organization ultimately wants (organizational); daily visitors right "
                        "after a change are a short-term *proxy* for it (leading indicator).",
        tuple(user_system): "what viewers say they get out of the product is a user outcome; whether the product "
                            "achieves what it is built for (a recommended movie watched to the end) is a system goal."},
        hint="organizational = what the company wants in the long run; leading indicator = an early proxy for it; "
             "system = what the product should achieve; user = what viewers get out of it; model = how well the "
             "model predicts.")


def ctr_exercise(run: ProductRun, *, month: int | None = None, k: int = 3) -> Exercise:
    """Exercise: the click-through rate of the row in one month (share of that month's sessions with a click).

    Introduced in ``notebooks/01-introduction.ipynb``; ``month`` defaults to the last month of the run.

    Examples
    --------
    >>> sessions = pd.DataFrame({"month": [1, 1, 2, 2], "clicked": [True, False, True, True],
    ...                          "finished": [True, False, False, True]})
    >>> exercise = ctr_exercise(ProductRun(sessions, pd.DataFrame()))
    >>> exercise.check(1.0).passed, exercise.check(0.5).reason[:26]
    (True, 'that is the rate of month ')
    """
    s = run.sessions
    month = int(s["month"].max()) if month is None else month
    chosen = s[s["month"] == month]
    expected = float(chosen["clicked"].mean())
    first = int(s["month"].min())
    candidates = [(float(s["clicked"].mean()), f"that is the rate over all months; keep only month {month}."),
                  (float(s.loc[s["month"] == first, "clicked"].mean()),
                   f"that is the rate of month {first}; the exercise asks for month {month}."),
                  (float(chosen["finished"].mean()), "that counts sessions with a finished movie, not with a click."),
                  (expected / k, "that divides by every movie of the row; count sessions with a click instead."),
                  (float(chosen["clicked"].sum()), "that is a number of sessions; divide by the sessions of the month.")]
    return Exercise.number("month_ctr", expected, tolerance=1e-3, share=True,
                           mistakes=[(v, t) for v, t in candidates if abs(v - expected) > 1e-3],
                           hint=f"select the rows of month {month}, then take the mean of the 'clicked' column.")


AREAS = ("data", "modeling", "software", "operations", "user experience", "ethics & law")
"""Areas in which a product's issues arise (the team simulation's assumption: each equally often)."""


def team_skills(kind: str, *, members: int = 4, depth: float = 0.9, breadth: float = 0.3,
                areas: tuple[str, ...] = AREAS) -> pd.DataFrame:
    """Chance that each member notices an issue in each area: ``"specialists"`` or ``"t-shaped"`` members.

    Introduced in ``notebooks/01-introduction.ipynb``. Member ``i`` is deep in area ``i`` (noticing an issue
    there with probability ``depth``). A specialist notices nothing elsewhere; a T-shaped member notices
    issues in every other area with probability ``breadth``. The team has fewer members than areas, so some
    areas have no expert at all.

    Examples
    --------
    >>> team_skills("t-shaped", members=2, depth=0.8, breadth=0.3, areas=("a", "b", "c")).to_dict("list")
    {'a': [0.8, 0.3], 'b': [0.3, 0.8], 'c': [0.3, 0.3]}
    """
    if kind not in ("specialists", "t-shaped") or not 1 <= members <= len(areas):
        raise InputError(f"kind must be 'specialists' or 't-shaped' and members between 1 and {len(areas)}; got "
                         f"{kind!r}, {members}.", argument="kind")
    if not (0 <= depth <= 1 and 0 <= breadth <= 1):
        raise InputError(f"depth and breadth are probabilities; got {depth}, {breadth}.", argument="depth")
    skills = np.full((members, len(areas)), breadth if kind == "t-shaped" else 0.0, dtype=float)
    skills[np.arange(members), np.arange(members)] = depth
    return pd.DataFrame(skills, columns=list(areas), index=[f"member {i + 1}" for i in range(members)])


def review_issues(teams: dict[str, pd.DataFrame], *, n_issues: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Share of a product's issues each team catches, per area, on the same issues and the same luck.

    Introduced in ``notebooks/01-introduction.ipynb``. Assumptions: each issue lies in one area, drawn uniformly;
    every member reviews every issue independently and notices it with their skill for its area; the team
    catches an issue if anyone notices it. All teams see the same issues and the same random draws (common random
    numbers), so a difference between teams comes from their skills, not from luck.

    Examples
    --------
    >>> teams = {k: team_skills(k) for k in ("specialists", "t-shaped")}
    >>> caught = review_issues(teams, n_issues=2000, seed=0)
    >>> float(caught.loc["user experience", "specialists"]), bool(caught.loc["all", "t-shaped"] > 0.8)
    (0.0, True)
    """
    if n_issues < 1 or not teams:
        raise InputError(f"need at least one team and one issue; got {len(teams)} teams, {n_issues} issues.",
                         argument="n_issues")
    shapes = {skills.shape for skills in teams.values()}
    if len(shapes) != 1:
        raise InputError(f"every team needs the same members and areas; got shapes {sorted(shapes)}.",
                         argument="teams")
    first = next(iter(teams.values()))
    rng = np.random.default_rng(seed)
    area = rng.integers(first.shape[1], size=n_issues)
    luck = rng.random((n_issues, first.shape[0]))
    table = {}
    for name, skills in teams.items():
        caught = (luck < skills.to_numpy()[:, area].T).any(axis=1)
        per_area = pd.Series(caught).groupby(area).mean().reindex(range(first.shape[1]))
        table[name] = list(per_area) + [caught.mean()]
    return pd.DataFrame(table, index=[*first.columns, "all"])
