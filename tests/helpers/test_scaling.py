"""Partitioning and map-reduce on every executor: planted data, exact values, pandas as the reference."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.scaling import (
    combine,
    count_by,
    hash_partition,
    map_reduce,
    mean_of_pairs,
    row_chunks,
    stable_hash,
    sum_count_by,
    total,
)


@pytest.fixture
def table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 5000
    keys = rng.choice(["a", "b", "c", "d", "e"], size=n, p=[0.5, 0.2, 0.15, 0.1, 0.05])
    values = rng.normal(10, 3, size=n)
    values[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"key": keys, "value": values, "id": np.arange(n)})


def test_stable_hash_is_crc32_and_equal_across_processes():
    assert stable_hash("UA") == zlib.crc32(b"UA")
    code = "from mlip_helpers.scaling import stable_hash; print(stable_hash('UA'), hash('UA'))"
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout.split() for seed in ("1", "2")]
    assert outputs[0][0] == outputs[1][0] == str(stable_hash("UA"))
    assert outputs[0][1] != outputs[1][1]  # the built-in hash is salted: why stable_hash exists


def test_row_chunks_are_contiguous_and_balanced(table):
    chunks = row_chunks(table, 3)
    assert [len(c) for c in chunks] == [1667, 1667, 1666]
    pd.testing.assert_frame_equal(pd.concat(chunks), table)
    assert [len(c) for c in row_chunks(table.head(2), 4)] == [1, 1, 0, 0]


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_partitioning_rejects_bad_counts(table, n):
    with pytest.raises(InputError):
        row_chunks(table, n)
    with pytest.raises(InputError):
        hash_partition(table, "key", n)


def test_hash_partition_keeps_each_key_in_one_partition(table):
    parts = hash_partition(table, "key", 3)
    owners = {k: [i for i, p in enumerate(parts) if k in set(p["key"])] for k in "abcde"}
    assert all(len(o) == 1 for o in owners.values())
    assert owners == {k: [stable_hash(k) % 3] for k in "abcde"}
    assert sorted(pd.concat(parts)["id"]) == list(range(len(table)))


def test_hash_partition_handles_missing_keys_and_unknown_columns():
    frame = pd.DataFrame({"k": ["x", None, "x", None]})
    parts = hash_partition(frame, "k", 2)
    assert sum(len(p) for p in parts) == 4 and sum(p["k"].isna().any() for p in parts) == 1
    with pytest.raises(InputError, match="no column"):
        hash_partition(frame, "nope", 2)


def test_mappers_match_pandas(table):
    assert count_by(table, "key") == table["key"].value_counts().to_dict()
    partials = sum_count_by(table, "key", "value")
    grouped = table.groupby("key")["value"]
    for key, (s, c) in partials.items():
        assert s == pytest.approx(grouped.sum()[key]) and c == grouped.count()[key]


def test_mean_of_pairs_pools_instead_of_averaging_means():
    assert mean_of_pairs([(3.0, 3), (5.0, 1)]) == 2.0
    assert np.isnan(mean_of_pairs([(0.0, 0)]))
    assert mean_of_pairs([(1e16, 1), (1.0, 1), (-1e16, 1)]) == pytest.approx(1 / 3)  # fsum, not naive sum


def test_combine_groups_by_key_and_counts_pairs():
    result = combine([{2: 1, 1: 5}, {2: 3}, {}], total)
    assert result.values == {1: 5, 2: 4} and list(result.values) == [1, 2]
    assert result.n_chunks == 3 and result.n_pairs == 3
    assert result.to_series().to_dict() == {1: 5.0, 2: 4.0}


def expected_means(table):
    return table.groupby("key")["value"].mean()


def test_map_reduce_serial_equals_groupby(table):
    result = map_reduce(row_chunks(table, 7), partial(sum_count_by, key="key", value="value"), mean_of_pairs)
    pd.testing.assert_series_equal(result.to_series(), expected_means(table), check_names=False, rtol=1e-12)
    assert result.n_chunks == 7 and result.n_pairs == 35


def test_map_reduce_counts_with_hash_partitions_need_no_shuffle(table):
    parts = hash_partition(table, "key", 4)
    result = map_reduce(parts, partial(count_by, key="key"), total)
    assert result.values == table["key"].value_counts().sort_index().to_dict()
    assert result.n_pairs == 5  # each key lives in exactly one partition


SPAWNED = partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context("spawn"))


@pytest.mark.parametrize("make", [ThreadPoolExecutor, SPAWNED], ids=["threads", "spawned processes"])
def test_map_reduce_on_pools_equals_serial(table, make, tmp_path):
    paths = []
    for i, chunk in enumerate(row_chunks(table, 4)):
        paths.append(str(tmp_path / f"{i}.pkl"))
        chunk.to_pickle(paths[-1])
    mapper = partial(sum_count_by, key="key", value="value")
    with make(max_workers=2) as pool:
        pooled = map_reduce(paths, mapper, mean_of_pairs, executor=pool)
    assert pooled.values == map_reduce(row_chunks(table, 4), mapper, mean_of_pairs).values


def test_map_reduce_on_dask_equals_serial(table):
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    chunks = row_chunks(table, 4)
    mapper = partial(sum_count_by, key="key", value="value")
    serial = map_reduce(chunks, mapper, mean_of_pairs)
    graph = dask.delayed(combine)([dask.delayed(mapper)(c) for c in chunks], mean_of_pairs)
    assert graph.compute(scheduler="sync").values == serial.values
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert map_reduce(chunks, mapper, mean_of_pairs, executor=client).values == serial.values
        assert client.status == "running"
    assert client.status == "closed" and cluster.status.name == "closed"
