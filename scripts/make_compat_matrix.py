"""Generate docs/compat_matrix.rst from the ``compat`` markers of compat_tests.

The matrix cannot drift from the code: every row comes from a marker on a test that runs in
CI (``@pytest.mark.compat("function:order_send", status=..., note=...)``, registered in
compat_tests/conftest.py), plus the conformance tests of tests/test_conformance.py, whose
parametrization already names what they check. The list of subjects comes from the official
reference, tests/data/mt5_api.json: a function, result type, field or constant group that
no test covers fails the generation instead of being silently left out.

Usage::

    python scripts/make_compat_matrix.py           # rewrite docs/compat_matrix.rst
    python scripts/make_compat_matrix.py --check   # exit 1 if the committed file is stale

The markers are read by collecting (not running) the tests in a subprocess, with this file
loaded as a pytest plugin (``-p make_compat_matrix``), so the output does not depend on
timing, the network or the order tests run in.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
API_JSON = ROOT / "tests" / "data" / "mt5_api.json"
OUTPUT = ROOT / "docs" / "compat_matrix.rst"
_ENV_DUMP = "MT5WEB_COMPAT_DUMP"

#: Weakest first; a subject's status is the strongest any marker gives it.
STATUSES = ("identical", "computed", "neutral", "unavailable")
STATUS_TEXT = {
    "identical": "identical",
    "computed": "computed",
    "neutral": "neutral value",
    "unavailable": "not available",
}

#: Conformance tests (tests/test_conformance.py) -> the subject they prove. ``{}`` is the
#: test's parameter; the generator fails if one of these tests is no longer collected.
CONFORMANCE = {
    "test_function_docstring_and_presence": "function:{}",
    "test_calling_convention": "function:{}",
    "test_sentinel_before_initialize": "function:{}",
    "test_helper_signatures": "function:{}",
    "test_struct_field_order_and_construction": "fields:{}",
    "test_dtypes": "dtype:{}",
    "test_constants_names_values_and_order": "constants:*",
    "test_error_codes_and_texts": "errors",
}


# -- the pytest plugin half (runs inside the collecting subprocess) -------------------------


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Dump every collected test's ``compat`` markers to the file named by the environment."""
    target = os.environ.get(_ENV_DUMP)
    if not target:
        return
    rows = []
    for item in items:
        marks = [
            {
                "subjects": list(mark.args),
                "status": mark.kwargs.get("status", "identical"),
                "note": mark.kwargs.get("note", ""),
            }
            for mark in item.iter_markers("compat")
        ]
        xfail = any(True for _ in item.iter_markers("xfail"))
        rows.append({"nodeid": item.nodeid, "marks": marks, "xfail": xfail})
    Path(target).write_text(json.dumps(rows), encoding="utf-8")


# -- the generator half ---------------------------------------------------------------------


@dataclass
class Entry:
    """One row of the matrix: what is proved, how compatible it is, and by which tests."""

    status: str = "identical"
    notes: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    conformance: list[str] = field(default_factory=list)

    def add(self, status: str, note: str, test: str) -> None:
        if STATUSES.index(status) > STATUSES.index(self.status):
            self.status = status
        if note and note not in self.notes:
            self.notes.append(note)
        if test not in self.tests:
            self.tests.append(test)


class MatrixError(ValueError):
    """A marker names something the reference does not have, or a subject has no test."""


def collect_markers() -> list[dict[str, Any]]:
    """Collect compat_tests and the conformance tests in a subprocess; return the dump."""
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "compat.json"
        env = {**os.environ, _ENV_DUMP: str(dump)}
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "scripts"), env.get("PYTHONPATH", "")])
        )
        command = [
            sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "make_compat_matrix",
            "-p", "no:cacheprovider", "compat_tests", "tests/test_conformance.py",
        ]  # fmt: skip
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0 or not dump.exists():
            raise MatrixError(f"collecting the tests failed:\n{done.stdout}\n{done.stderr}")
        rows: list[dict[str, Any]] = json.loads(dump.read_text(encoding="utf-8"))
        return rows


def _short(nodeid: str) -> str:
    """``compat_tests/test_x.py::test_y[p]`` -> ``test_x.py::test_y``."""
    path, _, name = nodeid.partition("::")
    return f"{Path(path).name}::{name.split('[', 1)[0]}"


