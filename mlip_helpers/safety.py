"""Safety: robustness in a bounded neighbourhood, guardrails outside the model, reward hacking, assurance cases.

Introduced in ``notebooks/20-safety.ipynb``. The lecture "Safety" (Le Goues &
Kaestner, CMU, CC BY 4.0): every useful model has a decision boundary, and
predictions near it are not (and should not be) robust; safety is a property
of the system, so a guardrail outside the model ("a simple code check for max
toasting time", a thermal fuse) can hold whatever the model does; an optimizer
pointed at a proxy reward finds the proxy's loopholes; and an assurance case
argues, with evidence, why a system is safe enough.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "TOAST_SENSORS", "Claim", "GuardOutcome", "Guardrail", "best_level_exercise",
           "guard_exercise", "guard_solution", "hazard_count_exercise", "hill_climb", "lecture_exercises",
           "make_toasts", "nonrobust_count_exercise", "robustness_radius", "sampled_robustness"]

_DUAL = {"inf": 1, "2": 2, "1": np.inf}


def robustness_radius(coef: Any, intercept: float, X: Any, *, norm: Literal["inf", "2", "1"] = "inf") -> np.ndarray:
    """Exact distance from each row of ``X`` to the decision boundary of a linear model ``coef . x + intercept``.

    Introduced in ``notebooks/20-safety.ipynb``. A prediction is robust within
    a ball of radius ``epsilon`` exactly when its radius exceeds ``epsilon``.
    The distance in a norm is ``|coef . x + intercept|`` divided by the *dual*
    norm of ``coef`` (L1 for an L-infinity ball, L2 for an L2 ball).

    Examples
    --------
    >>> robustness_radius([1.0, 1.0], -1.0, [[1.0, 1.0], [0.5, 0.5]]).tolist()
    [0.5, 0.0]
    >>> robustness_radius([3.0, 4.0], 0.0, [[1.0, 1.0]], norm="2").tolist()
    [1.4]
    """
    if str(norm) not in _DUAL:
        raise InputError(f"norm must be 'inf', '2' or '1', got {norm!r}.", argument="norm")
    w = np.ravel(np.asarray(coef, dtype=float))
    margin = np.asarray(X, dtype=float) @ w + intercept
    return np.abs(margin) / np.linalg.norm(w, ord=_DUAL[str(norm)])


def sampled_robustness(predict: Callable[[np.ndarray], Any], X: Any, epsilon: float, *, n_trials: int = 100,
                       norm: Literal["inf", "2"] = "inf", seed: int = 0) -> np.ndarray:
    """Robustness by testing: True where no random perturbation of size <= ``epsilon`` changed the prediction.

    Introduced in ``notebooks/20-safety.ipynb``. Sampling can only *refute*
    robustness: a True here means "no counterexample found", not "robust".
    L-infinity perturbations are uniform in the box, L2 ones uniform in the ball.

    Examples
    --------
    >>> predict = lambda X: (np.asarray(X)[:, 0] > 0).astype(int)
    >>> sampled_robustness(predict, [[5.0], [0.01]], 0.1).tolist()
    [True, False]
    """
    X = np.asarray(X, dtype=float)
    rng = np.random.default_rng(seed)
    before = np.asarray(predict(X))
    robust = np.ones(len(X), dtype=bool)
    for _ in range(n_trials):
        if norm == "inf":
            delta = rng.uniform(-epsilon, epsilon, size=X.shape)
        elif norm == "2":
            direction = rng.normal(size=X.shape)
            direction /= np.linalg.norm(direction, axis=1, keepdims=True)
            delta = direction * epsilon * rng.random((len(X), 1)) ** (1 / X.shape[1])
        else:
            raise InputError(f"norm must be 'inf' or '2', got {norm!r}.", argument="norm")
        robust &= np.asarray(predict(X + delta)) == before
    return robust


@dataclass(frozen=True)
class GuardOutcome:
    """What a guardrail let through and where it stepped in."""

    values: np.ndarray
    """The values after the guardrail: always within its bounds."""
    intervened: np.ndarray
    """True where the guardrail changed the model's value."""


