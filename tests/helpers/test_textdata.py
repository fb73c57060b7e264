"""Templated sentences carry known labels; perturbations are deterministic and minimal."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

from mlip_helpers import datasets, textdata
from mlip_helpers.errors import InputError


def test_expand_template_makes_every_combination_once():
    cases = textdata.expand_template("{a} {b} {a}", {"a": ["x", "y"], "b": ["1", "2", "3"], "c": ["z"]})
    assert len(cases) == 6
    assert cases[0] == ("x 1 x", {"a": "x", "b": "1"})
    assert len({text for text, _ in cases}) == 6


def test_expand_template_names_missing_fillers():
    with pytest.raises(InputError, match="nope"):
        textdata.expand_template("I {nope} it", {})


def test_templated_reviews_have_labels_known_by_construction():
    reviews = textdata.make_templated_reviews(n_samples=300, seed=3)
    assert len(reviews) == 300
    positive = reviews["adj"].isin(textdata.FILLERS["pos"])
    assert (reviews.loc[positive, "label"] == "positive").all()
    assert (reviews.loc[~positive, "label"] == "negative").all()
    assert reviews["adj"].isin(textdata.FILLERS["neg"] + textdata.FILLERS["pos"]).all()
    for row in reviews.itertuples():
        assert row.food in row.text and row.adj in row.text
        assert (row.name in row.text) if row.name else "{name}" not in textdata.TEMPLATES[row.template]
    assert set(reviews["template"]) == set(range(len(textdata.TEMPLATES)))


def test_templated_reviews_are_seeded_and_label_names_configurable():
    first = textdata.make_templated_reviews(n_samples=50, seed=1, label_names=("other", "great"))
    pd.testing.assert_frame_equal(first, textdata.make_templated_reviews(n_samples=50, seed=1,
                                                                         label_names=("other", "great")))
    assert set(first["label"]) == {"other", "great"}
    assert datasets.make_templated_reviews is textdata.make_templated_reviews
    with pytest.raises(InputError):
        textdata.make_templated_reviews(n_samples=0)


def test_swap_name_replaces_only_the_name_with_another_known_name():
    text = "Maria said the soup was great."
    swapped = textdata.swap_name(text, seed=0)
    new_name = swapped.split()[0]
    assert new_name in textdata.NAMES and new_name != "Maria"
    assert swapped[len(new_name):] == text[len("Maria"):]
    assert textdata.swap_name(text, seed=0) == swapped
    assert textdata.swap_name("Mariana liked it.") is None
    assert textdata.swap_name("The soup was great.") is None


def test_add_typo_swaps_two_inner_letters_of_one_word():
    text = "The chocolate at the restaurant was wonderful."
    for seed in range(10):
        typo = textdata.add_typo(text, seed=seed)
        assert typo != text and Counter(typo) == Counter(text)
        changed = [(a, b) for a, b in zip(text.split(), typo.split()) if a != b]
        assert len(changed) == 1
        before, after = changed[0]
        assert before[0] == after[0] and before[-1] == after[-1]
    assert textdata.add_typo(text, seed=3) == textdata.add_typo(text, seed=3)
    assert textdata.add_typo("It is ok.") is None


def test_change_neutral_word_keeps_case_and_returns_none_without_one():
    assert textdata.change_neutral_word("Restaurant food, yesterday.") == "Cafe food, yesterday."
    assert textdata.change_neutral_word("I bought two.") == "I purchased two."
    assert textdata.change_neutral_word("The soup was great.") is None


def test_text_perturbations_are_fresh_named_callables():
    first, second = textdata.text_perturbations(seed=1), textdata.text_perturbations(seed=1)
    assert [p.name for p in first] == ["swap name", "add typo", "change neutral word"]
    assert first is not second
    text = "Wei said the tea at the diner was tasty."
    assert [p(text) for p in first] == [p(text) for p in second]
    assert all(p(text) != text for p in first)
    assert all(re.search(r"\w", p.description) for p in first)