class Matrix:
    """Every subject of the official reference with its status and evidence."""

    def __init__(self, api: dict[str, Any]) -> None:
        self.api = api
        self.functions = {name: Entry() for name in api["functions"]}
        self.structs: dict[str, dict[str, Entry]] = {name: {} for name in api["structs"]}
        self.struct_fields = {name: [f for f, _ in spec] for name, spec in api["structs"].items()}
        self.dtypes: dict[str, dict[str, Entry]] = {
            name: {} for name in api["dtypes"] if not name.startswith("_")
        }
        self.constant_groups = {name: Entry() for name in api["constant_groups"]}
        self.errors = Entry()

    def _field_entry(self, table: dict[str, Entry], fields: list[str], owner: str, spec: str,
                     ) -> Entry:  # fmt: skip
        if not spec:
            return table.setdefault("", Entry())
        names = spec.split(",")
        unknown = [n for n in names if n not in fields]
        if unknown:
            raise MatrixError(f"{owner} has no field(s) {', '.join(unknown)}")
        return table.setdefault(",".join(names), Entry())

    def entries(self, subject: str) -> list[Entry]:
        """The matrix entries a marker subject names (MatrixError if unknown)."""
        kind, _, rest = subject.partition(":")
        name, _, spec = rest.partition(".")
        if subject == "errors":
            return [self.errors]
        if kind == "function" and rest in self.functions:
            return [self.functions[rest]]
        if kind == "fields" and name in self.structs:
            return [self._field_entry(self.structs[name], self.struct_fields[name], name, spec)]
        if kind == "dtype" and name in self.dtypes:
            fields = [f for f, _ in self.api["dtypes"][name]]
            return [self._field_entry(self.dtypes[name], fields, f"dtype {name}", spec)]
        if kind == "constants" and rest == "*":
            return list(self.constant_groups.values())
        if kind == "constants" and rest in self.constant_groups:
            return [self.constant_groups[rest]]
        raise MatrixError(f"unknown compat subject {subject!r}")

    def apply(self, rows: list[dict[str, Any]]) -> None:
        """Fold the collected markers and conformance tests into the entries."""
        seen_conformance: set[str] = set()
        for row in rows:
            nodeid: str = row["nodeid"]
            test = _short(nodeid) + (" (xfail)" if row["xfail"] else "")
            for mark in row["marks"]:
                if mark["status"] not in STATUSES:
                    raise MatrixError(f"{nodeid}: unknown status {mark['status']!r}")
                for subject in mark["subjects"]:
                    for entry in self.entries(subject):
                        entry.add(mark["status"], mark["note"], test)
            if "test_conformance.py::" in nodeid:
                name = nodeid.split("::", 1)[1]
                base, _, param = name.partition("[")
                template = CONFORMANCE.get(base)
                if template is None:
                    continue
                seen_conformance.add(base)
                subject = template.format(param.rstrip("]").split("-", 1)[0])
                for entry in self.entries(subject):
                    if base not in entry.conformance:
                        entry.conformance.append(base)
        missing = sorted(set(CONFORMANCE) - seen_conformance)
        if missing:
            raise MatrixError(f"conformance tests no longer collected: {', '.join(missing)}")

    def uncovered(self) -> list[str]:
        """Subjects of the reference that no test proves."""
        gaps = [f"function:{n}" for n, e in self.functions.items() if not e.tests]
        gaps += [f"fields:{n}" for n, t in self.structs.items() if "" not in t]
        gaps += [f"dtype:{n}" for n, t in self.dtypes.items() if "" not in t]
        gaps += [f"constants:{n}" for n, e in self.constant_groups.items() if not e.tests]
        if not self.errors.tests:
            gaps.append("errors")
        return gaps


def build(rows: list[dict[str, Any]] | None = None) -> Matrix:
    """The matrix from the reference and the collected markers (collected now if not given)."""
    api: dict[str, Any] = json.loads(API_JSON.read_text(encoding="utf-8"))
    matrix = Matrix(api)
    matrix.apply(collect_markers() if rows is None else rows)
    gaps = matrix.uncovered()
    if gaps:
        raise MatrixError(f"no compat test covers: {', '.join(gaps)}")
    return matrix


# -- RST ------------------------------------------------------------------------------------


def _cell(lines: list[str], first: str, text: str) -> None:
    lines.append(f"   {first} - {text}" if text else f"   {first} -")