@dataclass(frozen=True)
class Guardrail:
    """A plain rule outside the model: clamp outputs to [lower, upper]; replace non-numbers by ``fallback``.

    Introduced in ``notebooks/20-safety.ipynb``. It holds whatever the model
    does, because it does not depend on the model at all.

    Examples
    --------
    >>> cap = Guardrail(lower=0.0, upper=240.0, fallback=0.0)
    >>> outcome = cap([90.0, 1e6, float("nan"), -3.0])
    >>> outcome.values.tolist(), outcome.intervened.tolist()
    ([90.0, 240.0, 0.0, 0.0], [False, True, True, True])
    """

    lower: float = -np.inf
    """Smallest value allowed through."""
    upper: float = np.inf
    """Largest value allowed through."""
    fallback: float = 0.0
    """Safe value used when the model returns NaN or an infinity (e.g. "do not toast")."""

    def __post_init__(self) -> None:
        if not self.lower <= self.fallback <= self.upper:
            raise InputError(f"need lower <= fallback <= upper, got {self.lower}, {self.fallback}, {self.upper}.",
                             argument="fallback")

    def __call__(self, values: Any) -> GuardOutcome:
        raw = np.asarray(values, dtype=float)
        safe = np.where(np.isfinite(raw), np.clip(raw, self.lower, self.upper), self.fallback)
        return GuardOutcome(safe, ~np.isfinite(raw) | (safe != raw))

    def wrap(self, predict: Callable[[Any], Any]) -> Callable[[Any], np.ndarray]:
        """A predict function whose every output has passed this guardrail."""
        return lambda X: self(predict(X)).values


def hill_climb(reward: Callable[[float], float], start: float, *, step: float = 0.05, n_steps: int = 50,
               bounds: tuple[float, float] = (0.0, 1.0), seed: int = 0) -> np.ndarray:
    """Optimize one policy parameter by random local search on ``reward``; return every parameter visited.

    Introduced in ``notebooks/20-safety.ipynb``. Each step tries a random
    neighbour within ``step`` and keeps it if the (possibly noisy) reward is
    higher: a stand-in for any optimizer that only sees the reward it is given.

    Examples
    --------
    >>> path = hill_climb(lambda x: -(x - 0.7) ** 2, 0.1, step=0.1, n_steps=200)
    >>> round(float(path[-1]), 1)
    0.7
    """
    rng = np.random.default_rng(seed)
    current, best = float(start), reward(start)
    path = [current]
    for _ in range(n_steps):
        candidate = float(np.clip(current + rng.uniform(-step, step), *bounds))
        value = reward(candidate)
        if value > best:
            current, best = candidate, value
        path.append(current)
    return np.asarray(path)


