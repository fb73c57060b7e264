"""Synthetic worlds with a planted source of bias of known size.

Introduced in ``notebooks/15-responsible-ml.ipynb``. Each generator plants
one mechanism the course's lecture "Responsible ML Engineering" names
(historical bias, tainted labels, a proxy, a skewed sample, a feedback loop,
unequal base rates, a bias that appears after deployment) with exact counts
wherever possible, so that a notebook or a test can measure the effect and
compare it with the planted value. Groups are called ``"A"`` and ``"B"``;
``"B"`` is the group the bias works against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "BaseRateData", "HiringData", "PatrolHistory", "bias_source_exercise", "lecture_exercises",
           "make_base_rates", "make_decision_log", "make_hiring", "proxy_accuracy_exercise",
           "proxy_accuracy_solution", "simulate_patrols", "unhired_share_exercise"]


def _check(n_samples: int, *shares: float) -> None:
    if int(n_samples) != n_samples or n_samples < 20:
        raise InputError(f"n_samples must be a whole number of at least 20, got {n_samples!r}.",
                         argument="n_samples")
    if not all(0 <= s <= 1 for s in shares):
        raise InputError(f"shares and rates must lie between 0 and 1, got {shares}.", argument="share")


def _choose(rng: np.random.Generator, pool: np.ndarray, share: float) -> np.ndarray:
    """Exactly ``round(share * len(pool))`` members of ``pool``, drawn at random."""
    return rng.choice(pool, size=round(share * len(pool)), replace=False)


@dataclass(frozen=True, eq=False)
class HiringData:
    """Job candidates with true qualification and past hiring decisions, and the planted biases."""

    frame: pd.DataFrame
    """``group``, ``neighbourhood``, ``test_score``, ``experience``, ``qualified`` (truth), ``hired`` (label)."""
    historical_gap: float
    """How many standard deviations lower group B's test scores are (unequal starting positions)."""
    label_bias: float
    """Planted share of *qualified* B candidates whom past recruiters did not hire."""
    proxy_strength: float
    """Share of each group living in "its" neighbourhood (A: north, B: south); 0.5 means no proxy."""
    n_flipped: int
    """Exact number of qualified B candidates labelled ``hired = 0``."""

    def features(self, *, with_group: bool) -> pd.DataFrame:
        """Numeric model inputs: scores, experience, ``south`` (0/1) and, if asked, ``group_b`` (0/1)."""
        out = self.frame[["test_score", "experience"]].copy()
        out["south"] = (self.frame["neighbourhood"] == "south").astype(int)
        if with_group:
            out["group_b"] = (self.frame["group"] == "B").astype(int)
        return out


def make_hiring(*, n_samples: int = 4000, seed: int = 0, historical_gap: float = 0.0,
                label_bias: float = 0.0, proxy_strength: float = 0.5, share_b: float = 0.5) -> HiringData:
    """Generate hiring data with historical bias, tainted labels and a proxy of planted size.

    Introduced in ``notebooks/15-responsible-ml.ipynb``. A candidate is
    ``qualified`` when a noisy mix of test score and experience is positive.
    *Historical bias* lowers group B's scores by ``historical_gap`` standard
    deviations, so fewer B candidates are truly qualified. *Tainted labels*:
    exactly ``round(label_bias * k)`` of the ``k`` qualified B candidates get
    ``hired = 0``. *Proxy*: exactly ``round(proxy_strength * n_g)`` members of
    each group live in their group's neighbourhood.

    Examples
    --------
    >>> data = make_hiring(n_samples=1000, seed=1, label_bias=0.3, proxy_strength=0.9)
    >>> f = data.frame
    >>> qualified_b = f[(f["group"] == "B") & (f["qualified"] == 1)]
    >>> round(float(1 - qualified_b["hired"].mean()), 2), data.n_flipped == int((qualified_b["hired"] == 0).sum())
    (0.3, True)
    >>> float(((f["group"] == "B") == (f["neighbourhood"] == "south")).mean())
    0.9
    """
    _check(n_samples, label_bias, proxy_strength, share_b)
    rng = np.random.default_rng(seed)
    n_b = round(share_b * n_samples)
    is_b = rng.permutation(np.arange(n_samples) < n_b)
    own = np.zeros(n_samples, dtype=bool)
    for members in (np.flatnonzero(~is_b), np.flatnonzero(is_b)):
        own[_choose(rng, members, proxy_strength)] = True
    test_score = rng.normal(size=n_samples) - historical_gap * is_b
    experience = rng.normal(size=n_samples)
    qualified = 0.8 * test_score + 0.6 * experience + rng.normal(scale=0.5, size=n_samples) > 0
    pool = np.flatnonzero(qualified & is_b)
    flipped = np.zeros(n_samples, dtype=bool)
    flipped[_choose(rng, pool, label_bias)] = True
    frame = pd.DataFrame({
        "group": np.where(is_b, "B", "A"), "neighbourhood": np.where(is_b == own, "south", "north"),
        "test_score": test_score.round(3), "experience": experience.round(3),
        "qualified": qualified.astype(int), "hired": (qualified & ~flipped).astype(int)})
    return HiringData(frame, historical_gap, label_bias, proxy_strength, int(flipped.sum()))


