"""Claims a lecture makes about its own numbers, checked on the data of every run.

A sentence such as "the defended forest still ranks applicants better than chance" is true for one seed and may be
false for another. A lecture states such a sentence with :func:`claim`, right after the cell that computes the
numbers: the reader sees the sentence printed with a tick, and a run whose data makes it false stops with
:class:`ClaimError`, naming the claim and the numbers behind it. ``tests/notebooks`` runs every lecture with seeds
0, 1 and 2, so a claim that holds only for the seed the author tried fails the test suite instead of misleading a
student who changed the ``seed`` parameter.

Prose in markdown cells therefore names no number and no direction that depends on the data; the number is printed
by code and the direction is a claim.

To survey claims over many runs rather than stop at the first false one, set the environment variable
``MLIP_CLAIMS=record`` (``benchmarks/claims_sweep.py`` does, for seeds beyond those the tests run): a false claim then
prints ``✘ FALSE CLAIM:`` and the sentence, and the run goes on.

>>> claim(0.91 > 0.5, "the model beats a coin flip (AUC {auc:.2f})", auc=0.91)
✔ the model beats a coin flip (AUC 0.91)
>>> claim(0.41 > 0.5, "the model beats a coin flip (AUC {auc:.2f})", auc=0.41)
Traceback (most recent call last):
    ...
mlip_helpers.claims.ClaimError: this run's data contradicts the lecture: "the model beats a coin flip (AUC 0.41)" is false; the sentence was written for other data, so report it (with the seed and n_samples you ran) to the course staff.
"""

from __future__ import annotations

import os

from mlip_helpers.errors import MlipHelpersError

__all__ = ["ClaimError", "claim", "CLAIM_FALSE", "FALSE_MARK"]

FALSE_MARK = "\u2718 FALSE CLAIM:"
"""How a false claim starts its line when ``MLIP_CLAIMS=record`` (a sweep greps for it)."""

CLAIM_FALSE = (
    "this run's data contradicts the lecture: \"{statement}\" is false; the sentence was written for other data, "
    "so report it (with the seed and n_samples you ran) to the course staff."
)


class ClaimError(MlipHelpersError, AssertionError):
    """A lecture's claim about its numbers does not hold on this run's data."""


def claim(holds: object, statement: str, **numbers: object) -> None:
    """Print ``statement`` as a checked fact, or raise :class:`ClaimError` if the data contradict it.

    Introduced in ``notebooks/21-security-privacy.ipynb`` (a privacy defence judged by its utility too) and used by
    every lecture that states a number.

    >>> claim(3 < 5, "{a} users is fewer than {b}", a=3, b=5)
    ✔ 3 users is fewer than 5

    Parameters
    ----------
    holds : bool-like
        The claim, computed from this run's numbers (``auc > 0.5``, ``defended < full``).
    statement : str
        The sentence a reader sees; ``{name}`` fields are filled from ``numbers`` so the sentence shows the numbers
        it is about.
    **numbers
        The values the sentence quotes.

    Raises
    ------
    ClaimError
        When ``holds`` is false (unless ``MLIP_CLAIMS=record``); the message quotes the filled-in sentence.
    """
    text = statement.format(**numbers)
    if not bool(holds):
        if os.environ.get("MLIP_CLAIMS") == "record":
            print(f"{FALSE_MARK} {text}")
            return
        raise ClaimError(CLAIM_FALSE.format(statement=text))
    print(f"\u2714 {text}")
