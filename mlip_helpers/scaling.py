"""Partitioning a table and map-reduce on any executor: serial, a process pool, or Dask.

Introduced in ``notebooks/11-scaling-data.ipynb``. The lecture "Scaling Data
Storage and Data Processing" (Le Goues & Kaestner, CMU, CC BY 4.0) divides
data horizontally (rows) or vertically (columns) and moves the computation to
the data rather than the data to the computation. Mappers and reducers here
are module-level functions so that a process pool or a Dask worker can pickle
them; a chunk may be a DataFrame or the path of a pickled one. Event sourcing
is in :mod:`mlip_helpers.eventlog`.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = [
    "MapReduceResult", "combine", "count_by", "hash_partition", "map_reduce",
    "mean_of_pairs", "row_chunks", "stable_hash", "sum_count_by", "total",
    "NOTEBOOK", "combinable_statistic_exercise", "events_replayed_exercise", "lecture_exercises",
    "pooled_mean_exercise", "pooled_mean_solution",
]


def stable_hash(value: Any) -> int:
    """A hash of ``str(value)`` that is the same in every process and on every run (CRC-32).

    Introduced in ``notebooks/11-scaling-data.ipynb``. Python's own ``hash`` of
    a string is salted per process, so two workers would disagree on where a
    key lives; a partitioning scheme needs a hash that never changes.

    Examples
    --------
    >>> stable_hash("UA"), stable_hash("UA") == stable_hash("UA")
    (2278476520, True)
    """
    return zlib.crc32(str(value).encode("utf-8"))


def _check_n(n: int) -> None:
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"the number of partitions must be a positive integer, got {n!r}.", argument="n")


def row_chunks(frame: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    """Split ``frame`` into ``n`` contiguous blocks of rows of (almost) equal size.

    Introduced in ``notebooks/11-scaling-data.ipynb``: horizontal partitioning
    by position, as a file is split into blocks.

    Examples
    --------
    >>> [len(c) for c in row_chunks(pd.DataFrame({"x": range(10)}), 3)]
    [4, 3, 3]
    """
    _check_n(n)
    sizes = [len(frame) // n + (1 if i < len(frame) % n else 0) for i in range(n)]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return [frame.iloc[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def hash_partition(frame: pd.DataFrame, key: str, n: int) -> list[pd.DataFrame]:
    """Split ``frame`` into ``n`` partitions by the stable hash of column ``key``.

    Introduced in ``notebooks/11-scaling-data.ipynb``. Every row with the same
    key lands in the same partition, so a reducer per key needs no data from
    other partitions; a frequent key makes its partition large (a hot spot).

    Examples
    --------
    >>> parts = hash_partition(pd.DataFrame({"k": list("aabbbd")}), "k", 2)
    >>> [sorted(set(p["k"])) for p in parts]
    [['d'], ['a', 'b']]
    """
    _check_n(n)
    if key not in frame.columns:
        raise InputError(f"no column {key!r}; the columns are {list(frame.columns)}.", argument="key")
    codes, uniques = pd.factorize(frame[key], use_na_sentinel=False)
    slot = np.array([stable_hash(u) % n for u in uniques], dtype=int)[codes]
    return [frame[slot == i] for i in range(n)]


def _load(chunk: Any) -> pd.DataFrame:
    """A chunk is a DataFrame or the path of a pickled one (the data stays where it is stored)."""
    return pd.read_pickle(chunk) if isinstance(chunk, (str, Path)) else chunk


def count_by(chunk: Any, key: str) -> dict[Hashable, int]:
    """Mapper: the number of rows per value of ``key`` in one chunk.

    Introduced in ``notebooks/11-scaling-data.ipynb``. ``chunk`` is a DataFrame
    or the path of a pickled one.

    Examples
    --------
    >>> count_by(pd.DataFrame({"k": list("aab")}), "k")
    {'a': 2, 'b': 1}
    """
    return {k: int(v) for k, v in _load(chunk)[key].value_counts(sort=False).items()}


def sum_count_by(chunk: Any, key: str, value: str) -> dict[Hashable, tuple[float, int]]:
    """Mapper: ``(sum, count)`` of the non-missing ``value`` per ``key`` in one chunk.

    Introduced in ``notebooks/11-scaling-data.ipynb``. Sums and counts can be
    added across chunks; means cannot (chunks differ in size).

    Examples
    --------
    >>> sum_count_by(pd.DataFrame({"k": list("aab"), "v": [1.0, 3.0, None]}), "k", "v")
    {'a': (4.0, 2)}
    """
    data = _load(chunk)[[key, value]].dropna()
    grouped = data.groupby(key, sort=False)[value].agg(["sum", "count"])
    return {k: (float(s), int(c)) for k, s, c in zip(grouped.index, grouped["sum"], grouped["count"])}


def total(values: Iterable[float]) -> float:
    """Reducer: the sum of the partial values of one key.

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> total([2, 1, 4])
    7
    """
    return sum(values)


def mean_of_pairs(values: Iterable[tuple[float, int]]) -> float:
    """Reducer: the pooled mean from partial ``(sum, count)`` pairs.

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> mean_of_pairs([(4.0, 2), (9.0, 1)])
    4.333333333333333
    """
    sums, counts = zip(*values)
    return math.fsum(sums) / sum(counts) if sum(counts) else float("nan")


@dataclass(frozen=True)
class MapReduceResult:
    """The reduced value per key, and how much travelled from the mappers to the reducers."""

    values: Mapping[Hashable, Any]
    """The reducer's result for every key, keys sorted."""
    n_chunks: int
    """Number of chunks mapped."""
    n_pairs: int
    """Key-value pairs the mappers emitted: what the shuffle moves, instead of the rows."""

    def to_series(self, name: str | None = None) -> pd.Series:
        """The values as a Series indexed by key."""
        return pd.Series(dict(self.values), name=name, dtype=float)


