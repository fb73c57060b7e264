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

import hashlib
import json
import pickle
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["AuditLog", "ModelRegistry", "ModelVersion", "Prediction", "Reproduction", "reproduce"]


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
