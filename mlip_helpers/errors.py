"""Errors raised by :mod:`mlip_helpers`, all below one root.

Wrong *answers* to exercises never raise: :func:`mlip_helpers.check` reports
them. The errors here are for wrong *calls*: labels of different lengths, an
unknown data set, an exercise name the registry does not know. Message texts
are module constants so that tests can import and compare them.
"""

from __future__ import annotations

__all__ = [
    "DatasetError",
    "ExerciseError",
    "InputError",
    "LabelError",
    "MlipHelpersError",
    "EMPTY",
    "LENGTH_MISMATCH",
    "NOT_ONE_DIMENSIONAL",
    "UNKNOWN_DATASET",
    "UNKNOWN_EXERCISE",
    "UNKNOWN_LABEL",
]

LENGTH_MISMATCH = (
    "{first} has {n_first} entries but {second} has {n_second}; "
    "pass exactly one prediction per true label."
)
EMPTY = "{what} is empty; metrics need at least one example."
NOT_ONE_DIMENSIONAL = "{what} must be one-dimensional (one label per example), got shape {shape}."
UNKNOWN_LABEL = "{what} {label!r} does not occur; the labels are {known}."
UNKNOWN_DATASET = "no bundled data set named {name!r}; choose one of {known}."
UNKNOWN_EXERCISE = "no exercise named {name!r}; known exercises: {known}."


class MlipHelpersError(Exception):
    """Root of every error that :mod:`mlip_helpers` raises on purpose."""


class InputError(MlipHelpersError, ValueError):
    """An argument has the wrong shape, length or value.

    Parameters
    ----------
    message : str
        What was wrong and what to do instead.
    argument : str
        Name of the offending argument.
    """

    def __init__(self, message: str, *, argument: str = "") -> None:
        super().__init__(message)
        self.argument = argument


class LabelError(InputError):
    """A label (for example ``pos_label``) that does not occur in the data.

    Parameters
    ----------
    message : str
        What was wrong and what to do instead.
    label : object
        The label that was asked for.
    known : tuple
        The labels that do occur.
    """

    def __init__(self, message: str, *, label: object, known: tuple = ()) -> None:
        super().__init__(message, argument="label")
        self.label = label
        self.known = known


class DatasetError(MlipHelpersError, LookupError):
    """A bundled data set is unknown or does not have the expected columns.

    Parameters
    ----------
    message : str
        What was wrong and what to do instead.
    name : str
        The data set asked for.
    """

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name


class ExerciseError(MlipHelpersError, LookupError):
    """An exercise is unknown or was called without the data it needs.

    Parameters
    ----------
    message : str
        What was wrong and what to do instead.
    name : str
        The exercise asked for.
    """

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name
