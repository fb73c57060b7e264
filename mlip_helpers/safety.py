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

from mlip_helpers.checker import Exercise
from mlip_helpers.errors import UNKNOWN_EXERCISE, ExerciseError, InputError

__all__ = ["Claim", "GuardOutcome", "Guardrail", "exercise", "hill_climb", "robustness_radius",
           "sampled_robustness"]

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


def _nonrobust_count(radius: Any, epsilon: float, sampled_robust: Any) -> Exercise:
    radius, found = np.asarray(radius), ~np.asarray(sampled_robust, dtype=bool)
    fragile = radius <= epsilon
    return Exercise.number("nonrobust_count", int(fragile.sum()), tolerance=0, mistakes={
        float(found.sum()): "That is what random testing found. Sampling only refutes robustness: it missed "
                            "predictions that a worst-case perturbation flips. Use the exact radius.",
        float(fragile.mean()): "That is a share; the exercise asks for the number of test patients.",
        float((~fragile).sum()): "That counts the robust predictions; count those that are not.",
    }, hint="A prediction is not robust at epsilon when its radius is at most epsilon.")


def _hazard_count(commands: Any, limit: float) -> Exercise:
    commands = np.asarray(commands, dtype=float)
    hazardous = ~(commands <= limit)  # NaN and infinities count as hazardous
    return Exercise.number("hazard_count", int(hazardous.sum()), tolerance=0, mistakes={
        0.0: "Zero is the count *after* the guardrail. The question is about the model's own commands.",
        float(hazardous.mean()): "That is a share; the exercise asks for the number of toasts.",
    }, hint=f"Count the model's commands above {limit:g} seconds.")


def _best_level(true_reward: Callable[[np.ndarray], np.ndarray], proxy_reward: Callable[[np.ndarray], np.ndarray],
                reached: float) -> Exercise:
    grid = np.linspace(0, 1, 10_001)
    best, proxy_best = float(grid[np.argmax(true_reward(grid))]), float(grid[np.argmax(proxy_reward(grid))])
    mistakes = {proxy_best: "That level maximizes clicks, the proxy. The question is about satisfaction.",
                float(reached): "That is where the optimizer ended up, chasing clicks."}
    return Exercise.number("best_level", best, tolerance=0.01, mistakes=mistakes,
                           hint="Evaluate the true reward on a fine grid of levels and take the argmax.")


_EXERCISES = {"nonrobust_count": _nonrobust_count, "hazard_count": _hazard_count, "best_level": _best_level}


def exercise(name: str, **data: Any) -> Exercise:
    """Build one of the exercises of ``notebooks/20-safety.ipynb`` from the notebook's data.

    Introduced in ``notebooks/20-safety.ipynb``. Pass the result to
    :func:`mlip_helpers.check`.

    Examples
    --------
    >>> ex = exercise("hazard_count", commands=[100.0, 900.0, float("nan")], limit=240)
    >>> ex.check(2).passed, ex.check(0).reason[:27]
    (True, 'Zero is the count *after* t')
    """
    if name not in _EXERCISES:
        raise ExerciseError(UNKNOWN_EXERCISE.format(name=name, known=sorted(_EXERCISES)), name=name)
    return _EXERCISES[name](**data)
