"""Behavioural tests of a model: invariance, directional expectations, capabilities.

Introduced in ``notebooks/05-model-testing.ipynb``. These tests sidestep the
oracle problem: instead of knowing the right label of every input, they check
a *relation* that must hold (the prediction does not change when a name is
swapped; the score does not rise when a complaint is added) or use inputs
whose label is known by construction (templates). The examples follow the
lecture by Le Goues & Kaestner (CMU, CC BY 4.0) and CheckList (Ribeiro et al. 2020).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError
from mlip_helpers.textdata import expand_template

__all__ = [
    "NOTEBOOK",
    "BehaviorResult",
    "Example",
    "capability_test",
    "directional_test",
    "invariance_test",
    "lecture_exercises",
    "name_invariance_exercise",
    "slice_accuracy_exercise",
    "summarize",
    "weak_slice_exercise",
]

NOTEBOOK = "05-model-testing"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""


@dataclass(frozen=True)
class Example:
    """One tested input, with what the model said about it."""

    input: Any
    """The original input (or, for capability tests, the generated one)."""
    prediction: Any
    """The model's output for ``input``."""
    variant: Any = None
    """The perturbed input; ``None`` for capability tests."""
    variant_prediction: Any = None
    """The model's output for ``variant``."""
    expected: Any = None
    """The expected label; capability tests only."""
    failed: bool = False
    """Whether this example breaks the tested property."""


@dataclass(frozen=True)
class BehaviorResult:
    """Outcome of one behavioural test: counts, a tolerance and a few examples."""

    kind: Literal["invariance", "directional", "capability"]
    """Which kind of test produced this result."""
    name: str
    """What was tested, e.g. ``"swap name"``."""
    n_tested: int
    """Inputs actually tested."""
    n_failed: int
    """Inputs that broke the property (prediction changed, score moved the wrong way, wrong label)."""
    n_skipped: int = 0
    """Inputs the perturbation did not apply to (it returned ``None``)."""
    tolerance: float = 0.0
    """Largest failure rate that still counts as passing."""
    examples: tuple[Example, ...] = ()
    """A few examples, failing ones first."""

    @property
    def failure_rate(self) -> float:
        """Share of tested inputs that failed (for invariance: share of predictions that changed)."""
        return self.n_failed / self.n_tested if self.n_tested else 0.0

    @property
    def pass_rate(self) -> float:
        """Share of tested inputs that passed."""
        return 1.0 - self.failure_rate if self.n_tested else 0.0

    @property
    def passed(self) -> bool:
        """True when at least one input was tested and the failure rate is within tolerance."""
        return self.n_tested > 0 and self.failure_rate <= self.tolerance

    def summary(self) -> str:
        """One line: verdict, name, failures out of tested."""
        verdict = "PASS" if self.passed else "FAIL"
        what = {"invariance": "changed prediction", "directional": "moved the wrong way",
                "capability": "wrong"}[self.kind]
        skipped = f", {self.n_skipped} skipped" if self.n_skipped else ""
        return (f"{verdict} {self.kind} test {self.name!r}: {self.n_failed} of {self.n_tested} "
                f"{what} ({self.failure_rate:.1%}, tolerance {self.tolerance:.1%}{skipped})")

    def examples_frame(self) -> pd.DataFrame:
        """The examples as a DataFrame, one row each, without empty columns."""
        frame = pd.DataFrame([asdict(e) for e in self.examples],
                             columns=list(Example.__dataclass_fields__))
        return frame.dropna(axis="columns", how="all")

    def to_dict(self) -> dict[str, Any]:
        """The counts and verdict as a plain dict (one row of :func:`summarize`)."""
        return {"kind": self.kind, "name": self.name, "n_tested": self.n_tested,
                "n_failed": self.n_failed, "n_skipped": self.n_skipped,
                "failure_rate": self.failure_rate, "tolerance": self.tolerance,
                "passed": self.passed}


def _name(perturb: Callable) -> str:
    return getattr(perturb, "name", None) or getattr(perturb, "__name__", "perturbation")


