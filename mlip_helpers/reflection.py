"""The future of the roles: an automated model search, a learned rule tested like code, the course by role.

Introduced in ``notebooks/23-summary.ipynb``. The closing lecture "Summary & Reflection" (Le Goues & Kaestner,
CMU, CC BY 4.0) asks whether software engineers disappear (Karpathy's "Software 2.0": code replaced by learned
components) and whether data scientists disappear (AutoML), and answers that it is an education problem:
interdisciplinary teams with mutual understanding. The functions here make each part measurable: a small AutoML
search that picks whatever scores best on the data it is given (:func:`automl_search`), a rule written as code
against the same rule learned from examples (:func:`account_rule`, :func:`learn_rule`), and the course's own
learning goals sorted by the roles that need them (:func:`learning_goals`, :func:`lectures_by_role`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mlip_helpers.errors import InputError

__all__ = ["REQUEST_TIME", "ROLE_TERMS", "account_rule", "automl_search", "learn_rule", "learning_goals",
           "lectures_by_role", "liked_movies", "random_accounts"]

REQUEST_TIME = ("user_mean", "movie_mean", "genre_match", "popularity")
"""Columns of :func:`liked_movies` that are known when a recommendation is requested."""


def liked_movies(n_samples: int, *, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Simulated recommender log: will a user like (4+ stars) a movie? With a column known only afterwards.

    Introduced in ``notebooks/23-summary.ipynb``. The planted truth: liking depends on the user's mean rating,
    the movie's mean rating and how well its genres match the user (:data:`REQUEST_TIME`; ``popularity`` has no
    effect). ``watched_to_end`` is logged *after* the user watched the movie and agrees with the label 90% of the
    time: in the historical ``train`` and ``valid`` tables it is there, but at request time (``production``) the
    movie has not been watched yet, so the pipeline fills it with 0.

    Examples
    --------
    >>> data = liked_movies(1000, seed=1)
    >>> sorted(data), int(data["production"]["watched_to_end"].sum())
    (['production', 'train', 'valid'], 0)
    """
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 30:
        raise InputError(f"n_samples must be a whole number >= 30, got {n_samples!r}.", argument="n_samples")
    rng = np.random.default_rng(seed)
    n = 3 * int(n_samples)
    frame = pd.DataFrame({"user_mean": rng.normal(3.5, 0.5, n), "movie_mean": rng.normal(3.4, 0.6, n),
                          "genre_match": rng.uniform(0, 1, n), "popularity": rng.exponential(1.0, n)})
    logit = 2.0 * (frame["user_mean"] - 3.5) + 2.5 * (frame["movie_mean"] - 3.4) + 3.0 * (frame["genre_match"] - 0.5)
    frame["liked"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    agrees = rng.random(n) < 0.9
    frame["watched_to_end"] = np.where(agrees, frame["liked"], 1 - frame["liked"])
    third = n // 3
    parts = [frame.iloc[k * third:(k + 1) * third].reset_index(drop=True) for k in range(3)]
    return {"train": parts[0], "valid": parts[1], "production": parts[2].assign(watched_to_end=0)}


_CANDIDATES = {
    "logistic regression": lambda seed: make_pipeline(StandardScaler(), LogisticRegression()),
    "decision tree, depth 3": lambda seed: DecisionTreeClassifier(max_depth=3, random_state=seed),
    "decision tree, depth 8": lambda seed: DecisionTreeClassifier(max_depth=8, random_state=seed),
    "k nearest neighbours, k=25": lambda seed: make_pipeline(StandardScaler(), KNeighborsClassifier(25)),
}


def automl_search(train: pd.DataFrame, valid: pd.DataFrame, *, target: str, features: list[str] | None = None,
                  seed: int = 0) -> pd.DataFrame:
    """A tiny AutoML: fit every candidate model on ``train``, rank them by accuracy on ``valid``.

    Introduced in ``notebooks/23-summary.ipynb``. It uses every column but ``target`` unless ``features`` says
    otherwise: like real AutoML tools, it optimises the metric on the data it is given and cannot know which
    columns exist at request time. Returns one row per candidate (best first) with validation accuracy, fit time
    and prediction time per 1,000 rows, and the fitted models in ``.attrs["models"]``.

    Examples
    --------
    >>> data = liked_movies(300, seed=0)
    >>> board = automl_search(data["train"], data["valid"], target="liked")
    >>> list(board.columns), len(board)
    (['validation accuracy', 'fit ms', 'predict ms per 1000'], 4)
    """
    if target not in train.columns:
        raise InputError(f"no column {target!r} in train.", argument="target")
    columns = list(features) if features is not None else [c for c in train.columns if c != target]
    missing = sorted(set(columns + [target]) - set(valid.columns) | set(columns) - set(train.columns))
    if missing:
        raise InputError(f"columns {missing} are missing from train or valid.", argument="features")
    rows, models = {}, {}
    for name, build in _CANDIDATES.items():
        model = build(seed)
        start = time.perf_counter()
        model.fit(train[columns], train[target])
        fitted = time.perf_counter() - start
        start = time.perf_counter()
        predicted = model.predict(valid[columns])
        per_thousand = (time.perf_counter() - start) * 1000 / len(valid) * 1000
        rows[name] = {"validation accuracy": float((predicted == valid[target]).mean()), "fit ms": fitted * 1000,
                      "predict ms per 1000": per_thousand}
        models[name] = model
    board = pd.DataFrame(rows).T.sort_values("validation accuracy", ascending=False)
    board.attrs["models"], board.attrs["features"] = models, columns
    return board


def account_rule(age_days: np.ndarray, n_ratings: np.ndarray) -> np.ndarray:
    """Software 1.0: an account's ratings count towards public lists once it is 30 days old and has rated 5 movies.

    Introduced in ``notebooks/23-summary.ipynb`` (a defence against the shilling attack of the same notebook).

    Examples
    --------
    >>> account_rule(np.array([29.9, 30.0, 400.0]), np.array([50, 5, 4])).tolist()
    [False, True, False]
    """
    return (np.asarray(age_days) >= 30) & (np.asarray(n_ratings) >= 5)


def random_accounts(n: int, *, seed: int = 0) -> pd.DataFrame:
    """``n`` accounts with an age in days (0-120, continuous) and a number of ratings (0-20).

    Introduced in ``notebooks/23-summary.ipynb``.

    Examples
    --------
    >>> list(random_accounts(3).columns)
    ['age_days', 'n_ratings']
    """
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age_days": rng.uniform(0, 120, n), "n_ratings": rng.integers(0, 21, n)})


def learn_rule(n_examples: int, *, label_noise: float = 0.05, seed: int = 0) -> DecisionTreeClassifier:
    """Software 2.0: the same rule learned by a decision tree from ``n_examples`` labelled accounts.

    Introduced in ``notebooks/23-summary.ipynb``. Moderators labelled each example by the rule, and a share
    ``label_noise`` of their labels is wrong; nobody wrote the thresholds down for the model.

    Examples
    --------
    >>> tree = learn_rule(2000, seed=1)
    >>> tree.predict(pd.DataFrame({"age_days": [100.0, 2.0], "n_ratings": [15, 1]})).tolist()
    [True, False]
    """
    if not 0 <= label_noise < 0.5:
        raise InputError(f"label_noise must be in [0, 0.5), got {label_noise!r}.", argument="label_noise")
    accounts = random_accounts(int(n_examples), seed=seed)
    labels = account_rule(accounts["age_days"], accounts["n_ratings"])
    flip = np.random.default_rng(seed + 1).random(len(labels)) < label_noise
    return DecisionTreeClassifier(max_depth=3, min_samples_leaf=10, random_state=seed).fit(accounts, labels ^ flip)


ROLE_TERMS: dict[str, tuple[str, ...]] = {
    "data scientist": ("model", "accuracy", "metric", "train", "feature", "label", "slice", "explain", "predict",
                       "evaluat", "learn", "data"),
    "software engineer": ("system", "architect", "deploy", "test", "pipeline", "infrastructure", "monitor",
                          "version", "scal", "code", "operat", "serv", "api", "latency"),
    "product and policy": ("user", "requirement", "stakeholder", "harm", "risk", "safety", "fair", "ethic", "law",
                           "privacy", "team", "process", "goal", "trust", "accountab", "transparen", "security"),
}
"""Words that mark a learning goal as the business of a role (a crude, stated vocabulary, matched as stems)."""

_GOAL = re.compile(r"^\s*\d+\.\s+(.*?)(?=^\s*\d+\.|\Z)", re.MULTILINE | re.DOTALL)


def learning_goals(folder: str | Path | None = None) -> pd.DataFrame:
    """Every numbered learning goal in the first cell of each lecture notebook in ``folder``.

    Introduced in ``notebooks/23-summary.ipynb``. ``folder`` defaults to the course's ``notebooks/`` next to
    this package. Returns one row per goal: ``lecture`` (the notebook's stem) and ``goal``.

    Examples
    --------
    >>> goals = learning_goals()
    >>> list(goals.columns), bool((goals["lecture"] == "23-summary").any())
    (['lecture', 'goal'], True)
    """
    folder = Path(folder) if folder is not None else Path(__file__).resolve().parents[1] / "notebooks"
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise InputError(f"no notebooks in {folder}.", argument="folder")
    rows = []
    for path in paths:
        source = json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]
        first = source if isinstance(source, str) else "".join(source)  # nbformat allows a list of lines
        section = first.split("Learning goals", 1)[-1].split("**Exercises**", 1)[0]
        rows += [(path.stem, " ".join(goal.split())) for goal in _GOAL.findall(section)]
    return pd.DataFrame(rows, columns=["lecture", "goal"])


def lectures_by_role(goals: pd.DataFrame, terms: Mapping[str, tuple[str, ...]] = ROLE_TERMS) -> pd.DataFrame:
    """For each lecture and role, how many of the lecture's goals use the role's words.

    Introduced in ``notebooks/23-summary.ipynb``. A role needs a lecture when the count is at least 1.

    Examples
    --------
    >>> goals = pd.DataFrame({"lecture": ["a", "a", "b"],
    ...                       "goal": ["train a model", "deploy the system", "interview a user"]})
    >>> lectures_by_role(goals).to_dict("index")["a"]
    {'data scientist': 1, 'software engineer': 1, 'product and policy': 0}
    """
    if not {"lecture", "goal"} <= set(goals.columns):
        raise InputError("goals needs the columns 'lecture' and 'goal' (see learning_goals).", argument="goals")
    text = goals["goal"].str.lower()
    hits = pd.DataFrame({role: text.apply(lambda g, w=words: any(re.search(rf"\b{s}", g) for s in w))
                         for role, words in terms.items()})
    return hits.groupby(goals["lecture"]).sum().astype(int)
