"""Data sets versioned by checksum: a content-addressed store and the difference between two versions.

Introduced in ``notebooks/13-versioning-provenance.ipynb``. Of the lecture's
versioning strategies for data sets ("Versioning, Provenance, and
Reproducibility", Le Goues & Kaestner, CMU, CC BY 4.0), the first stores
copies of entire data sets and identifies each by a checksum, as Git does.
:class:`ObjectStore` goes one step further, as Git's object database and DVC's
cache do: a table is cut into chunks, each chunk is stored once under its hash,
so versions that share most rows share most bytes. :class:`Repo` with
:func:`dvc_add` and :func:`dvc_checkout` plays DVC: small pointer files naming
hashes go into version control, the bytes into the cache.
Models and the audit log of predictions are in :mod:`mlip_helpers.provenance`.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from dataclasses import asdict, dataclass

import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["DataStore", "DataVersion", "ObjectStore", "Repo", "checksum", "diff_versions", "dvc_add", "dvc_checkout",
           "pointer_digest"]


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


class ObjectStore:
    """Bytes stored under their SHA-256, each distinct content once; tables stored as chunks of rows.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``. :meth:`put_table` writes a table's canonical CSV
    text in chunks of ``chunk_rows`` rows plus a small *tree* object listing the chunks' hashes (as a Git tree
    lists blobs); the tree's hash names the version. A version that appends rows or changes one value shares all
    other chunks with the one before. ``offered_bytes`` counts what was put in, ``stored_bytes`` what is kept.

    >>> store = ObjectStore()
    >>> v1 = store.put_table(pd.DataFrame({"x": range(6)}), chunk_rows=2)
    >>> v2 = store.put_table(pd.DataFrame({"x": range(8)}), chunk_rows=2)  # two rows appended
    >>> store.get_table(v2)["x"].tolist(), store.n_objects  # 4 chunks + 1 header + 2 trees
    ([0, 1, 2, 3, 4, 5, 6, 7], 7)
    >>> store.table_bytes(v2), store.stored_bytes - len(store.get_bytes(v1)) - len(store.get_bytes(v2))
    (18, 18)
    """

    def __init__(self) -> None:
        self._objects: dict[str, bytes] = {}
        self.offered_bytes = 0

    def put_bytes(self, data: bytes) -> str:
        """Keep ``data`` under its SHA-256 unless that content is already stored; return the hash."""
        digest = hashlib.sha256(data).hexdigest()
        self._objects.setdefault(digest, bytes(data))
        self.offered_bytes += len(data)
        return digest

    def get_bytes(self, digest: str) -> bytes:
        """The bytes stored under ``digest``."""
        if digest not in self._objects:
            raise InputError(f"no object {digest[:12]}... in the store; was it pushed?", argument="digest")
        return self._objects[digest]

    def put_table(self, frame: pd.DataFrame, *, chunk_rows: int = 500) -> str:
        """Store ``frame`` as chunks of ``chunk_rows`` CSV rows and a tree listing them; return the tree's hash."""
        if chunk_rows < 1:
            raise InputError(f"chunk_rows must be at least 1, got {chunk_rows}.", argument="chunk_rows")
        header, *lines = frame.to_csv(index=False, lineterminator="\n").splitlines(keepends=True)
        chunks = ["".join(lines[i:i + chunk_rows]) for i in range(0, len(lines), chunk_rows)]
        tree = {"header": self.put_bytes(header.encode()), "chunks": [self.put_bytes(c.encode()) for c in chunks]}
        return self.put_bytes(json.dumps(tree).encode())

    def get_table(self, digest: str) -> pd.DataFrame:
        """The table whose tree is stored under ``digest``."""
        tree = json.loads(self.get_bytes(digest))
        text = b"".join([self.get_bytes(tree["header"])] + [self.get_bytes(c) for c in tree["chunks"]])
        return pd.read_csv(io.BytesIO(text))

    def table_bytes(self, digest: str) -> int:
        """Bytes of the whole table whose tree is ``digest``: what a full copy of that version would take."""
        tree = json.loads(self.get_bytes(digest))
        return sum(len(self.get_bytes(d)) for d in [tree["header"], *tree["chunks"]])

    @property
    def n_objects(self) -> int:
        """Number of distinct objects kept."""
        return len(self._objects)

    @property
    def stored_bytes(self) -> int:
        """Bytes kept, each distinct content counted once."""
        return sum(len(data) for data in self._objects.values())