@dataclass(frozen=True)
class Claim:
    """A node of an assurance case: a claim supported by evidence or by sub-claims.

    Introduced in ``notebooks/20-safety.ipynb``. A leaf holds when its
    ``evidence`` is True. An inner claim holds when *all* its sub-claims hold
    (``strategy="all"``) or, for independent alternative arguments, *any* one
    does (``strategy="any"``).

    Examples
    --------
    >>> case = Claim("toaster does not start a fire", subclaims=(
    ...     Claim("model predicts sensible times", evidence=False),
    ...     Claim("code caps time at 4 minutes", evidence=True)), strategy="any")
    >>> case.holds
    True
    >>> print(case.render())
    ✔ toaster does not start a fire  [any of]
      ✘ model predicts sensible times
      ✔ code caps time at 4 minutes
    """

    text: str
    """The claim, as a sentence."""
    evidence: bool | None = None
    """For a leaf: whether the evidence (a test, an analysis, a field trial) supports the claim."""
    subclaims: Sequence[Claim] = ()
    """For an inner claim: the claims that support it."""
    strategy: Literal["all", "any"] = "all"
    """How the sub-claims combine."""
    detail: str = ""
    """Where the evidence comes from, or a number it rests on."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "subclaims", tuple(self.subclaims))
        if (self.evidence is None) == (not self.subclaims):
            raise InputError(f"claim {self.text!r} needs either evidence or sub-claims, not both or neither.",
                             argument="evidence")
        if self.strategy not in ("all", "any"):
            raise InputError(f"strategy must be 'all' or 'any', got {self.strategy!r}.", argument="strategy")

    @property
    def holds(self) -> bool:
        """Whether the claim is supported."""
        if not self.subclaims:
            return bool(self.evidence)
        combine = all if self.strategy == "all" else any
        return combine(c.holds for c in self.subclaims)

    def render(self, indent: int = 0) -> str:
        """The case as an indented tree with a mark per claim."""
        mark = "\u2714" if self.holds else "\u2718"
        note = f"  [{self.strategy} of]" if self.subclaims else (f"  ({self.detail})" if self.detail else "")
        lines = [f"{'  ' * indent}{mark} {self.text}{note}"]
        lines += [c.render(indent + 1) for c in self.subclaims]
        return "\n".join(lines)


def nonrobust_count_exercise(radius: Any, epsilon: float, sampled_robust: Any) -> Exercise:
    """The ``nonrobust_count`` exercise of ``notebooks/20-safety.ipynb``, from its data.

    Examples
    --------
    >>> nonrobust_count_exercise([0.05, 0.1, 0.5, 0.9], 0.2, [False, True, True, True]).check(2).passed
    True
    """
    radius, found = np.asarray(radius), ~np.asarray(sampled_robust, dtype=bool)
    fragile = radius <= epsilon
    expected = int(fragile.sum())
    mistakes = {int(found.sum()): "That is what random testing found. Sampling only refutes robustness: it missed "
                                  "predictions that a worst-case perturbation flips. Use the exact radius.",
                int((~fragile).sum()): "That counts the robust predictions; count those that are not."}
    return Exercise.count("nonrobust_count", expected, mistakes={k: v for k, v in mistakes.items() if k != expected},
                          hint="A prediction is not robust at epsilon when its radius is at most epsilon.")


def hazard_count_exercise(commands: Any, limit: float) -> Exercise:
    """The ``hazard_count`` exercise of ``notebooks/20-safety.ipynb``, from its data.

    Examples
    --------
    >>> hazard_count_exercise([100.0, 900.0, float("nan")], 240).check(2).passed
    True
    """
    commands = np.asarray(commands, dtype=float)
    hazardous = ~(commands <= limit)  # NaN and infinities count as hazardous
    expected = int(hazardous.sum())
    mistakes = {0: "Zero is the count *after* the guardrail. The question is about the model's own commands.",
                int((commands > limit).sum()): "Commands that are not numbers (NaN) are hazardous too: a toaster "
                                               "cannot know when to stop."}
    return Exercise.count("hazard_count", expected, mistakes={k: v for k, v in mistakes.items() if k != expected},
                          hint="Count the model's commands above the limit.")


def best_level_exercise(true_reward: Callable[[np.ndarray], np.ndarray],
                        proxy_reward: Callable[[np.ndarray], np.ndarray],
                        reached: float) -> Exercise:
    """The ``best_level`` exercise of ``notebooks/20-safety.ipynb``, from its data.

    Examples
    --------
    >>> best_level_exercise(lambda s: s - s**2, lambda s: s, reached=0.97).check(0.5).passed
    True
    """
    grid = np.linspace(0, 1, 10_001)
    best, proxy_best = float(grid[np.argmax(true_reward(grid))]), float(grid[np.argmax(proxy_reward(grid))])
    mistakes = {proxy_best: "That level maximizes clicks, the proxy. The question is about satisfaction.",
                float(reached): "That is where the optimizer ended up, chasing clicks."}
    return Exercise.number("best_level", best, tolerance=0.01, mistakes={
        k: v for k, v in mistakes.items() if abs(k - best) > 0.01},
                           hint="Evaluate the true reward on a fine grid of levels and take the argmax.")


# --- the exercises of notebook 20 ------------------------------------------------------------------------------

NOTEBOOK = "20-safety"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""
TOAST_SENSORS = ["thickness_mm", "moisture_pct", "darkness", "start_temp_c"]
"""The toaster's sensors, the inputs of its toasting-time model."""


def make_toasts(n: int, rng: np.random.Generator, frozen_share: float = 0.0, glitch_share: float = 0.0) -> pd.DataFrame:
    """Simulated toasts: sensors, the ideal toasting time ``ideal_s``, and whether the moisture sensor glitched.

    Introduced in ``notebooks/20-safety.ipynb``. The ideal time grows with
    thickness, moisture and darkness; frozen bread (-18 degrees C) needs
    longer; a glitching moisture sensor reads 999.

    Examples
    --------
    >>> make_toasts(3, np.random.default_rng(0)).columns.tolist()
    ['thickness_mm', 'moisture_pct', 'darkness', 'start_temp_c', 'ideal_s', 'glitch']
    """
    frame = pd.DataFrame({"thickness_mm": rng.uniform(8, 25, n), "moisture_pct": rng.uniform(20, 45, n),
                          "darkness": rng.integers(1, 6, n).astype(float),
                          "start_temp_c": np.where(rng.random(n) < frozen_share, -18.0, 20.0)})
    frame["ideal_s"] = (30 + 3 * frame["thickness_mm"] + 1.2 * frame["moisture_pct"] + 15 * frame["darkness"]
                        + 1.5 * (20 - frame["start_temp_c"]) + rng.normal(0, 5, n))
    frame["glitch"] = rng.random(n) < glitch_share  # the moisture sensor saturates
    frame.loc[frame["glitch"], "moisture_pct"] = 999.0
    return frame


