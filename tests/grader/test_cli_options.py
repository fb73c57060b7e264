"""The command line: defaults are the library's, every option says what it does, impossible values are refused in
one line, and the commands a TA runs most import only what they use (benchmarks/startup.py measures the time)."""
import argparse
import importlib
import inspect
import subprocess
import sys

import pytest

from grader import cli


@pytest.mark.parametrize("key", list(cli.DEFAULTS), ids=lambda k: ".".join(k))
def test_the_cli_defaults_are_the_library_defaults(key):
    module, name, param = key
    obj = getattr(importlib.import_module(module), name)
    if inspect.isclass(obj) and not hasattr(obj, "__dataclass_fields__") or param in getattr(obj, "__dataclass_fields__", {}):
        assert getattr(obj, param) == cli.DEFAULTS[key]
    else:
        assert inspect.signature(obj).parameters[param].default == cli.DEFAULTS[key]


def _parsers(parser, path=("mlip",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))


def test_every_option_and_argument_has_a_help_text():
    missing = [f"{' '.join(path)} {a.option_strings or a.dest}" for path, p in _parsers(cli.build_parser())
               for a in p._actions if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))
               and not a.help]
    assert missing == []


@pytest.mark.parametrize("argv, words", [
    (["grade", "--jobs", "0"], "--jobs: 0 is impossible; give 1 or more workers"),
    (["grade", "--jobs", "-3"], "--jobs: -3 is impossible"),
    (["run", "x.ipynb", "--jobs", "two"], "'two' is not a whole number"),
    (["grade", "--cell-timeout", "0"], "a number of seconds above 0"),
    (["run", "x.ipynb", "--notebook-timeout", "nan"], "impossible"),
    (["check", "toy", "--jobs", "0"], "1 or more workers"),
    (["extend", "toy", "--student", "s", "--days", "0"], "--days: 0 is impossible"),
    (["accommodate", "s", "--time-factor", "0.5"], "a factor of 1 or more"),
    (["accommodate", "s", "--extra-tokens", "-1"], "0 or more tokens"),
    (["similarity", "toy", "--threshold", "0"], "a share between 0 and 1"),
    (["similarity", "toy", "--threshold", "1.5"], "a share between 0 and 1"),
    (["grade", "--judge", "nobody"], "invalid choice"),
])
def test_impossible_values_are_one_line_errors(argv, words, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "--help" in err, err


HEAVY = ["pandas", "nbformat", "nbgrader", "jsonschema", "nbclient", "matplotlib", "numpy", "tqdm", "dask"]


def _imported(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split()) & set(HEAVY)


def test_help_imports_nothing_heavy():
    assert _imported("from grader import cli\ncli.build_parser().format_help()") == set()


def test_status_imports_no_notebook_or_table_library():
    assert _imported("from grader import commands\nfrom grader.records import standing") == set()


def test_submit_skips_the_rfc3987_grammar():
    code = ("import sys\nsys.argv = ['mlip', '--help']\nfrom grader import cli\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\nimport nbformat\n")
    out = subprocess.run([sys.executable, "-c", code + "print('rfc3987_syntax' in sys.modules and "
                          "sys.modules['rfc3987_syntax'] is not None)"], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")