def dvc_add(cache: ObjectStore, path: str, data: bytes) -> str:
    """Put ``data`` into the cache and return the text of its pointer file ``path + ".dvc"``, as ``dvc add`` does.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``. The pointer names the content's hash, its size and
    the path; it is small enough for Git, while the bytes live in the cache (and, after ``dvc push``, a remote).

    >>> print(dvc_add(ObjectStore(), "model.pkl", b"weights"), end="")
    outs:
    - sha256: 9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c
      size: 7
      path: model.pkl
    """
    digest = cache.put_bytes(data)
    return f"outs:\n- sha256: {digest}\n  size: {len(data)}\n  path: {path}\n"


def pointer_digest(pointer: str) -> str:
    """The hash a pointer file written by :func:`dvc_add` names.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    >>> pointer_digest("outs:\\n- sha256: abc123\\n  size: 3\\n  path: x\\n")
    'abc123'
    """
    for line in pointer.splitlines():
        if line.strip().startswith("- sha256:"):
            return line.split(":", 1)[1].strip()
    raise InputError("this text is not a pointer file: it names no sha256.", argument="pointer")


class Repo:
    """A tiny version control of small text files: commits are snapshots of ``{path: text}``, named by hash.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``, where it holds DVC pointer files and parameters.

    >>> repo = Repo()
    >>> first = repo.commit("start", {"params.yaml": "damping: 20\\n"})
    >>> second = repo.commit("less damping", {"params.yaml": "damping: 5\\n"})
    >>> repo.show(first, "params.yaml"), len(repo.log())
    ('damping: 20\\n', 2)
    """

    def __init__(self) -> None:
        self._commits: dict[str, dict] = {}
        self._order: list[str] = []

    def commit(self, message: str, files: dict[str, str]) -> str:
        """Record ``files`` (path to text) on top of the last commit; return the commit's hash (12 digits)."""
        tree = dict(self._commits[self._order[-1]]["files"]) if self._order else {}
        tree.update(files)
        parent = self._order[-1] if self._order else None
        digest = hashlib.sha256(json.dumps([parent, message, sorted(tree.items())]).encode()).hexdigest()[:12]
        self._commits[digest] = {"message": message, "files": tree, "parent": parent}
        self._order.append(digest)
        return digest

    def show(self, commit: str, path: str) -> str:
        """The text of ``path`` at ``commit`` (``git show commit:path``)."""
        if commit not in self._commits:
            raise InputError(f"no commit {commit!r}; see log().", argument="commit")
        files = self._commits[commit]["files"]
        if path not in files:
            raise InputError(f"{path!r} does not exist at commit {commit}; it has {sorted(files)}.", argument="path")
        return files[path]

    def log(self) -> pd.DataFrame:
        """Every commit, oldest first, with its message and files."""
        return pd.DataFrame([{"commit": c, "message": self._commits[c]["message"],
                              "files": ", ".join(sorted(self._commits[c]["files"]))} for c in self._order],
                            columns=["commit", "message", "files"])


def dvc_checkout(repo: Repo, cache: ObjectStore, commit: str, path: str) -> bytes:
    """The bytes ``path`` had at ``commit``: read its pointer file there, fetch the named hash from the cache.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``; ``git checkout <commit> && dvc checkout`` in one.

    >>> cache, repo = ObjectStore(), Repo()
    >>> old = repo.commit("v1", {"data.csv.dvc": dvc_add(cache, "data.csv", b"x\\n1\\n")})
    >>> new = repo.commit("v2", {"data.csv.dvc": dvc_add(cache, "data.csv", b"x\\n2\\n")})
    >>> dvc_checkout(repo, cache, old, "data.csv")
    b'x\\n1\\n'
    """
    return cache.get_bytes(pointer_digest(repo.show(commit, path + ".dvc")))
