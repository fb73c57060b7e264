"""Templated review sentences and text perturbations for behavioural tests.

Introduced in ``notebooks/05-model-testing.ipynb``. Sentences are filled in
from templates such as ``"The {food} was {adj}."`` so that the label of every
sentence is known by construction (the idea behind CheckList-style capability
tests, Ribeiro et al. 2020, as presented in the lecture by Le Goues and
Kaestner, CMU, CC BY 4.0). Perturbations are pure functions of the text and a
seed: they keep no state, and return ``None`` where they do not apply.
"""

from __future__ import annotations

import itertools
import re
import string
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = [
    "FILLERS",
    "NAMES",
    "TEMPLATES",
    "Perturbation",
    "add_typo",
    "change_neutral_word",
    "expand_template",
    "make_templated_reviews",
    "swap_name",
    "text_perturbations",
]

NAMES = ("Maria", "John", "Aisha", "Wei", "Carlos", "Priya", "Tom", "Fatima")
"""First names used by templates and swapped by :func:`swap_name`."""

FILLERS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "food": ("soup", "coffee", "pasta", "salad", "bread", "tea", "curry", "chocolate"),
    "pos": ("great", "delicious", "excellent", "wonderful", "tasty", "amazing"),
    "neg": ("awful", "bland", "terrible", "stale", "disappointing", "horrible"),
    "name": NAMES,
    "place": ("restaurant", "cafe", "diner", "bistro"),
    "time": ("yesterday", "last week", "on Friday", "today"),
})
"""Word lists for the template fields; ``{adj}`` takes ``pos`` or ``neg`` words."""

TEMPLATES = (
    "The {food} was {adj}.",
    "{name} said the {food} at the {place} was {adj}.",
    "We had the {food} {time} and it was {adj}.",
    "I found the {food} {adj}.",
)
"""Sentence templates of :func:`make_templated_reviews`."""

_NEUTRAL_SWAPS = {
    "restaurant": "cafe", "cafe": "diner", "diner": "bistro", "bistro": "restaurant",
    "yesterday": "last week", "today": "this morning", "product": "item", "item": "product",
    "bought": "purchased", "purchased": "bought", "store": "shop", "shop": "store",
}


def expand_template(template: str, fillers: Mapping[str, Sequence[str]]) -> list[tuple[str, dict]]:
    """Fill a template with every combination of fillers; return ``(text, choices)`` pairs.

    Introduced in ``notebooks/05-model-testing.ipynb``.

    Examples
    --------
    >>> [text for text, _ in expand_template("I {verb} {food}.", {"verb": ["like", "hate"],
    ...                                                           "food": ["tea"]})]
    ['I like tea.', 'I hate tea.']
    """
    fields = list(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(template) if f))
    missing = [f for f in fields if f not in fillers]
    if missing:
        raise InputError(f"template {template!r} needs fillers for {missing}.", argument="fillers")
    cases = []
    for values in itertools.product(*(fillers[f] for f in fields)):
        choice = dict(zip(fields, values))
        cases.append((template.format(**choice), choice))
    return cases


def make_templated_reviews(
    *, n_samples: int = 400, seed: int = 0, label_names: tuple[str, str] = ("negative", "positive"),
) -> pd.DataFrame:
    """Generate short labelled reviews from :data:`TEMPLATES`; the label is known by construction.

    Introduced in ``notebooks/05-model-testing.ipynb``. Columns: ``text``,
    ``label`` (``label_names[1]`` for a positive adjective), ``template`` (its
    index), ``food``, ``adj`` and ``name`` (empty when the template has none).

    Examples
    --------
    >>> reviews = make_templated_reviews(n_samples=3, seed=2, label_names=("other", "great"))
    >>> len(reviews), set(reviews["label"]) <= {"other", "great"}
    (3, True)
    """
    if n_samples < 1:
        raise InputError(f"n_samples must be at least 1, got {n_samples}.", argument="n_samples")
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_samples):
        index = int(rng.integers(len(TEMPLATES)))
        positive = bool(rng.random() < 0.5)
        choice = {key: str(rng.choice(words)) for key, words in FILLERS.items()}
        choice["adj"] = choice["pos"] if positive else choice["neg"]
        rows.append({"text": TEMPLATES[index].format(**choice), "label": label_names[positive],
                     "template": index, "food": choice["food"], "adj": choice["adj"],
                     "name": choice["name"] if "{name}" in TEMPLATES[index] else ""})
    return pd.DataFrame(rows)