def _apply(inputs: Any, perturb: Callable) -> tuple[Any, Any, np.ndarray]:
    """Return originals, variants (as the same kind of container) and the applied mask."""
    if isinstance(inputs, pd.DataFrame):
        variants = perturb(inputs.copy())
        if not isinstance(variants, pd.DataFrame) or variants.shape != inputs.shape:
            raise InputError("for a DataFrame, perturb must return a DataFrame of the same shape.",
                             argument="perturb")
        return inputs, variants, np.ones(len(inputs), dtype=bool)
    items = list(inputs)
    changed = [perturb(x) for x in items]
    mask = np.array([c is not None for c in changed], dtype=bool)
    return ([x for x, m in zip(items, mask) if m], [c for c in changed if c is not None], mask)


def _rows(data: Any) -> list:
    if isinstance(data, pd.DataFrame):
        return [row.to_dict() for _, row in data.iterrows()]
    return list(data)


def _examples(originals: Any, variants: Any, before: np.ndarray, after: np.ndarray,
              failed: np.ndarray, n_examples: int) -> tuple[Example, ...]:
    order = list(np.flatnonzero(failed)) + list(np.flatnonzero(~failed))
    chosen = order[:n_examples]
    pick = (lambda d: d.iloc[chosen]) if isinstance(originals, pd.DataFrame) else (
        lambda d: [d[i] for i in chosen])
    return tuple(Example(o, b.item() if hasattr(b, "item") else b, v,
                         a.item() if hasattr(a, "item") else a, None, bool(failed[i]))
                 for i, o, v, b, a in zip(chosen, _rows(pick(originals)), _rows(pick(variants)),
                                          before[chosen], after[chosen]))


def invariance_test(
    predict: Callable[[Any], Any], inputs: Any, perturb: Callable[[Any], Any], *,
    name: str | None = None, tolerance: float = 0.0, n_examples: int = 5,
) -> BehaviorResult:
    """Check that predictions do not change under a label-preserving perturbation.

    Introduced in ``notebooks/05-model-testing.ipynb``. ``predict`` maps a
    batch of inputs to labels (e.g. ``model.predict``). For a list of texts,
    ``perturb`` is called on each item and may return ``None`` where it does
    not apply; for a DataFrame it is called once on a copy of the frame. The
    failure rate is the share of predictions that changed.

    Examples
    --------
    >>> shout = lambda texts: [t.isupper() for t in texts]
    >>> invariance_test(shout, ["hi", "OK"], str.upper).summary()
    "FAIL invariance test 'upper': 1 of 2 changed prediction (50.0%, tolerance 0.0%)"
    """
    originals, variants, applied = _apply(inputs, perturb)
    before = np.asarray(predict(originals)) if len(originals) else np.array([])
    after = np.asarray(predict(variants)) if len(variants) else np.array([])
    failed = before != after
    return BehaviorResult("invariance", name or _name(perturb),
                          int(applied.sum()), int(failed.sum()), int((~applied).sum()), tolerance,
                          _examples(originals, variants, before, after, failed, n_examples))


def directional_test(
    score: Callable[[Any], Any], inputs: Any, perturb: Callable[[Any], Any], *,
    expect: Literal["increase", "decrease"], slack: float = 0.0, name: str | None = None,
    tolerance: float = 0.0, n_examples: int = 5,
) -> BehaviorResult:
    """Check that a score moves only in the expected direction under a perturbation.

    Introduced in ``notebooks/05-model-testing.ipynb``. ``score`` maps inputs
    to numbers (e.g. the probability of the positive class). An example fails
    when its score moves *against* ``expect`` by more than ``slack``; staying
    the same is allowed.

    Examples
    --------
    >>> length = lambda texts: [len(t) for t in texts]
    >>> directional_test(length, ["good", "fine"], lambda t: t + "!", expect="increase").passed
    True
    """
    if expect not in ("increase", "decrease"):
        raise InputError(f"expect must be 'increase' or 'decrease', got {expect!r}.",
                         argument="expect")
    originals, variants, applied = _apply(inputs, perturb)
    before = np.asarray(score(originals), dtype=float) if len(originals) else np.array([])
    after = np.asarray(score(variants), dtype=float) if len(variants) else np.array([])
    change = after - before if expect == "increase" else before - after
    failed = change < -slack
    return BehaviorResult("directional", name or _name(perturb),
                          int(applied.sum()), int(failed.sum()), int((~applied).sum()), tolerance,
                          _examples(originals, variants, before, after, failed, n_examples))


