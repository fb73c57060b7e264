"""One workload in three data models: relational tables, nested documents and an append-only log.

Introduced in ``notebooks/11-scaling-data.ipynb``. The same movie ratings (the course's running example, the
MovieLens recommender) are stored three ways, and each store answers the same questions. Every answer also reports
how many records it had to read, so that what a data model makes easy or hard is visible as a count, not only as a
time that depends on the machine.

>>> ratings = pd.DataFrame({"userId": [1, 1, 2], "movieId": [10, 11, 10], "title": ["A", "B", "A"],
...                         "genres": ["Drama", "Comedy", "Drama"], "rating": [4.0, 3.0, 5.0],
...                         "timestamp": [100, 200, 300]})
>>> stores = build_stores(ratings)
>>> [stores.ask(model, "ratings of a user", 1).answer for model in MODELS]
[2, 2, 2]
"""

from __future__ import annotations

import json
import sqlite3
import time
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["MODELS", "QUERIES", "Answer", "Stores", "build_stores", "compare_queries"]

MODELS = ("relational", "document", "log")
QUERIES = ("ratings of a user", "mean rating of a movie", "ratings since a time", "rename a movie")
COLUMNS = ("userId", "movieId", "title", "genres", "rating", "timestamp")


@dataclass(frozen=True)
class Answer:
    """What one data model answered to one query, and what it cost."""

    answer: Any  #: the result: a count of ratings, a mean, or the number of records changed
    records_read: int  #: rows, documents or log lines the store had to read (or write) for it
    seconds: float  #: wall-clock time of the query on this machine


class Stores:
    """The same ratings in a relational database, a document collection and an append-only log.

    Build it with :func:`build_stores` (introduced in ``notebooks/11-scaling-data.ipynb``).

    >>> stores = build_stores(pd.DataFrame({"userId": [1], "movieId": [7], "title": ["A"], "genres": ["Drama"],
    ...                                     "rating": [4.0], "timestamp": [5]}))
    >>> stores.ask("document", "mean rating of a movie", 7).answer
    4.0
    """

    def __init__(self, db: sqlite3.Connection, documents: dict[int, dict], log: list[str]) -> None:
        self.db = db  # tables users, movies, ratings; indexed on the keys
        self.documents = documents  # one document per user, the movies' details embedded in each rating
        self.log = log  # one text line per rating, in time order: "time user movie stars"
        self._times = [int(line.split(" ", 1)[0]) for line in log]

    def storage_bytes(self) -> dict[str, int]:
        """Bytes each model occupies: the database's pages, the documents as JSON, the log's text."""
        pages = self.db.execute("PRAGMA page_count").fetchone()[0] * self.db.execute("PRAGMA page_size").fetchone()[0]
        return {"relational": pages, "document": sum(len(json.dumps(d)) for d in self.documents.values()),
                "log": sum(len(line) + 1 for line in self.log)}

    def ask(self, model: str, query: str, argument: Any) -> Answer:
        """Answer ``query`` (one of :data:`QUERIES`) with ``argument`` from the store of ``model``."""
        if model not in MODELS:
            raise InputError(f"unknown data model {model!r}; choose one of {MODELS}.", argument="model")
        if query not in QUERIES:
            raise InputError(f"unknown query {query!r}; choose one of {QUERIES}.", argument="query")
        start = time.perf_counter()
        answer, read = getattr(self, f"_{model}")(query, argument)
        return Answer(answer, read, time.perf_counter() - start)

    def _relational(self, query: str, argument: Any) -> tuple[Any, int]:
        sql = {"ratings of a user": "SELECT rating FROM ratings WHERE user_id = ?",
               "mean rating of a movie": "SELECT rating FROM ratings WHERE movie_id = ?",
               "ratings since a time": "SELECT rating FROM ratings WHERE time >= ?"}
        if query == "rename a movie":
            movie, title = argument
            changed = self.db.execute("UPDATE movies SET title = ? WHERE movie_id = ?", (title, int(movie))).rowcount
            return changed, changed  # the title lives in one row, joined in when a query needs it
        rows = self.db.execute(sql[query], (int(argument),)).fetchall()  # an index finds exactly the matching rows
        return _summary(query, [r[0] for r in rows]), len(rows)

    def _document(self, query: str, argument: Any) -> tuple[Any, int]:
        if query == "ratings of a user":
            document = self.documents.get(argument, {"ratings": []})
            return len(document["ratings"]), 1  # one document holds everything about the user
        stars, read, changed = [], 0, 0
        for document in self.documents.values():  # no index across documents: read them all
            read += 1
            for entry in document["ratings"]:
                if query == "mean rating of a movie" and entry["movie"]["id"] == argument:
                    stars.append(entry["stars"])
                elif query == "ratings since a time" and entry["time"] >= argument:
                    stars.append(entry["stars"])
                elif query == "rename a movie" and entry["movie"]["id"] == argument[0]:
                    entry["movie"]["title"] = argument[1]  # the title is copied into every rating of it
                    changed += 1
        return (changed, read) if query == "rename a movie" else (_summary(query, stars), read)

    def _log(self, query: str, argument: Any) -> tuple[Any, int]:
        if query == "ratings since a time":
            first = bisect_left(self._times, argument)  # the log is in time order: jump to the start
            lines = self.log[first:]
            return len(lines), len(lines)
        if query == "rename a movie":
            self.log.append(f"{self._times[-1] if self._times else 0} renamed {argument[0]} {argument[1]}")
            self._times.append(self._times[-1] if self._times else 0)
            return 1, 0  # appending an event reads nothing; readers must now replay it
        field = 1 if query == "ratings of a user" else 2
        stars = [float(parts[3]) for parts in (line.split(" ") for line in self.log)
                 if parts[1] != "renamed" and int(parts[field]) == argument]
        return _summary(query, stars), len(self.log)  # every line is read and parsed


