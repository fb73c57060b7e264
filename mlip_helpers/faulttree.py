"""Fault trees: basic events, AND/OR gates, minimal cut sets and the top event's probability.

Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. Fault tree analysis
starts from one undesired top event (for the lecture's autonomous train: a
passenger trapped between the doors) and asks what combination of lower-level
events could cause it. An OR gate fails when any input fails, an AND gate only
when all do. A *cut set* is a set of basic events that together cause the top
event; a *minimal* cut set has no smaller cut set inside it. A minimal cut set
of size one is a single point of failure, and the lecture's advice is to
remove basic events or make cut sets larger with mitigations (Le Goues &
Kaestner, CMU, CC BY 4.0).

Trees are immutable and built bottom-up:

>>> sensor = event("sensor_fails", 0.01)
>>> model = event("model_misses", 0.05, model_mistake=True)
>>> top = or_gate("not_detected", sensor, model)
>>> minimal_cut_sets(top)
[frozenset({'model_misses'}), frozenset({'sensor_fails'})]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import prod
from numbers import Real

import pandas as pd

from mlip_helpers.errors import InputError

__all__ = [
    "Event",
    "FaultTreeError",
    "Gate",
    "and_gate",
    "basic_events",
    "cut_set_table",
    "describe",
    "event",
    "gates",
    "minimal_cut_sets",
    "or_gate",
    "plot",
    "rare_event_approximation",
    "single_points_of_failure",
    "top_event_occurs",
    "top_event_probability",
]

GATE_KINDS = ("and", "or")
MAX_REPEATED = 16
"""Most basic events that may occur more than once in a tree for the exact probability."""

BAD_PROBABILITY = "event {name!r} has probability {p!r}; give a number between 0 and 1."
BAD_NAME = "every event and gate needs a non-empty string name, got {name!r}."
BAD_KIND = "gate {name!r} has kind {kind!r}; use one of {kinds}."
TOO_FEW_CHILDREN = (
    "gate {name!r} has {n} input(s); an AND or OR gate needs at least two. "
    "Connect a single event directly to the gate above instead."
)
NOT_A_NODE = "gate {name!r} got {what!r} as an input; inputs must be events or gates (event(...), and_gate(...))."
NAME_CLASH = (
    "the name {name!r} is used for two different parts of the tree; "
    "reuse the same event object where an event occurs twice, and give different things different names."
)
TOO_MANY_REPEATED = (
    "{n} basic events occur more than once in the tree; the exact probability would need 2**{n} cases. "
    "Use rare_event_approximation(tree) instead."
)


class FaultTreeError(InputError):
    """A fault tree that is malformed: a bad probability, an unknown gate kind, a name used twice.

    Parameters
    ----------
    message : str
        What was wrong and what to do instead.
    name : str
        The event or gate at fault.
    """

    def __init__(self, message: str, *, name: str = "") -> None:
        super().__init__(message, argument="tree")
        self.name = name


@dataclass(frozen=True)
class Event:
    """A basic event: one failure or mistake, with its probability, independent of the others.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. Build it with :func:`event`.
    """

    name: str
    """Short identifier, unique in the tree; cut sets are sets of these names."""
    probability: float
    """Probability that the event happens (in the analysed period, e.g. per trip)."""
    description: str = ""
    """What the event is, in words."""
    model_mistake: bool = False
    """Whether the event is a mistake of an ML model (an unreliable component)."""

    def __post_init__(self) -> None:
        _check_name(self.name)
        p = self.probability
        if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= float(p) <= 1:
            raise FaultTreeError(BAD_PROBABILITY.format(name=self.name, p=p), name=self.name)
        object.__setattr__(self, "probability", float(p))


@dataclass(frozen=True)
class Gate:
    """An AND or OR gate: the event above it happens when all (AND) or any (OR) of its inputs happen.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. Build it with :func:`and_gate` or
    :func:`or_gate`; the constructor checks the whole subtree below it.
    """

    name: str
    """Short identifier of the intermediate (or top) event, unique in the tree."""
    kind: str
    """``"and"`` or ``"or"``."""
    children: tuple
    """The gate's inputs: events and gates."""
    description: str = ""
    """What the intermediate event is, in words."""

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.kind not in GATE_KINDS:
            raise FaultTreeError(BAD_KIND.format(name=self.name, kind=self.kind, kinds=GATE_KINDS), name=self.name)
        children = tuple(self.children)
        object.__setattr__(self, "children", children)
        for child in children:
            if not isinstance(child, (Event, Gate)):
                raise FaultTreeError(NOT_A_NODE.format(name=self.name, what=child), name=self.name)
        if len(children) < 2:
            raise FaultTreeError(TOO_FEW_CHILDREN.format(name=self.name, n=len(children)), name=self.name)
        seen: dict[str, Event | Gate] = {}
        for node in _walk(self):
            other = seen.setdefault(node.name, node)
            if other is not node and other != node:
                raise FaultTreeError(NAME_CLASH.format(name=node.name), name=node.name)