def combine(partials: Sequence[Mapping], reducer: Callable[[list], Any]) -> MapReduceResult:
    """Shuffle the mappers' partial results by key and reduce each key's list of values.

    Introduced in ``notebooks/11-scaling-data.ipynb``: the second half of
    :func:`map_reduce`, usable on partials computed anywhere (e.g. by Dask).

    Examples
    --------
    >>> combine([{"a": 1, "b": 2}, {"a": 3}], total).values
    {'a': 4, 'b': 2}
    """
    groups: dict[Hashable, list] = defaultdict(list)
    for partial in partials:
        for key, value in dict(partial).items():
            groups[key].append(value)
    keys = sorted(groups, key=lambda k: (str(type(k)), k if isinstance(k, (str, int, float)) else str(k)))
    return MapReduceResult({k: reducer(groups[k]) for k in keys}, len(partials),
                           sum(len(v) for v in groups.values()))


def map_reduce(chunks: Sequence, mapper: Callable, reducer: Callable, *, executor: Any = None) -> MapReduceResult:
    """Map every chunk to partial results per key, shuffle by key, reduce each key.

    Introduced in ``notebooks/11-scaling-data.ipynb``. ``executor`` runs the
    map phase: ``None`` runs it here, one chunk after another; any
    ``concurrent.futures`` executor (a process pool) or a Dask
    ``distributed.Client`` runs it in parallel. The same mapper and reducer
    give the same result on each.

    Examples
    --------
    >>> from functools import partial
    >>> chunks = row_chunks(pd.DataFrame({"k": list("abab"), "v": [1, 2, 3, 6]}), 2)
    >>> map_reduce(chunks, partial(sum_count_by, key="k", value="v"), mean_of_pairs).values
    {'a': 2.0, 'b': 4.0}
    """
    if executor is None:
        partials = [mapper(chunk) for chunk in chunks]
    elif hasattr(executor, "scatter"):  # a dask.distributed Client: place the chunks on workers first
        partials = executor.gather(executor.map(mapper, executor.scatter(list(chunks))))
    else:
        partials = list(executor.map(mapper, chunks))
    return combine(partials, reducer)


# --- the exercises of notebook 11 ------------------------------------------------------------------------------

NOTEBOOK = "11-scaling-data"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def pooled_mean_solution(partials: Sequence[Mapping], key: Hashable) -> float:
    """Worked solution: the mean of ``key`` from the mappers' ``{key: (sum, count)}`` partial results.

    Introduced in ``notebooks/11-scaling-data.ipynb``: pool the sums and the
    counts of every partition that saw the key, then divide once.

    Examples
    --------
    >>> pooled_mean_solution([{"a": (30.0, 3)}, {"a": (10.0, 1), "b": (2.0, 1)}], "a")
    10.0
    """
    pairs = [partial[key] for partial in partials if key in partial]
    return math.fsum(s for s, _ in pairs) / sum(c for _, c in pairs)