def _rng(text: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([zlib.crc32(text.encode("utf-8")), seed])


def swap_name(text: str, *, seed: int = 0) -> str | None:
    """Replace the first name from :data:`NAMES` with another one; ``None`` if there is none.

    Introduced in ``notebooks/05-model-testing.ipynb``.

    Examples
    --------
    >>> swap_name("Maria loved it.") != "Maria loved it.", swap_name("No names here.")
    (True, None)
    """
    match = re.search(r"\b(" + "|".join(NAMES) + r")\b", text)
    if match is None:
        return None
    others = [name for name in NAMES if name != match.group(0)]
    new = others[int(_rng(text, seed).integers(len(others)))]
    return text[: match.start()] + new + text[match.end():]


def add_typo(text: str, *, seed: int = 0) -> str | None:
    """Swap two neighbouring letters inside one word of four or more letters; ``None`` if none.

    Introduced in ``notebooks/05-model-testing.ipynb``.

    Examples
    --------
    >>> typo = add_typo("The soup was delicious.", seed=1)
    >>> typo != "The soup was delicious.", sorted(typo) == sorted("The soup was delicious.")
    (True, True)
    """
    words = [m for m in re.finditer(r"[A-Za-z]{4,}", text)]
    if not words:
        return None
    rng = _rng(text, seed)
    word = words[int(rng.integers(len(words)))]
    chars = list(word.group(0))
    candidates = [i for i in range(1, len(chars) - 2) if chars[i] != chars[i + 1]]
    if not candidates:
        return None
    i = candidates[int(rng.integers(len(candidates)))]
    chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return text[: word.start()] + "".join(chars) + text[word.end():]


def change_neutral_word(text: str) -> str | None:
    """Replace the first sentiment-neutral word (place, time, shop words) by a peer; else ``None``.

    Introduced in ``notebooks/05-model-testing.ipynb``.

    Examples
    --------
    >>> change_neutral_word("We ate at the diner yesterday.")
    'We ate at the bistro yesterday.'
    """
    match = re.search(r"\b(" + "|".join(_NEUTRAL_SWAPS) + r")\b", text, flags=re.IGNORECASE)
    if match is None:
        return None
    word = match.group(0)
    new = _NEUTRAL_SWAPS[word.lower()]
    new = new.capitalize() if word[0].isupper() else new
    return text[: match.start()] + new + text[match.end():]


@dataclass(frozen=True)
class Perturbation:
    """A named, deterministic text change: call it on a string to get the changed string."""

    name: str
    """Short name, shown in result tables."""
    description: str
    """What the change does and why the prediction should not depend on it."""
    function: Callable[[str], str | None] = field(repr=False)
    """The change itself; returns ``None`` where it does not apply."""

    def __call__(self, text: str) -> str | None:
        """Apply the change to one text."""
        return self.function(text)


def text_perturbations(*, seed: int = 0) -> tuple[Perturbation, ...]:
    """The three label-preserving perturbations: swap a name, add a typo, change a neutral word.

    Introduced in ``notebooks/05-model-testing.ipynb``. A fresh tuple each
    call; the perturbations are deterministic for a given ``seed``.

    Examples
    --------
    >>> [p.name for p in text_perturbations()]
    ['swap name', 'add typo', 'change neutral word']
    """
    return (
        Perturbation("swap name", "another first name; sentiment must not depend on who spoke",
                     partial(swap_name, seed=seed)),
        Perturbation("add typo", "two neighbouring letters swapped; readers still understand",
                     partial(add_typo, seed=seed)),
        Perturbation("change neutral word", "a place, time or shop word swapped for a peer",
                     change_neutral_word),
    )