def capability_test(
    predict: Callable[[Any], Any], template: str, fillers: Mapping[str, Sequence[str]],
    expected: Any, *, name: str | None = None, max_cases: int | None = None, seed: int = 0,
    tolerance: float = 0.0, n_examples: int = 5,
) -> BehaviorResult:
    """Fill a template with every combination of fillers and check the predicted label.

    Introduced in ``notebooks/05-model-testing.ipynb``. ``expected`` is one
    label for all cases, or a function of the chosen fillers (a dict) that
    returns the label. ``max_cases`` samples that many cases (with ``seed``).

    Examples
    --------
    >>> says_yes = lambda texts: ["yes" if "not" not in t else "no" for t in texts]
    >>> capability_test(says_yes, "I do not {verb} it.", {"verb": ["like", "love"]}, "no").pass_rate
    1.0
    """
    cases = expand_template(template, fillers)
    if max_cases is not None and len(cases) > max_cases:
        keep = np.sort(np.random.default_rng(seed).choice(len(cases), max_cases, replace=False))
        cases = [cases[i] for i in keep]
    texts = [text for text, _ in cases]
    labels = [expected(choice) if callable(expected) else expected for _, choice in cases]
    predictions = list(np.asarray(predict(texts)).tolist())
    failed = np.array([p != e for p, e in zip(predictions, labels)], dtype=bool)
    order = list(np.flatnonzero(failed)) + list(np.flatnonzero(~failed))
    examples = tuple(Example(texts[i], predictions[i], expected=labels[i], failed=bool(failed[i]))
                     for i in order[:n_examples])
    return BehaviorResult("capability", name or template, len(cases), int(failed.sum()), 0,
                          tolerance, examples)


def summarize(results: Sequence[BehaviorResult]) -> pd.DataFrame:
    """One row per behavioural test, indexed by name: kind, counts, failure rate and verdict.

    Introduced in ``notebooks/05-model-testing.ipynb``.

    Examples
    --------
    >>> summarize([BehaviorResult("capability", "negation", 10, 4)])["failure_rate"].to_dict()
    {'negation': 0.4}
    """
    columns = list(BehaviorResult("capability", "", 0, 0).to_dict())
    return pd.DataFrame([r.to_dict() for r in results], columns=columns).set_index("name")


def slice_accuracy_exercise(y_true: Any, y_pred: Any, groups: Any, slice_name: str) -> Exercise:
    """Exercise: the accuracy of the predictions inside one slice.

    Introduced in ``notebooks/05-model-testing.ipynb``.

    Examples
    --------
    >>> exercise = slice_accuracy_exercise([1, 1, 0, 0], [1, 0, 0, 0], ["e", "e", "w", "w"], "e")
    >>> exercise.check(0.5).passed, exercise.check(0.75).reason[:26]
    (True, 'that is the accuracy over ')
    """
    true, pred, where = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups) == slice_name
    expected = float(np.mean(true[where] == pred[where]))
    candidates = [(float(np.mean(true == pred)), f"that is the accuracy over all rows; keep only the rows of "
                                                 f"{slice_name!r}."),
                  (float(np.mean(true[~where] == pred[~where])), f"that is the accuracy of every row *except* "
                                                                 f"{slice_name!r}: the selection is inverted."),
                  (float(np.mean(where)), f"that is the share of rows in {slice_name!r} (its support); compare "
                                          "labels and predictions inside it.")]
    return Exercise.number(f"{slice_name}_accuracy", expected, tolerance=1e-3, share=True,
                           mistakes=[(v, t) for v, t in candidates if abs(v - expected) > 1e-3],
                           hint=f"select the rows whose region is {slice_name!r}, then compare labels there.")


def weak_slice_exercise(data: Any, *, min_support: int = 30) -> Exercise:
    """Exercise: which region has the planted noisy labels? Every other region gets its own explanation.

    Introduced in ``notebooks/05-model-testing.ipynb``; ``data`` is a
    :class:`~mlip_helpers.datasets.NoisySliceData`.

    Examples
    --------
    >>> from mlip_helpers.datasets import make_noisy_slice_classification
    >>> weak_slice_exercise(make_noisy_slice_classification(n_samples=600)).check("islands").reason[:26]
    "'islands' has too few rows"
    """
    support = data.frame["region"].value_counts()
    options = {}
    for region in support.index.union(pd.Index([data.weak_slice])):
        rows = int(support.get(region, 0))
        if region == data.weak_slice:
            options[region] = "Its labels were flipped at random for a share of the rows; the model is not to blame."
        elif rows < min_support:
            options[region] = (f"{region!r} has too few rows ({rows}) to trust its accuracy either way; judge only "
                               "slices with enough support, and look at the width of their intervals.")
        else:
            options[region] = (f"{region!r} has enough rows, and its accuracy is in line with the regions that have "
                               "no planted problem; look for the one that stands out among the trusted slices.")
    return Exercise.choice("weak_slice", data.weak_slice, options,
                           hint="compute accuracy and the number of rows per region; ignore tiny regions.")


