"""Data sets versioned by checksum: a content-addressed store and the difference between two versions.

Introduced in ``notebooks/13-versioning-provenance.ipynb``. Of the lecture's
versioning strategies for data sets ("Versioning, Provenance, and
Reproducibility", Le Goues & Kaestner, CMU, CC BY 4.0), the first stores
copies of entire data sets and identifies each by a checksum, as Git does.
Models and the audit log of predictions are in :mod:`mlip_helpers.provenance`.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import asdict, dataclass

import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["DataStore", "DataVersion", "checksum", "diff_versions"]


def checksum(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's canonical text: header and rows as CSV, in the stored row order, without index.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``. Equal tables
    give equal checksums wherever they are computed; any change to a value, a
    column name or the row order gives a different one.

    Examples
    --------
    >>> checksum(pd.DataFrame({"x": [1, 2]})) == hashlib.sha256(b"x\\n1\\n2\\n").hexdigest()
    True
    """
    text = frame.to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DataVersion:
    """One stored version of a named data set."""

    name: str
    """The data set's name, e.g. ``"applications"``."""
    checksum: str
    """SHA-256 of the content: the version's identity."""
    rows: int
    """Number of rows."""
    parent: str | None
    """Checksum of the version it was derived from, if any."""
    note: str
    """Why this version exists."""


class DataStore:
    """A content-addressed store of tables: each distinct content is kept once, under its checksum.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``. Names point to
    a history of versions, as branches point to commits in Git.

    Examples
    --------
    >>> store = DataStore()
    >>> v1 = store.put(pd.DataFrame({"x": [1]}), "toy", note="first")
    >>> v2 = store.put(pd.DataFrame({"x": [1]}), "toy", note="same content again")
    >>> v1.checksum == v2.checksum, store.n_objects, len(store.history("toy"))
    (True, 1, 2)
    """

    def __init__(self) -> None:
        self._objects: dict[str, bytes] = {}
        self._versions: list[DataVersion] = []

    def put(self, frame: pd.DataFrame, name: str, *, parent: str | None = None, note: str = "") -> DataVersion:
        """Store ``frame`` under its checksum (once) and add a version of ``name``."""
        digest = checksum(frame)
        self._objects.setdefault(digest, pickle.dumps(frame.copy()))
        version = DataVersion(name, digest, len(frame), parent, note)
        self._versions.append(version)
        return version

    def get(self, ref: str) -> pd.DataFrame:
        """A private copy of the table with checksum ``ref`` (a unique prefix of 6 or more characters will do)."""
        found = [d for d in self._objects if d.startswith(ref)] if len(ref) >= 6 else []
        if len(found) != 1:
            raise InputError(f"{ref!r} names {len(found)} stored tables; give a unique checksum prefix of at least "
                             "6 characters.", argument="ref")
        return pickle.loads(self._objects[found[0]])

    @property
    def n_objects(self) -> int:
        """Number of distinct tables stored."""
        return len(self._objects)

    def history(self, name: str) -> pd.DataFrame:
        """Every version of ``name``, oldest first."""
        return pd.DataFrame([asdict(v) for v in self._versions if v.name == name],
                            columns=["name", "checksum", "rows", "parent", "note"])


def diff_versions(old: pd.DataFrame, new: pd.DataFrame, key: str) -> pd.DataFrame:
    """What changed between two versions of a table, matched by ``key``: one row per added or removed row
    and per changed value.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    Examples
    --------
    >>> old = pd.DataFrame({"id": [1, 2], "x": [0.5, 0.7]})
    >>> new = pd.DataFrame({"id": [2, 3], "x": [70.0, 0.1]})
    >>> diff_versions(old, new, "id")[["id", "change", "column"]].fillna("").values.tolist()
    [[1, 'removed', ''], [2, 'changed', 'x'], [3, 'added', '']]
    """
    for which, frame in (("old", old), ("new", new)):
        if key not in frame.columns or frame[key].duplicated().any():
            raise InputError(f"the {which} table needs a column {key!r} with unique values to match rows.",
                             argument="key")
    a, b = old.set_index(key), new.set_index(key)
    rows = [{key: k, "change": change, "column": None, "old": None, "new": None}
            for change, keys in (("removed", a.index.difference(b.index)), ("added", b.index.difference(a.index)))
            for k in keys]
    common = a.index.intersection(b.index)
    for column in a.columns.intersection(b.columns):
        before, after = a.loc[common, column], b.loc[common, column]
        differs = ~((before == after) | (before.isna() & after.isna()))
        rows += [{key: k, "change": "changed", "column": column, "old": before[k], "new": after[k]}
                 for k in common[differs.to_numpy()]]
    table = pd.DataFrame(rows, columns=[key, "change", "column", "old", "new"])
    return table.sort_values([key, "change"], kind="stable").reset_index(drop=True)
