"""Checksums of tables, the content-addressed store and diffs between versions: exact known values."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.versioning import DataStore, checksum, diff_versions


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({"id": [1, 2, 3], "ratio": [0.221, 0.265, 1 / 3], "grade": [5, 2, 1],
                         "flag": ["no", "yes", "no"]})


def test_checksum_is_sha256_of_the_csv_text(table):
    text = "id,ratio,grade,flag\n1,0.221,5,no\n2,0.265,2,yes\n3,0.3333333333333333,1,no\n"
    assert checksum(table) == hashlib.sha256(text.encode()).hexdigest()


def test_checksum_changes_exactly_when_the_content_does(table, tmp_path):
    same = checksum(table)
    table.to_csv(tmp_path / "t.csv", index=False)
    assert checksum(pd.read_csv(tmp_path / "t.csv")) == same  # round trip through a file keeps the content
    assert checksum(table.set_index(pd.Index([7, 8, 9]))) == same  # the index is not content
    edited = table.copy()
    edited.loc[0, "ratio"] = 0.222
    for changed in (edited, table.iloc[::-1], table.rename(columns={"ratio": "r"}), table.astype({"grade": float})):
        assert checksum(changed) != same


def test_store_keeps_each_content_once_and_returns_copies(table):
    store = DataStore()
    first = store.put(table, "t", note="first")
    again = store.put(table.copy(), "t", note="again")
    other = store.put(table.head(2), "t", parent=first.checksum)
    assert first.checksum == again.checksum != other.checksum and store.n_objects == 2
    assert (first.rows, other.rows, other.parent) == (3, 2, first.checksum)
    got = store.get(first.checksum[:8])
    got.loc[0, "grade"] = 99
    pd.testing.assert_frame_equal(store.get(first.checksum), table)
    history = store.history("t")
    assert history["note"].tolist() == ["first", "again", ""] and store.history("nothing").empty


def test_store_rejects_short_or_unknown_references(table):
    store = DataStore()
    store.put(table, "t")
    for ref in ("", "abc", "0" * 64):
        with pytest.raises(InputError, match="unique checksum prefix"):
            store.get(ref)


def test_diff_lists_added_removed_and_changed_values():
    old = pd.DataFrame({"id": [1, 2, 3, 4], "x": [0.5, 0.7, np.nan, np.nan], "y": ["a", "b", "c", "d"]})
    new = pd.DataFrame({"id": [2, 3, 4, 5], "x": [70.0, np.nan, 1.0, 0.2], "y": ["b", "c", "d", "e"]})
    changes = diff_versions(old, new, "id")
    assert changes[["id", "change", "column"]].fillna("-").values.tolist() == [
        [1, "removed", "-"], [2, "changed", "x"], [4, "changed", "x"], [5, "added", "-"]]
    assert changes.loc[changes["id"] == 2, ["old", "new"]].values.tolist() == [[0.7, 70.0]]
    assert diff_versions(old, old, "id").empty


def test_diff_needs_a_unique_key():
    frame = pd.DataFrame({"id": [1, 1], "x": [1, 2]})
    with pytest.raises(InputError, match="unique"):
        diff_versions(frame, frame, "id")
    with pytest.raises(InputError, match="column 'key'"):
        diff_versions(frame, frame, "key")


# ---- content-addressed chunks and DVC-like pointer files (ObjectStore, Repo, dvc_add, dvc_checkout)

from mlip_helpers.versioning import ObjectStore, Repo, dvc_add, dvc_checkout, pointer_digest  # noqa: E402


def test_object_store_keeps_each_content_once():
    store = ObjectStore()
    first, again = store.put_bytes(b"abc"), store.put_bytes(b"abc")
    assert first == again == hashlib.sha256(b"abc").hexdigest()
    assert store.n_objects == 1 and store.stored_bytes == 3 and store.offered_bytes == 6
    with pytest.raises(InputError, match="no object"):
        store.get_bytes("0" * 64)


def test_appending_rows_reuses_full_chunks_and_a_correction_adds_one_chunk():
    store = ObjectStore()
    base = pd.DataFrame({"id": range(10), "x": [0.5] * 10})
    store.put_table(base, chunk_rows=4)  # chunks of rows 0-3, 4-7, 8-9, a header, a tree
    assert store.n_objects == 5
    store.put_table(pd.concat([base, pd.DataFrame({"id": [10, 11], "x": [1.0, 2.0]})], ignore_index=True),
                    chunk_rows=4)  # rows 8-11 form a new chunk; a new tree
    assert store.n_objects == 7
    corrected = base.copy()
    corrected.loc[5, "x"] = 9.0
    store.put_table(corrected, chunk_rows=4)
    assert store.n_objects == 9  # one chunk, one tree


def test_a_table_reads_back_with_its_checksum():
    table = pd.DataFrame({"id": [1, 2, 3], "name": ["a, b", 'say "hi"', "c"], "x": [0.1, 1 / 3, 2.0]})
    store = ObjectStore()
    assert checksum(store.get_table(store.put_table(table, chunk_rows=2))) == checksum(table)
    with pytest.raises(InputError, match="chunk_rows"):
        store.put_table(table, chunk_rows=0)


def test_checkout_of_an_old_commit_returns_its_bytes():
    cache, repo = ObjectStore(), Repo()
    old = repo.commit("v1", {"data.csv.dvc": dvc_add(cache, "data.csv", b"one"), "params.yaml": "k: 1\n"})
    new = repo.commit("v2", {"data.csv.dvc": dvc_add(cache, "data.csv", b"two")})
    assert dvc_checkout(repo, cache, old, "data.csv") == b"one"
    assert dvc_checkout(repo, cache, new, "data.csv") == b"two"
    assert repo.show(new, "params.yaml") == "k: 1\n"  # unchanged files carry over
    assert repo.log()["commit"].tolist() == [old, new] and old != new


def test_pointer_files_name_hash_and_size():
    pointer = dvc_add(ObjectStore(), "m.pkl", b"12345")
    assert pointer_digest(pointer) == hashlib.sha256(b"12345").hexdigest() and "size: 5" in pointer
    with pytest.raises(InputError, match="not a pointer file"):
        pointer_digest("just text")


def test_repo_errors_name_what_is_missing():
    repo = Repo()
    commit = repo.commit("only", {"a.txt": "x"})
    with pytest.raises(InputError, match="does not exist at commit"):
        repo.show(commit, "b.txt")
    with pytest.raises(InputError, match="no commit"):
        repo.show("deadbeef", "a.txt")