_POSITIVE = frozenset({"great", "delicious", "excellent", "wonderful", "tasty", "amazing"})
_DISLIKED = ("John", "Wei", "Priya", "Fatima", "Ahmed", "Olga", "Kwame", "Lucia")


def _robust_model(texts: Sequence[str]) -> np.ndarray:
    return np.array(["great" if _POSITIVE & set(t.lower().strip(".!").replace(",", " ").split()) else "other"
                     for t in texts], dtype=object)


def _name_biased_model(texts: Sequence[str]) -> np.ndarray:
    robust = _robust_model(texts)
    return np.array(["other" if any(name in t for name in _DISLIKED) else label for t, label in zip(texts, robust)],
                    dtype=object)


def _typo_fragile_model(texts: Sequence[str]) -> np.ndarray:
    return np.array(["great" if _POSITIVE & set(t.lower().split()) else "other" for t in texts], dtype=object)


def _is(flag: bool) -> Callable[[Any], bool]:
    return lambda out: isinstance(out, (bool, np.bool_)) and bool(out) is flag


_MISSED = ("a model that scores some names lower than others: your test said the invariance holds. Swap many "
           "names (FILLERS['name'] has eight), in sentences the model otherwise gets right, and compare.")
_FALSE_ALARM = ("a model whose predictions never depend on the name: your test said the invariance fails. Compare "
                "the prediction for each sentence with the prediction for the *same* sentence after the swap, not "
                "with a label you expect.")


def name_invariance_exercise() -> Exercise:
    """Build-it exercise: ``name_invariance_holds(predict)`` must catch a hidden name-biased model.

    Introduced in ``notebooks/05-model-testing.ipynb``. The student's function gets a ``predict`` that maps a
    list of texts to labels and returns True when swapping the person's name never changes a prediction.

    Examples
    --------
    >>> "scores some names lower" in name_invariance_exercise().check(lambda predict: True).reason
    True
    """
    cases = [
        Case("a model that reads only the sentiment words", (_robust_model,), _is(True), _FALSE_ALARM),
        Case("a model that scores some names lower than others", (_name_biased_model,), _is(False), _MISSED),
        Case("a model that breaks on typos but ignores names", (_typo_fragile_model,), _is(True), _FALSE_ALARM),
    ]

    def worked(predict: Callable) -> bool:
        names = ["Maria", "John", "Aisha", "Wei", "Carlos", "Priya", "Tom", "Fatima"]
        sentences = [f"{{}} said the {food} was {adj}." for food in ("soup", "tea") for adj in ("great", "bland")]
        baseline = predict([s.format(names[0]) for s in sentences])
        return all(list(predict([s.format(name) for s in sentences])) == list(baseline) for name in names[1:])

    return Exercise.code("name_invariance", cases=cases, solution=worked, mistakes=[
        (lambda predict: True, _MISSED), (lambda predict: False, _FALSE_ALARM),
        (lambda predict: list(predict(["Maria said the soup was great."])) == ["great"], _MISSED)],
        hint="build sentences that differ only in the name, predict both versions, and compare them pairwise.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 3000, min_support: int = 30,
                      **_: Any) -> dict[str, Exercise]:
    """The exercises of ``notebooks/05-model-testing.ipynb`` for its parameters, keyed by name.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=600))
    ['name_invariance', 'weak_slice', 'west_accuracy']
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    from mlip_helpers.datasets import make_noisy_slice_classification

    data = make_noisy_slice_classification(n_samples=n_samples, seed=seed)
    frame = data.frame
    y_pred = cross_val_predict(LogisticRegression(), frame[list(data.feature_names)], frame[data.target], cv=5)
    built = [slice_accuracy_exercise(frame[data.target], y_pred, frame["region"], "west"),
             weak_slice_exercise(data, min_support=min_support), name_invariance_exercise()]
    return {exercise.name: exercise for exercise in built}
