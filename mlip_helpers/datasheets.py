"""Datasheets for data sets, computed from the data and checked against it later.

Introduced in ``notebooks/09-data-quality.ipynb``. The lecture "Data Quality" (Le Goues & Kaestner, CMU, CC BY 4.0)
notes that teams rarely document their expectations of data, and points to datasheets for datasets (Gebru et al.,
2021): origin, collection, labelling and distributions, written down. A datasheet typed by hand goes stale; here
the part about the data (columns, missingness, ranges, categories, key, skews) is computed, and
:func:`check_datasheet` compares a later delivery of the data with what the sheet says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["Datasheet", "check_datasheet", "make_datasheet"]


@dataclass(frozen=True, eq=False)
class Datasheet:
    """A data set's documentation: what people know (provenance) and what the data show (computed)."""

    provenance: Mapping[str, str]
    """Questions of the datasheet that only people can answer (source, collection, licence, known uses)."""
    n_rows: int
    """Rows when the sheet was made."""
    columns: pd.DataFrame
    """One row per column: ``kind``, ``missing share``, ``min``, ``max``, ``distinct`` and ``values`` (text)."""
    key: tuple[str, ...]
    """Columns meant to identify a row."""
    duplicate_keys: int
    """Rows whose key occurs more than once."""
    skews: pd.DataFrame
    """Missing shares per group: ``column``, ``by``, ``group``, ``missing share``; the uneven ones are skews."""

    def to_markdown(self) -> str:
        """The sheet as text a reader can skim: provenance, size, key, columns, the most uneven missingness."""
        lines = [f"- **{question}**: {answer}" for question, answer in self.provenance.items()]
        lines.append(f"- **size**: {self.n_rows:,} rows; key {', '.join(self.key) or '(none)'}, "
                     f"{self.duplicate_keys} rows with a repeated key")
        for name, row in self.columns.iterrows():
            if row["kind"] == "text":
                lines.append(f"- `{name}`: text, values {row['values']}, missing {row['missing share']:.2%}")
            else:
                lines.append(f"- `{name}`: {row['kind']} from {row['min']:g} to {row['max']:g}, "
                             f"missing {row['missing share']:.2%}")
        for _, skew in self.skews.head(3).iterrows():
            lines.append(f"- skew: `{skew['column']}` is missing in {skew['missing share']:.1%} of rows where "
                         f"`{skew['by']}` = {skew['group']}")
        return "\n".join(lines)


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    return "number" if pd.api.types.is_numeric_dtype(series) else "text"


def make_datasheet(frame: pd.DataFrame, *, provenance: Mapping[str, str], key: Sequence[str] = (),
                   skew_by: Sequence[str] = ()) -> Datasheet:
    """Compute a datasheet's data part from ``frame`` and attach the people's part, ``provenance``.

    Introduced in ``notebooks/09-data-quality.ipynb``. For every column: its kind, share missing, range (numbers)
    or values (text, up to 20). For each column with missing values and each ``skew_by`` column: the share
    missing per group, sorted from the most uneven group down (a *known skew* to document).

    Examples
    --------
    >>> frame = pd.DataFrame({"site": ["a", "a", "b", "b"], "temp": [50.0, None, 61.0, 58.5]})
    >>> sheet = make_datasheet(frame, provenance={"source": "two stations"}, key=("site",), skew_by=("site",))
    >>> sheet.columns.loc["temp", ["missing share", "min", "max"]].tolist(), sheet.duplicate_keys
    ([0.25, 50.0, 61.0], 4)
    >>> sheet.skews.loc[0, "group"], float(sheet.skews.loc[0, "missing share"])
    ('a', 0.5)
    """
    if frame.empty:
        raise InputError("frame is empty; a datasheet needs data to describe.", argument="frame")
    missing_columns = [c for c in (*key, *skew_by) if c not in frame.columns]
    if missing_columns:
        raise InputError(f"columns {missing_columns} are not in the frame; its columns are {list(frame.columns)}.",
                         argument="key")
    rows = {}
    for name in frame.columns:
        series, kind = frame[name], _kind(frame[name])
        present = series.dropna()
        rows[name] = {"kind": kind, "missing share": float(series.isna().mean()),
                      "min": float(present.min()) if kind != "text" and len(present) else np.nan,
                      "max": float(present.max()) if kind != "text" and len(present) else np.nan,
                      "distinct": int(present.nunique()),
                      "values": tuple(sorted(map(str, present.unique())))[:20] if kind == "text" else ()}
    duplicates = int(frame.duplicated(list(key), keep=False).sum()) if key else 0
    skews = []
    for column in frame.columns[frame.isna().any()]:
        for by in skew_by:
            shares = frame[column].isna().groupby(frame[by]).mean()
            skews += [{"column": column, "by": by, "group": group, "missing share": float(share),
                       "overall": rows[column]["missing share"]} for group, share in shares.items()]
    skew_table = pd.DataFrame(skews, columns=["column", "by", "group", "missing share", "overall"])
    if len(skew_table):
        unevenness = (skew_table["missing share"] - skew_table["overall"]).abs()
        skew_table = skew_table.loc[unevenness.sort_values(ascending=False).index].reset_index(drop=True)
    return Datasheet(dict(provenance), len(frame), pd.DataFrame(rows).T.rename_axis("column"), tuple(key),
                     duplicates, skew_table)