def guard_solution(commands: Any, limit: float) -> np.ndarray:
    """Worked solution: clamp every command to [0, limit]; anything that is not a finite number becomes 0.

    Introduced in ``notebooks/20-safety.ipynb``.

    Examples
    --------
    >>> guard_solution([90.0, 1e6, float("nan"), -3.0], 240.0).tolist()
    [90.0, 240.0, 0.0, 0.0]
    """
    raw = np.asarray(commands, dtype=float)
    return np.where(np.isfinite(raw), np.clip(raw, 0.0, limit), 0.0)


def _clip_only(commands: Any, limit: float) -> np.ndarray:
    return np.clip(np.asarray(commands, dtype=float), 0.0, limit)


def _cap_only(commands: Any, limit: float) -> np.ndarray:
    return np.where(np.asarray(commands, dtype=float) > limit, limit, commands)


def _safe(limit: float) -> Callable[[Any], bool]:
    def accept(out: Any) -> bool:
        values = np.asarray(out, dtype=float)
        return bool(values.ndim == 1 and np.all(np.isfinite(values)) and np.all((values >= 0) & (values <= limit)))
    return accept


def _unchanged(commands: np.ndarray) -> Callable[[Any], bool]:
    return lambda out: bool(np.allclose(np.asarray(out, dtype=float), commands))


_NOT_NUMBERS = ("this model returns NaN, infinities and negative times, and some of your outputs are not a time "
                "between 0 and the limit: a comparison with NaN is always False, so clip alone lets NaN through. "
                "Replace what is not a finite number by a safe value.")
_TOO_LONG = "this model asks for absurdly long times, and some of your outputs still exceed the limit."
_TOUCHED = ("every command of this model is already safe, yet your guardrail changed some: a guardrail should step "
            "in only where the command is unsafe.")


def guard_exercise(limit: float = 240.0) -> Exercise:
    """Build-it: a guardrail ``guard(commands, limit)`` checked against three hidden models' commands.

    Introduced in ``notebooks/20-safety.ipynb``: a sensible model (whose safe
    commands must pass unchanged), a broken one (NaN, infinities, negative
    times) and an adversarial one (a million seconds).

    Examples
    --------
    >>> guard_exercise().check(guard_solution).passed
    True
    """
    rng = np.random.default_rng(20)
    sensible = rng.uniform(60, limit - 20, 200)
    broken = rng.normal(0, 5000, 200)
    broken[::7], broken[3::11], broken[5::13] = np.nan, np.inf, -np.inf
    adversarial = np.full(200, 1e6)
    cases = [Case("a sensible model", (sensible, limit), _unchanged(sensible), _TOUCHED),
             Case("an adversarial model", (adversarial, limit), _safe(limit), _TOO_LONG),
             Case("a broken model", (broken, limit), _safe(limit), _NOT_NUMBERS)]
    return Exercise.code("guardrail", cases=cases, solution=guard_solution,
                         mistakes={_clip_only: _NOT_NUMBERS, _cap_only: _NOT_NUMBERS},
                         hint="np.isfinite tells numbers from NaN and infinities; np.clip bounds the rest.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 2000, epsilon: float = 0.2, n_trials: int = 200,
                      **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/20-safety.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=300, n_trials=20))
    ['best_level', 'guard', 'hazard_count', 'nonrobust_count']
    """
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from mlip_helpers.datasets import load_sklearn

    cancer = load_sklearn("breast_cancer")
    X, y = cancer.drop(columns="target"), (cancer["target"] == "malignant").astype(int)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    model = LogisticRegression(max_iter=1000).fit(Z_train, y_train)
    radius = robustness_radius(model.coef_[0], model.intercept_[0], Z_test, norm="inf")
    sampled = sampled_robustness(model.predict, Z_test, epsilon, n_trials=n_trials, seed=seed)
    rng = np.random.default_rng(seed)
    lab = make_toasts(500, rng)
    toast_model = LinearRegression().fit(lab[TOAST_SENSORS], lab["ideal_s"])
    commands = toast_model.predict(make_toasts(n_samples, rng, frozen_share=0.10, glitch_share=0.02)[TOAST_SENSORS])
    users = np.random.default_rng(seed)
    path = hill_climb(lambda level: users.binomial(10_000, 0.05 + 0.25 * level) / 10_000, start=0.1, step=0.1,
                      n_steps=60, seed=seed)
    return {"nonrobust_count": nonrobust_count_exercise(radius, epsilon, sampled),
            "hazard_count": hazard_count_exercise(commands, 240.0),
            "guard": guard_exercise(240.0),
            "best_level": best_level_exercise(lambda s: 0.5 + 0.6 * np.asarray(s) - 0.9 * np.asarray(s) ** 2,
                                      lambda s: 0.05 + 0.25 * np.asarray(s), path[-1])}