@dataclass(frozen=True, eq=False)
class PatrolHistory:
    """Rounds of patrolling two areas and the incidents found there."""

    frame: pd.DataFrame
    """Per round: ``patrol_north``, true ``incidents_*``, ``recorded_*`` and cumulative ``recorded_share_north``."""
    true_share_north: float
    """Share of all incidents that truly happen in the north (from the planted rates)."""


def simulate_patrols(*, n_rounds: int = 100, seed: int = 0, true_rates: tuple[float, float] = (10.0, 10.0),
                     patrols: tuple[float, float] = (0.5, 0.5), focus: float | None = None,
                     head_start: tuple[int, int] = (0, 0)) -> PatrolHistory:
    """Simulate crime records that depend on where the police look (skewed sample, feedback loop).

    Introduced in ``notebooks/15-responsible-ml.ipynb``. Each round the areas
    ``north`` and ``south`` have Poisson(``true_rates``) incidents; each is
    *recorded* with probability equal to the share of patrols in its area.
    With ``focus=None`` the shares stay ``patrols`` (a skewed sample); with a
    ``focus``, every round the area with more records so far (``head_start``
    counts old ones; a tie goes to the north) gets that share: a feedback loop.

    Examples
    --------
    >>> loop = simulate_patrols(n_rounds=300, seed=0, focus=0.8, head_start=(3, 0))
    >>> loop.true_share_north, round(float(loop.frame["recorded_share_north"].iloc[-1]), 1)
    (0.5, 0.8)
    """
    _check(20, *patrols, 0.5 if focus is None else focus)
    rng = np.random.default_rng(seed)
    records, rows = np.asarray(head_start, dtype=float), []
    for step in range(n_rounds):
        share = patrols[0]
        if focus is not None:
            share = focus if records[0] >= records[1] else 1 - focus
        incidents = rng.poisson(true_rates)
        found = rng.binomial(incidents, [share, 1 - share])
        records = records + found
        rows.append((step, share, *incidents, *found, records[0] / max(records.sum(), 1)))
    columns = ["round", "patrol_north", "incidents_north", "incidents_south", "recorded_north",
               "recorded_south", "recorded_share_north"]
    return PatrolHistory(pd.DataFrame(rows, columns=columns), true_rates[0] / sum(true_rates))


@dataclass(frozen=True, eq=False)
class BaseRateData:
    """Two groups whose true base rates differ by a planted amount, and a risk score."""

    frame: pd.DataFrame
    """``group``, ``label`` (0/1) and ``score``, whose distribution given the label is the same in both groups."""
    base_rates: dict
    """Exact share of label 1 in each group."""


def make_base_rates(*, n_samples: int = 4000, seed: int = 0, rate_a: float = 0.5, rate_b: float = 0.3,
                    share_b: float = 0.5, separation: float = 1.5) -> BaseRateData:
    """Generate a group-blind risk score for two groups with different base rates.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. Exactly
    ``round(rate * n_g)`` members of each group have label 1; ``score`` is
    normal with mean ``separation`` for label 1 and 0 for label 0 in *both*
    groups, so one threshold gives both groups the same error rates in
    expectation while their selection rates must differ.

    Examples
    --------
    >>> data = make_base_rates(n_samples=1000, seed=0)
    >>> data.base_rates
    {'A': 0.5, 'B': 0.3}
    >>> data.frame.groupby("group")["label"].mean().round(3).to_dict()
    {'A': 0.5, 'B': 0.3}
    """
    _check(n_samples, rate_a, rate_b, share_b)
    rng = np.random.default_rng(seed)
    is_b = rng.permutation(np.arange(n_samples) < round(share_b * n_samples))
    label = np.zeros(n_samples, dtype=int)
    for members, rate in ((np.flatnonzero(~is_b), rate_a), (np.flatnonzero(is_b), rate_b)):
        label[_choose(rng, members, rate)] = 1
    score = separation * label + rng.normal(size=n_samples)
    frame = pd.DataFrame({"group": np.where(is_b, "B", "A"), "label": label, "score": score.round(4)})
    rates = frame.groupby("group")["label"].mean()
    return BaseRateData(frame, {g: float(r) for g, r in rates.items()})