Node = Event | Gate


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name.strip():
        raise FaultTreeError(BAD_NAME.format(name=name), name=str(name))


def _walk(node: Node):
    """Every node below ``node`` (itself included), depth first, repeats included."""
    yield node
    if isinstance(node, Gate):
        for child in node.children:
            yield from _walk(child)


def _as_tree(tree: object) -> Node:
    if not isinstance(tree, (Event, Gate)):
        raise FaultTreeError(f"expected a fault tree (a gate or an event), got {type(tree).__name__}.")
    return tree


def _children(children: tuple) -> tuple:
    if len(children) == 1 and isinstance(children[0], (list, tuple)):
        return tuple(children[0])
    return children


def event(name: str, probability: float, *, description: str = "", model_mistake: bool = False) -> Event:
    """Make a basic event.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    name : str
        Short identifier, unique in the tree (for example ``"camera_obscured"``).
    probability : float
        Probability that the event happens, between 0 and 1.
    description : str, optional
        The event in words.
    model_mistake : bool, optional
        True if the event is a mistake of an ML model.

    Returns
    -------
    Event

    Raises
    ------
    FaultTreeError
        If the name is empty or the probability is not between 0 and 1.

    Examples
    --------
    >>> event("model_misses", 0.05, model_mistake=True).probability
    0.05
    """
    return Event(name, probability, description, model_mistake)


def and_gate(name: str, *children: Node, description: str = "") -> Gate:
    """Make an AND gate: its event happens only when every input happens.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    name : str
        Short identifier of the gate's event.
    *children : Event or Gate
        Two or more inputs (or one list of them).
    description : str, optional
        The gate's event in words.

    Returns
    -------
    Gate

    Raises
    ------
    FaultTreeError
        If there are fewer than two inputs, an input is not an event or gate, or a name is used for two
        different parts of the tree.

    Examples
    --------
    >>> both = and_gate("both_fail", event("a", 0.1), event("b", 0.2))
    >>> round(top_event_probability(both), 3)
    0.02
    """
    return Gate(name, "and", _children(children), description)


def or_gate(name: str, *children: Node, description: str = "") -> Gate:
    """Make an OR gate: its event happens when any input happens.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    name : str
        Short identifier of the gate's event.
    *children : Event or Gate
        Two or more inputs (or one list of them).
    description : str, optional
        The gate's event in words.

    Returns
    -------
    Gate

    Raises
    ------
    FaultTreeError
        If there are fewer than two inputs, an input is not an event or gate, or a name is used for two
        different parts of the tree.

    Examples
    --------
    >>> either = or_gate("either_fails", event("a", 0.1), event("b", 0.2))
    >>> round(top_event_probability(either), 3)
    0.28
    """
    return Gate(name, "or", _children(children), description)


def basic_events(tree: Node) -> dict[str, Event]:
    """The tree's basic events by name, in depth-first order, each once.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree (its top gate).

    Returns
    -------
    dict of str to Event

    Examples
    --------
    >>> list(basic_events(or_gate("t", event("a", 0.1), and_gate("g", event("b", 0.2), event("a", 0.1)))))
    ['a', 'b']
    """
    return {n.name: n for n in _walk(_as_tree(tree)) if isinstance(n, Event)}


def gates(tree: Node) -> dict[str, Gate]:
    """The tree's gates by name, top first, each once.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.

    Returns
    -------
    dict of str to Gate

    Examples
    --------
    >>> list(gates(or_gate("t", event("a", 0.1), and_gate("g", event("b", 0.2), event("c", 0.3)))))
    ['t', 'g']
    """
    return {n.name: n for n in _walk(_as_tree(tree)) if isinstance(n, Gate)}


def _minimise(sets: Iterable[frozenset]) -> list[frozenset]:
    kept: list[frozenset] = []
    for s in sorted(set(sets), key=lambda s: (len(s), sorted(s))):
        if not any(k <= s for k in kept):
            kept.append(s)
    return kept