def _mean_of_means(partials: Sequence[Mapping], key: Hashable) -> float:
    return float(np.mean([p[key][0] / p[key][1] for p in partials if key in p]))


def _every_partition(partials: Sequence[Mapping], key: Hashable) -> float:
    return sum(p[key][0] for p in partials) / sum(p[key][1] for p in partials)


def _pooled_case(label: str, partials: list[dict], key: str, why: str) -> Case:
    expected = pooled_mean_solution(partials, key)
    return Case(label, (partials, key), lambda out: math.isclose(float(out), expected, rel_tol=1e-9, abs_tol=1e-9),
                why, raises=KeyError)  # a KeyError is the known mistake of this case, explained by ``why``


def pooled_mean_exercise() -> Exercise:
    """Build-it: a reducer ``pooled_mean(partials, key)`` that pools the mappers' (sum, count) pairs.

    Introduced in ``notebooks/11-scaling-data.ipynb``. The hidden cases have
    partitions of very different sizes and keys that some partitions never saw.

    Examples
    --------
    >>> pooled_mean_exercise().check(pooled_mean_solution).passed
    True
    """
    sizes = "that is not the mean of all rows behind the pairs; partitions hold different numbers of rows, so " \
            "add up the sums and the counts first and divide once (a mean of the partitions' means is wrong)."
    return Exercise.code("pooled mean", cases=[
        _pooled_case("partitions of very different sizes", [{"UA": (300.0, 30)}, {"UA": (-2.0, 1)},
                                                            {"UA": (40.0, 9)}], "UA", sizes),
        _pooled_case("a key that one partition never saw", [{"UA": (12.0, 4)}, {"AA": (5.0, 1)}, {"UA": (-6.0, 2)}],
                     "UA", "a partition without rows for the key sends no pair for it; skip such partitions."),
        _pooled_case("a single partition with two keys", [{"DL": (17.5, 7), "UA": (1.0, 1)}], "DL",
                     "with one partition, the result is its sum divided by its count for the key asked for."),
        _pooled_case("early arrivals only (negative delays)", [{"B6": (-40.0, 8)}, {"B6": (-3.0, 3)}], "B6", sizes),
    ], solution=pooled_mean_solution, mistakes={
        _mean_of_means: sizes,
        _every_partition: "a partition without rows for the key sends no pair for it; skip such partitions.",
    }, hint="Collect the (sum, count) pairs of the key from the partitions that have it.")


def combinable_statistic_exercise() -> Exercise:
    """Which statistic one small partial result per partition cannot give exactly (the median).

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> combinable_statistic_exercise().check("count").reason
    'Counts simply add up across partitions.'
    """
    return Exercise.choice("combinable statistic", "median", {
        "mean": "The mean can be combined exactly: each partition sends (sum, count), as in exercise 1.",
        "maximum": "The largest of the partitions' maxima is the overall maximum: one number per partition suffices.",
        "count": "Counts simply add up across partitions.",
        "median": "A median needs the whole distribution: the median of the partitions' medians is not the "
                  "median of all rows.",
    }, hint="Try each statistic on two partitions of unequal size and compare with the whole table.")


def events_replayed_exercise(target: int, every: int) -> Exercise:
    """How many events a rebuild after ``target`` events replays with a snapshot every ``every`` events.

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> events_replayed_exercise(23_456, 5_000).check(23_456).passed
    False
    """
    mistakes = {target: "That is a rebuild from the very beginning. The snapshot taken just before the target "
                        "already holds the state up to that point; only the events after it are replayed.",
                every - target % every: "Replay runs forward, from the snapshot before the target, not back from "
                                        "the next one.",
                target // every: "That is the number of snapshots before the target; the question asks for the "
                                 "events replayed after the last of them."}
    expected = target % every
    return Exercise.count("events replayed", expected, mistakes={k: v for k, v in mistakes.items() if k != expected},
                          hint="The latest snapshot at or before the target covers a whole multiple of `every` events.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 336776, snapshot_every: int = 10000,
                      **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/11-scaling-data.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=300))
    ['combinable_statistic', 'events_replayed', 'pooled_mean']
    """
    from mlip_helpers.eventlog import planted_rating_events

    n_events = len(planted_rating_events(n_samples, seed=seed))
    every = min(snapshot_every, max(1, n_events // 8))
    return {"pooled_mean": pooled_mean_exercise(), "combinable_statistic": combinable_statistic_exercise(),
            "events_replayed": events_replayed_exercise(int(0.78 * n_events), every)}