def make_decision_log(*, n_weeks: int = 20, per_week: int = 2000, seed: int = 0, shift_week: int = 12,
                      shift: float = 0.2, approval_rate: float = 0.6, share_b: float = 0.4) -> pd.DataFrame:
    """Generate a deployed model's weekly decisions; from ``shift_week`` on, group B loses ``shift``.

    Introduced in ``notebooks/17-building-fair-products.ipynb``. Before
    ``shift_week`` both groups are approved with probability
    ``approval_rate``; from then on group B with ``approval_rate - shift``
    (say, an upstream data source changed). Columns: ``week``, ``group``,
    ``approved``.

    Examples
    --------
    >>> log = make_decision_log(seed=0)
    >>> rates = log.groupby([log["week"] >= 12, "group"])["approved"].mean().round(1)
    >>> rates.to_dict()
    {(False, 'A'): 0.6, (False, 'B'): 0.6, (True, 'A'): 0.6, (True, 'B'): 0.4}
    """
    _check(per_week * n_weeks, share_b, approval_rate, approval_rate - shift)
    rng = np.random.default_rng(seed)
    week = np.repeat(np.arange(n_weeks), per_week)
    is_b = rng.random(len(week)) < share_b
    p = np.where(is_b & (week >= shift_week), approval_rate - shift, approval_rate)
    return pd.DataFrame({"week": week, "group": np.where(is_b, "B", "A"),
                         "approved": (rng.random(len(week)) < p).astype(int)})


def unhired_share_exercise(*, data: HiringData) -> Exercise:
    """The ``unhired_share`` exercise of ``notebooks/15-responsible-ml.ipynb``, from its data.

    Examples
    --------
    >>> data = make_hiring(n_samples=200, seed=0, label_bias=0.3)
    >>> f = data.frame
    >>> left_out = int(((f["group"] == "B") & (f["qualified"] == 1) & (f["hired"] == 0)).sum())
    >>> unhired_share_exercise(data=data).check(left_out).passed
    True
    """
    f = data.frame
    b, q = f["group"] == "B", f["qualified"] == 1
    truth = int((b & q & (f["hired"] == 0)).sum())
    mistakes = {int((b & (f["hired"] == 0)).sum()): "that counts all B candidates with hired == 0, also the "
                "unqualified ones whom nobody should hire; keep only rows with qualified == 1.",
                int((b & q & (f["hired"] == 1)).sum()): "that counts the qualified B candidates who *were* hired; "
                "the question asks for those left out.",
                int((q & (f["hired"] == 0)).sum()): "that counts qualified candidates of both groups; keep only "
                "group B."}
    return Exercise.count("unhired_share", truth, mistakes={k: v for k, v in mistakes.items() if k != truth},
                          hint="select the qualified candidates of group B, then count those whose label says not "
                               "hired.")


def bias_source_exercise() -> Exercise:
    """The ``bias_source`` exercise of ``notebooks/15-responsible-ml.ipynb``, from its data.

    Examples
    --------
    >>> bias_source_exercise().check("tainted labels").passed
    True
    """
    return Exercise.choice("bias_source", "tainted labels", {
        "historical bias": "historical bias is an accurate record of an unequal world; here the record itself is "
                           "wrong: the same CV got different labels for different names.",
        "tainted labels": "the label is a human decision, and the experiment shows that it depends on the name.",
        "skewed sample": "the résumés were sent at random, so who is in the data is not skewed; the human "
                         "decisions recorded as labels are.",
        "proxy": "a proxy is a *feature* that stands in for the group; the problem here sits in the *label*, the "
                 "callback, which people assigned.",
        "feedback loop": "a feedback loop needs the model's own decisions to shape its next training data; here "
                         "the harm is already in the data before any model exists.",
    }, hint="what part of a training example did people produce here: a feature, the sample, or the label?")


# --- build-it exercise of notebook 15: how well a feature reveals the protected group -----------------------------