def minimal_cut_sets(tree: Node) -> list[frozenset[str]]:
    """All minimal cut sets of the tree, by MOCUS (top-down gate expansion) and minimisation.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. MOCUS keeps a list of rows, each a set of
    events and gates that together cause the top event. It replaces a gate in a row by all its inputs (AND)
    or splits the row into one row per input (OR) until only basic events remain. Repeated events make some
    rows supersets of others; those are dropped, leaving only minimal cut sets.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.

    Returns
    -------
    list of frozenset of str
        The minimal cut sets as sets of event names, smallest first, then in alphabetical order.

    Examples
    --------
    >>> a, b, c = event("a", 0.1), event("b", 0.2), event("c", 0.3)
    >>> tree = and_gate("top", or_gate("g1", a, b), or_gate("g2", a, c))
    >>> [sorted(s) for s in minimal_cut_sets(tree)]
    [['a'], ['b', 'c']]
    """
    rows: list[tuple] = [(_as_tree(tree),)]
    done: list[frozenset] = []
    while rows:
        row = rows.pop()
        at = next((i for i, node in enumerate(row) if isinstance(node, Gate)), None)
        if at is None:
            done.append(frozenset(node.name for node in row))
            continue
        gate, rest = row[at], row[:at] + row[at + 1:]
        if gate.kind == "and":
            rows.append(rest + gate.children)
        else:
            rows.extend(rest + (child,) for child in gate.children)
    return _minimise(done)


def single_points_of_failure(tree: Node) -> list[str]:
    """Names of the basic events that cause the top event on their own (cut sets of size one).

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.

    Returns
    -------
    list of str
        In alphabetical order.

    Examples
    --------
    >>> single_points_of_failure(or_gate("t", event("a", 0.1), and_gate("g", event("b", 0.2), event("c", 0.3))))
    ['a']
    """
    return [next(iter(s)) for s in minimal_cut_sets(tree) if len(s) == 1]


def top_event_occurs(tree: Node, happened: Iterable[str]) -> bool:
    """Whether the top event happens when exactly the named basic events happen.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.
    happened : iterable of str
        Names of the basic events that happen; all others do not.

    Returns
    -------
    bool

    Raises
    ------
    FaultTreeError
        If a name is not a basic event of the tree.

    Examples
    --------
    >>> tree = and_gate("top", event("a", 0.1), event("b", 0.2))
    >>> top_event_occurs(tree, {"a"}), top_event_occurs(tree, {"a", "b"})
    (False, True)
    """
    tree = _as_tree(tree)
    happened = set(happened)
    unknown = happened - set(basic_events(tree))
    if unknown:
        raise FaultTreeError(f"{sorted(unknown)} are not basic events of this tree.", name=sorted(unknown)[0])

    def occurs(node: Node) -> bool:
        if isinstance(node, Event):
            return node.name in happened
        results = (occurs(child) for child in node.children)
        return all(results) if node.kind == "and" else any(results)

    return occurs(tree)


def _probability(node: Node, fixed: Mapping[str, float]) -> float:
    if isinstance(node, Event):
        return fixed.get(node.name, node.probability)
    ps = [_probability(child, fixed) for child in node.children]
    return prod(ps) if node.kind == "and" else 1.0 - prod(1.0 - p for p in ps)


def top_event_probability(tree: Node) -> float:
    """Exact probability of the top event when the basic events are independent.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. Where every basic event occurs once, an AND
    gate multiplies its inputs' probabilities and an OR gate gives ``1 - prod(1 - p)``. An event that occurs
    in several branches makes those branches dependent, so the gate rule alone would be wrong; the function
    then conditions on each repeated event (happens / does not happen) and weighs the cases.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.

    Returns
    -------
    float

    Raises
    ------
    FaultTreeError
        If more than ``MAX_REPEATED`` (16) basic events occur more than once.

    Examples
    --------
    >>> a, b, c = event("a", 0.1), event("b", 0.2), event("c", 0.3)
    >>> round(top_event_probability(and_gate("top", or_gate("g1", a, b), or_gate("g2", a, c))), 4)
    0.154
    """
    tree = _as_tree(tree)
    counts: dict[str, int] = {}
    for node in _walk(tree):
        if isinstance(node, Event):
            counts[node.name] = counts.get(node.name, 0) + 1
    repeated = [name for name, n in counts.items() if n > 1]
    if len(repeated) > MAX_REPEATED:
        raise FaultTreeError(TOO_MANY_REPEATED.format(n=len(repeated)))
    events = basic_events(tree)
    total = 0.0
    for states in itertools.product((True, False), repeat=len(repeated)):
        weight = prod(events[n].probability if s else 1.0 - events[n].probability for n, s in zip(repeated, states))
        if weight:
            total += weight * _probability(tree, {n: float(s) for n, s in zip(repeated, states)})
    return float(min(1.0, max(0.0, total)))