def check_datasheet(sheet: Datasheet, frame: pd.DataFrame, *, missing_tolerance: float = 0.01) -> pd.DataFrame:
    """Compare a (new) delivery of the data with its datasheet; one row per statement the data contradict.

    Introduced in ``notebooks/09-data-quality.ipynb``. Checked: every documented column is present with its kind;
    numbers stay within the documented range; text takes only documented values; the share missing exceeds the
    documented one by at most ``missing_tolerance``; no new repeated keys. An empty result means the sheet still
    describes the data.

    Examples
    --------
    >>> frame = pd.DataFrame({"site": ["a", "b"], "temp": [50.0, 61.0]})
    >>> sheet = make_datasheet(frame, provenance={}, key=("site",))
    >>> check_datasheet(sheet, frame).empty
    True
    >>> later = pd.DataFrame({"site": ["a", "c", "c"], "temp": [50.0, 140.0, 61.0]})
    >>> check_datasheet(sheet, later)["statement"].tolist()
    ['site: values a, b', 'temp: numbers from 50 to 61', 'site: unique key']
    """
    found = []
    for name, doc in sheet.columns.iterrows():
        if name not in frame.columns:
            found.append((name, "column present", "missing"))
            continue
        series = frame[name]
        if _kind(series) != doc["kind"] and not {_kind(series), doc["kind"]} <= {"integer", "number"}:
            found.append((f"{name}: {doc['kind']}", "kind", _kind(series)))
            continue
        present = series.dropna()
        if doc["kind"] != "text" and len(present):
            low, high = float(present.min()), float(present.max())
            if low < doc["min"] or high > doc["max"]:
                found.append((f"{name}: numbers from {doc['min']:g} to {doc['max']:g}", "range",
                              f"{low:g} to {high:g}"))
        elif doc["kind"] == "text":
            new = sorted(set(map(str, present.unique())) - set(doc["values"]))
            if new:
                found.append((f"{name}: values {', '.join(doc['values'])}", "values", ", ".join(new)))
        share = float(series.isna().mean())
        if share > doc["missing share"] + missing_tolerance:
            found.append((f"{name}: missing {doc['missing share']:.2%}", "missingness", f"{share:.2%}"))
    if sheet.key and all(k in frame.columns for k in sheet.key):
        repeated = int(frame.duplicated(list(sheet.key), keep=False).sum())
        if repeated > sheet.duplicate_keys:
            found.append((f"{', '.join(sheet.key)}: unique key", "key",
                          f"{repeated} rows with a repeated key (documented: {sheet.duplicate_keys})"))
    return pd.DataFrame(found, columns=["statement", "check", "found"])