def proxy_accuracy_solution(frame: pd.DataFrame, feature: str, protected: str) -> float:
    """Worked solution: the share guessed right when each value of ``feature`` guesses its most common group.

    Introduced in ``notebooks/15-responsible-ml.ipynb``. 1.0 is a perfect
    proxy; the share of the largest group is what a useless feature scores.

    Examples
    --------
    >>> f = pd.DataFrame({"area": ["n", "n", "s", "s"], "group": ["A", "A", "B", "A"]})
    >>> proxy_accuracy_solution(f, "area", "group")
    0.75
    """
    counts = frame.groupby([feature, protected]).size()
    return float(counts.groupby(level=0).max().sum() / len(frame))


def _proxy_frames() -> list[tuple[str, pd.DataFrame, str, str]]:
    rng = np.random.default_rng(12)
    n = 400
    group = np.where(rng.random(n) < 0.4, "B", "A")
    names = np.where(group == "B", rng.choice(["Lakisha", "Jamal", "Tamika"], n), rng.choice(["Emily", "Greg"], n))
    south = np.where(rng.random(n) < 0.7, group == "A", group == "B")  # here the *north* is mostly B
    club = rng.choice(["chess", "sailing", "choir"], n)
    hobby = np.where((group == "A") & (rng.random(n) < 0.9), "sailing", club)
    minority = np.where(rng.random(n) < 0.1, "B", "A")
    return [
        ("a first name, a perfect proxy", pd.DataFrame({"firstname": names, "race": group}), "firstname", "race"),
        ("a neighbourhood where the north is mostly B",
         pd.DataFrame({"neighbourhood": np.where(south, "south", "north"), "group": group}), "neighbourhood", "group"),
        ("a hobby with three values", pd.DataFrame({"hobby": hobby, "gender": np.where(group == "A", "m", "f")}),
         "hobby", "gender"),
        ("a feature unrelated to a small group", pd.DataFrame({"zip": rng.choice(["152", "153"], n),
                                                               "group": minority}), "zip", "group"),
    ]


def _south_is_b(frame: pd.DataFrame, feature: str, protected: str) -> float:
    return float(((frame[feature] == "south") == (frame[protected] == "B")).mean())


def _majority_everywhere(frame: pd.DataFrame, feature: str, protected: str) -> float:
    return float(frame[protected].value_counts(normalize=True).iloc[0])


_FIXED = ("your rule does not adapt to the table: let each value of the feature guess the group that is most common "
          "among the rows with that value, whatever the names of the values and groups.")
_IGNORED = ("your result does not depend on the feature: group the rows by the feature's value, guess the most common "
            "group for each value, and count the right guesses over all rows.")


def proxy_accuracy_exercise() -> Exercise:
    """Build-it: ``proxy_accuracy(frame, feature, protected)``, run on hidden tables with proxies of every strength.

    Introduced in ``notebooks/15-responsible-ml.ipynb``. The hidden tables have
    a perfect proxy, a neighbourhood where the *north* is mostly group B, a
    feature with three values, and a feature unrelated to a small group.

    Examples
    --------
    >>> proxy_accuracy_exercise().check(proxy_accuracy_solution).passed
    True
    """
    first_name, north, hobby, unrelated = _proxy_frames()
    ordered = ((unrelated, _FIXED), (first_name, _IGNORED), (north, _FIXED), (hobby, _IGNORED))
    cases = [Case(label, (frame, feature, protected),
                  lambda out, e=proxy_accuracy_solution(frame, feature, protected): abs(float(out) - e) <= 1e-9, why)
             for (label, frame, feature, protected), why in ordered]
    return Exercise.code("proxy accuracy", cases=cases, solution=proxy_accuracy_solution,
                         mistakes={_south_is_b: _IGNORED, _majority_everywhere: _IGNORED},
                         hint="frame.groupby([feature, protected]).size() counts the rows of each pair.")


NOTEBOOK = "15-responsible-ml"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def lecture_exercises(*, seed: int = 0, n_samples: int = 4000, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/15-responsible-ml.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=400))
    ['bias_source', 'proxy_accuracy', 'unhired_share']
    """
    tainted = make_hiring(n_samples=n_samples, seed=seed, label_bias=0.3)
    return {"bias_source": bias_source_exercise(), "unhired_share": unhired_share_exercise(data=tainted),
            "proxy_accuracy": proxy_accuracy_exercise()}