def rare_event_approximation(tree: Node) -> float:
    """Sum over the minimal cut sets of the product of their events' probabilities.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. The usual quick estimate in safety
    engineering: close to :func:`top_event_probability` when all probabilities are small, and never below it
    for independent events.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.

    Returns
    -------
    float

    Examples
    --------
    >>> a, b, c = event("a", 0.1), event("b", 0.2), event("c", 0.3)
    >>> round(rare_event_approximation(and_gate("top", or_gate("g1", a, b), or_gate("g2", a, c))), 4)
    0.16
    """
    events = basic_events(tree)
    return float(sum(prod(events[n].probability for n in s) for s in minimal_cut_sets(tree)))


def cut_set_table(tree: Node) -> pd.DataFrame:
    """The minimal cut sets as a table: events, size, probability and whether a model mistake is in it.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.

    Returns
    -------
    pandas.DataFrame
        One row per minimal cut set with columns ``events`` (sorted names joined by ``" + "``), ``size``,
        ``probability`` (the product, assuming independence) and ``model_mistake``; largest probability first.

    Examples
    --------
    >>> table = cut_set_table(or_gate("t", event("a", 0.1), event("b", 0.2, model_mistake=True)))
    >>> table["events"].tolist()
    ['b', 'a']
    """
    events = basic_events(tree)
    rows = [{"events": " + ".join(sorted(s)), "size": len(s),
             "probability": prod(events[n].probability for n in s),
             "model_mistake": any(events[n].model_mistake for n in s)} for s in minimal_cut_sets(tree)]
    table = pd.DataFrame(rows, columns=["events", "size", "probability", "model_mistake"])
    return table.sort_values(["probability", "events"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _label(node: Node) -> str:
    if isinstance(node, Event):
        tag = ", model mistake" if node.model_mistake else ""
        text = f"{node.name} (p={node.probability:g}{tag})"
    else:
        text = f"{node.name} [{node.kind.upper()}]"
    return f"{text}: {node.description}" if node.description else text


def describe(tree: Node) -> str:
    """The tree as an indented outline, one line per gate or event.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.

    Returns
    -------
    str
        Gates show ``[AND]`` or ``[OR]``, events their probability and whether they are model mistakes.

    Examples
    --------
    >>> print(describe(or_gate("t", event("a", 0.1), event("b", 0.2, model_mistake=True))))
    t [OR]
    ├── a (p=0.1)
    └── b (p=0.2, model mistake)
    """
    lines = [_label(_as_tree(tree))]

    def add(node: Node, prefix: str) -> None:
        if isinstance(node, Event):
            return
        for i, child in enumerate(node.children):
            last = i == len(node.children) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{_label(child)}")
            add(child, prefix + ("    " if last else "│   "))

    add(tree, "")
    return "\n".join(lines)


def plot(tree: Node, ax=None):
    """Draw the tree top-down: gates as boxes marked AND/OR, basic events as round boxes.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. Model mistakes are shaded orange. An event
    that occurs in several branches is drawn once per occurrence.

    Parameters
    ----------
    tree : Gate or Event
        The fault tree.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the tree by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot(or_gate("t", event("a", 0.1), event("b", 0.2)))
    >>> sorted(t.get_text().split()[0] for t in ax.texts)
    ['a', 'b', 't']
    """
    import matplotlib.pyplot as plt

    tree = _as_tree(tree)
    placed: list[tuple[Node, float, int]] = []
    placed_edges: list[tuple[float, int, float, int]] = []
    next_leaf = [0.0]

    def layout(node: Node, depth: int) -> float:
        if isinstance(node, Event):
            x = next_leaf[0]
            next_leaf[0] += 1.0
        else:
            xs = [layout(child, depth + 1) for child in node.children]
            x = sum(xs) / len(xs)
            for cx in xs:
                placed_edges.append((x, depth, cx, depth + 1))
        placed.append((node, x, depth))
        return x

    layout(tree, 0)
    depth = max(d for _, _, d in placed)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 2.2 * next_leaf[0]), 1.3 * (depth + 1) + 0.5))
    for x0, d0, x1, d1 in placed_edges:
        ax.plot([x0, x1], [-d0, -d1], color="0.5", linewidth=1, zorder=1)
    for node, x, d in placed:
        if isinstance(node, Gate):
            text, style, colour = f"{node.name}\n{node.kind.upper()}", "square,pad=0.3", "#dde6f5"
        else:
            text, style = f"{node.name}\np={node.probability:g}", "round,pad=0.3"
            colour = "#f7c99b" if node.model_mistake else "#eeeeee"
        ax.text(x, -d, text, ha="center", va="center", fontsize=8, zorder=2,
                bbox={"boxstyle": style, "facecolor": colour, "edgecolor": "0.3"})
    ax.set_xlim(-0.7, next_leaf[0] - 0.3)
    ax.set_ylim(-depth - 0.6, 0.6)
    ax.axis("off")
    return ax
