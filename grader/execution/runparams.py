"""Parameters for `mlip run`, read from the command line as papermill's command line reads them."""
from __future__ import annotations

import base64
import binascii
from pathlib import Path

import yaml
from papermill.iorw import NoDatesSafeLoader

from grader.model.errors import UsageError


def resolve_value(text: str) -> object:
    """Read a ``-p`` value as papermill does: ``True``/``False``/``None``, an int, a float, else the text.

    Examples
    --------
    >>> [resolve_value(v) for v in ["3", "0.5", "True", "None", "1e3", "hello"]]
    [3, 0.5, True, None, 1000.0, 'hello']
    """
    named = {"True": True, "False": False, "None": None}
    if text in named:
        return named[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _mapping(loaded: object, where: str) -> dict:
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"{where} is not a mapping of parameter names to values; write it as `name: value`")
    return loaded


def _yaml(text: str | bytes, where: str) -> dict:
    try:
        return _mapping(yaml.load(text, Loader=NoDatesSafeLoader), where)
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0]
        raise UsageError(f"{where} is not valid YAML ({problem}); fix it or quote the value") from None


def collect_parameters(*, pairs=(), raw=(), yaml_texts=(), files=(), base64_texts=()) -> dict:
    """Merge every kind of parameter into one dict, later kinds winning, in papermill's order.

    Parameters
    ----------
    pairs : iterable of (str, str)
        ``-p NAME VALUE``: the value read by `resolve_value`.
    raw : iterable of (str, str)
        ``-r NAME VALUE``: the value kept as text.
    yaml_texts : iterable of str
        ``-y YAML``: a mapping written in YAML (dates stay text).
    files : iterable of str
        ``-f FILE``: a YAML or JSON file holding a mapping.
    base64_texts : iterable of str
        ``-b BASE64``: base64 of a YAML mapping.

    Returns
    -------
    dict
        Base64, then files, then YAML, then ``-p``, then ``-r`` (papermill's command line merges in this order).
    """
    merged: dict = {}
    for text in base64_texts:
        try:
            decoded = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise UsageError(f"-b {text!r} is not base64; encode the YAML with `base64 -w0`") from None
        merged.update(_yaml(decoded, f"-b {text!r}"))
    for name in files:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"-f {name}: no such parameters file; give a YAML or JSON file")
        merged.update(_yaml(path.read_text(encoding="utf-8"), f"-f {name}"))
    for text in yaml_texts:
        merged.update(_yaml(text, f"-y {text!r}"))
    for name, value in pairs:
        merged[name] = resolve_value(value)
    for name, value in raw:
        merged[name] = value
    return merged