def _summary(query: str, stars: list[float]) -> Any:
    if query == "mean rating of a movie":
        return round(sum(stars) / len(stars), 6) if stars else float("nan")
    return len(stars)


def build_stores(ratings: pd.DataFrame) -> Stores:
    """Store ``ratings`` (MovieLens columns) three ways: sqlite tables, one JSON document per user, a log.

    Introduced in ``notebooks/11-scaling-data.ipynb``. The relational store normalises: users, movies and ratings
    are separate tables joined by keys, with indexes on the keys and the time. The document store nests each
    user's ratings, with each movie's title and genres copied in, inside one document per user. The log keeps one
    line per rating in time order and nothing else.

    >>> stores = build_stores(pd.DataFrame({"userId": [3, 4], "movieId": [1, 1], "title": ["A", "A"],
    ...                                     "genres": ["Drama", "Drama"], "rating": [2.0, 4.0],
    ...                                     "timestamp": [1, 2]}))
    >>> len(stores.documents), len(stores.log), stores.ask("relational", "mean rating of a movie", 1).answer
    (2, 2, 3.0)
    """
    missing = [c for c in COLUMNS if c not in ratings.columns]
    if missing:
        raise InputError(f"ratings lack the columns {missing}; pass MovieLens ratings with {list(COLUMNS)}.",
                         argument="ratings")
    ordered = ratings.sort_values("timestamp", kind="stable")
    db = sqlite3.connect(":memory:")
    db.executescript("""
        CREATE TABLE users (user_id INTEGER PRIMARY KEY);
        CREATE TABLE movies (movie_id INTEGER PRIMARY KEY, title TEXT, genres TEXT);
        CREATE TABLE ratings (user_id INTEGER REFERENCES users, movie_id INTEGER REFERENCES movies,
                              rating REAL, time INTEGER);
        CREATE INDEX by_user ON ratings (user_id);
        CREATE INDEX by_movie ON ratings (movie_id);
        CREATE INDEX by_time ON ratings (time);
    """)
    db.executemany("INSERT INTO users VALUES (?)", [(int(u),) for u in ordered["userId"].unique()])
    movies = ordered.drop_duplicates("movieId")
    db.executemany("INSERT INTO movies VALUES (?, ?, ?)",
                   [(int(m), t, g) for m, t, g in movies[["movieId", "title", "genres"]].itertuples(index=False)])
    rows = list(ordered[["userId", "movieId", "rating", "timestamp"]].itertuples(index=False, name=None))
    db.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?)", [(int(u), int(m), float(r), int(t)) for u, m, r, t in rows])
    db.commit()
    documents: dict[int, dict] = {}
    for user, movie, title, genres, stars, when in ordered[list(COLUMNS)].itertuples(index=False, name=None):
        document = documents.setdefault(int(user), {"_id": int(user), "ratings": []})
        document["ratings"].append({"movie": {"id": int(movie), "title": title, "genres": genres},
                                    "stars": float(stars), "time": int(when)})
    log = [f"{int(t)} {int(u)} {int(m)} {float(r)}" for u, m, r, t in rows]
    return Stores(db, documents, log)


def compare_queries(stores: Stores, arguments: dict[str, Any]) -> pd.DataFrame:
    """Ask every model every query in ``arguments``; one row per (query, model) with answer, records read, time.

    Introduced in ``notebooks/11-scaling-data.ipynb``. ``arguments`` maps a query of :data:`QUERIES` to its
    argument (a user id, a movie id, a Unix time, or ``(movie id, new title)`` for a rename). Renames change the
    stores, so they are asked last.

    >>> stores = build_stores(pd.DataFrame({"userId": [1, 2], "movieId": [5, 5], "title": ["A", "A"],
    ...                                     "genres": ["Drama", "Drama"], "rating": [3.0, 5.0],
    ...                                     "timestamp": [10, 20]}))
    >>> table = compare_queries(stores, {"ratings since a time": 15})
    >>> table[["model", "answer", "records_read"]].values.tolist()
    [['relational', 1, 1], ['document', 1, 2], ['log', 1, 1]]
    """
    unknown = [q for q in arguments if q not in QUERIES]
    if unknown:
        raise InputError(f"unknown queries {unknown}; choose from {QUERIES}.", argument="arguments")
    rows = []
    for query in sorted(arguments, key=lambda q: q == "rename a movie"):
        for model in MODELS:
            found = stores.ask(model, query, arguments[query])
            rows.append({"query": query, "model": model, "answer": found.answer,
                         "records_read": found.records_read, "ms": 1000 * found.seconds})
    return pd.DataFrame(rows)