def _table(title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    lines = [title, "~" * len(title), "", ".. list-table::", "   :header-rows: 1",
             "   :widths: " + " ".join(["22", "12", "36", "30"][: len(header)]), ""]  # fmt: skip
    for row in (header, *rows):
        for index, value in enumerate(row):
            _cell(lines, "*" if index == 0 else " ", value)
    lines.append("")
    return lines


def _tests(entry: Entry) -> str:
    parts = [f"``{t}``" for t in entry.tests]
    if entry.conformance:
        parts.append("conformance: " + ", ".join(f"``{c}``" for c in entry.conformance))
    return "; ".join(parts)


def _status(entry: Entry) -> str:
    return f"**{STATUS_TEXT[entry.status]}**" if entry.status != "identical" else "identical"


def _field_rows(table: dict[str, Entry], all_fields: list[str]) -> list[tuple[str, ...]]:
    named = {f for key in table if key for f in key.split(",")}
    rest = len(all_fields) - len(named)
    rows: list[tuple[str, ...]] = [(f"all other fields ({rest})" if named else f"all {rest} fields",
             _status(table[""]), "; ".join(table[""].notes), _tests(table[""]))]  # fmt: skip
    for key in sorted(k for k in table if k):
        entry = table[key]
        names = ", ".join(f"``{n}``" for n in key.split(","))
        rows.append((names, _status(entry), "; ".join(entry.notes), _tests(entry)))
    return rows


def render(matrix: Matrix) -> str:
    """The whole page."""
    counts: dict[str, int] = defaultdict(int)
    for entry in matrix.functions.values():
        counts[entry.status] += 1
    lines = [
        ".. This file is generated by scripts/make_compat_matrix.py from the compat markers of",
        "   compat_tests/ and tests/test_conformance.py. Do not edit it by hand.",
        "",
        ".. _compat-matrix:",
        "",
        "Compatibility matrix",
        "====================",
        "",
        "Every function, result type and constant group of the official ``MetaTrader5`` "
        "package (5.0.6231, from the reference ``tests/data/mt5_api.json``), with its status "
        "in mt5web and the tests that prove it. The page is generated from markers on the "
        "tests, so a row cannot claim more than a test checks. The compat tests are written "
        "from the official semantics and can be run against the official package too "
        "(``pytest compat_tests --mt5-module=MetaTrader5`` on Windows).",
        "",
        "identical",
        "   Same names, calling rules, types, sentinels, ``last_error()`` codes and values as "
        "the official package, given the same account and market.",
        "computed",
        "   The value does not travel over the Web Terminal protocol; mt5web computes it the "
        "way the official terminal does (:ref:`proto-computed`).",
        "neutral value",
        "   The value has no source over the Web Terminal protocol; mt5web returns a "
        "documented fixed value of the right type.",
        "not available",
        "   The feature cannot work over the Web Terminal protocol.",
        "",
        "Functions: " + ", ".join(
            f"{counts[s]} {STATUS_TEXT[s]}" for s in STATUSES if counts[s]
        ) + f" (of {len(matrix.functions)}). The differences a program can notice are listed "
        "in :doc:`compat_differences`.",
        "",
    ]  # fmt: skip
    lines += ["Functions", "---------", ""]
    rows = [(f"``{name}``", _status(e), "; ".join(e.notes), _tests(e))
            for name, e in matrix.functions.items()]  # fmt: skip
    lines += _table("Module functions and helpers", ("function", "status", "notes", "proved by"),
                    rows)  # fmt: skip
    lines += ["Result types", "------------", ""]
    for name, table in matrix.structs.items():
        lines += _table(f"{name} ({len(matrix.struct_fields[name])} fields)",
                        ("fields", "status", "notes", "proved by"),
                        _field_rows(table, matrix.struct_fields[name]))  # fmt: skip
    for name, table in matrix.dtypes.items():
        fields = [f for f, _ in matrix.api["dtypes"][name]]
        lines += _table(f"numpy dtype: {name}", ("fields", "status", "notes", "proved by"),
                        _field_rows(table, fields))  # fmt: skip
    lines += ["Constants and errors", "--------------------", ""]
    rows = [(group, str(len(matrix.api["constant_groups"][group])), _status(e), _tests(e))
            for group, e in matrix.constant_groups.items()]  # fmt: skip
    lines += _table("Constant groups", ("group", "constants", "status", "proved by"), rows)
    codes = sum(1 for code in matrix.api["errors"] if code != "_notes")
    error_row = (f"{codes} codes", _status(matrix.errors), "; ".join(matrix.errors.notes),
                 _tests(matrix.errors))  # fmt: skip
    lines += _table("last_error() codes", ("codes", "status", "notes", "proved by"), [error_row])
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    try:
        text = render(build())
    except MatrixError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run scripts/make_compat_matrix.py")
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
