"""Sphinx extension: the official API reference, rendered from tests/data/mt5_api.json.

The official functions keep the official C docstrings as ``__doc__`` (they must, to be a
drop-in), which say little. The richer reference - parameters, return type, the failure
sentinel, the ``last_error()`` codes and the official notes - lives in the reference JSON
that the conformance tests check the package against, so this extension renders it at build
time instead of copying it into hand-written pages that could drift. Directives:

``.. mt5-functions::``   every function of the reference, as ``py:function`` entries
``.. mt5-records::``     the 11 result types with their fields and C types
``.. mt5-dtypes::``      the rates and ticks numpy dtypes
``.. mt5-constants::``   every constant group with names and values (from the package)
``.. mt5-errors::``      the ``last_error()`` codes, names, texts and client-side texts

What mt5web adds or changes for a function is in :data:`MT5WEB_NOTES` (kept short; the
compatibility matrix, generated from the tests, is the full account).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

ROOT = Path(__file__).resolve().parents[2]
API_JSON = ROOT / "tests" / "data" / "mt5_api.json"

#: Behaviour of mt5web beyond the official semantics, per function (shown as "mt5web:").
MT5WEB_NOTES = {
    "initialize": (
        "No terminal is started. ``path`` may be a ``ws://``/``wss://`` Web Terminal URL; any "
        "other path is ignored. Without a URL, ``MT5WEB_URL`` is used, else the embedded "
        "simulator (:doc:`/endpoints`). ``portable`` is ignored. An unreachable endpoint gives "
        "``(-10003, 'IPC initialize failed, ...')``."
    ),
    "login": "Logs the session in to another account of the same endpoint.",
    "version": "``(500, trade server build, Web Terminal build date)``.",
    "terminal_info": (
        "Describes mt5web acting as the terminal: fields a desktop terminal has and a Web "
        "Terminal does not (community, DLLs, e-mail, paths) are neutral values; ``path`` is "
        "the endpoint URL."
    ),
    "account_info": (
        "Profit, equity, margin, free margin and margin level are computed locally from the "
        "positions and live ticks, as the Web Terminal does (:ref:`proto-computed`)."
    ),
    "symbol_info_tick": "Subscribes to the symbol's ticks if needed and waits for the first.",
    "copy_rates_from": "Dates are server time (the broker's wall clock written as epoch seconds).",
    "copy_rates_from_pos": "The ``spread`` column is 0: bars carry no spread on the wire.",
    "copy_ticks_from": (
        "Full history on the simulator (its tick-history extension). On a broker only the "
        "ticks streamed since the symbol was subscribed; a request reaching further back "
        "returns None with ``last_error()`` -1."
    ),
    "copy_ticks_range": "Same sources as :func:`copy_ticks_from`.",
    "order_calc_margin": "Computed locally with the trade math; the protocol has no request.",
    "order_calc_profit": "Computed locally with the trade math; the protocol has no request.",
    "order_check": "Checked and computed locally, as the Web Terminal does.",
    "order_send": (
        "``magic`` is echoed in ``result.request`` but not stored by the server: a Web "
        "Terminal request has no magic field, so positions, orders and deals report 0."
    ),
    "positions_get": "``price_current`` and ``profit`` are recomputed on every tick.",
}


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(API_JSON.read_text(encoding="utf-8"))
    return data


def _signature(name: str, spec: dict[str, Any]) -> str:
    """A Python signature from the reference's parameter kinds (``/`` and ``*`` markers)."""
    parts: list[str] = []
    params = spec["params"]
    for index, param in enumerate(params):
        if param["kind"] == "keyword" and "*" not in parts:
            parts.append("*")
        parts.append(param["name"] + ("" if param.get("required") else "=None"))
        following = params[index + 1]["kind"] if index + 1 < len(params) else None
        if param["kind"] == "positional" and following != "positional":
            parts.append("/")
    if name in ("order_send", "order_check"):  # the keyword form (API.md 4)
        parts.append("**request_fields")
    return f"{name}({', '.join(parts)})"


def _inline(text: str) -> str:
    """JSON prose may contain RST specials; show it literally where it would break."""
    text = text.replace("*", r"\*").replace("`", r"\`").replace("|", r"\|")
    return re.sub(r"(\w)_(?=\W|$)", r"\1\_", text)  # "TIMEFRAME_" is not a link


class _Generated(SphinxDirective):
    """Base: render generated RST lines into the document."""

    def lines(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.section()
        content = StringList(self.lines(), source=str(API_JSON))
        nested_parse_with_titles(self.state, content, container)
        self.env.note_dependency(str(API_JSON))
        return list(container.children)


class FunctionsDirective(_Generated):
    def lines(self) -> list[str]:
        api = _load()
        out: list[str] = []
        for name, spec in api["functions"].items():
            if spec.get("private"):
                continue
            out += [f".. py:function:: {_signature(name, spec)}", "   :module: MetaTrader5", ""]
            doc = spec.get("c_docstring", "")
            summary = doc.split("\n\n", 1)[-1] if doc else ""
            if summary:
                out += [f"   {_inline(summary)}.", ""]
            if doc:
                out += ["   Official docstring (``__doc__``)::", ""]
                out += [f"      {line}" if line else "" for line in doc.splitlines()] + [""]
            for param in spec["params"]:
                extra = f" {_inline(param['notes'])}" if param.get("notes") else ""
                required = "" if param.get("required") else ", optional"
                out.append(
                    f"   :param {param['name']}: {_inline(param['type'])}{required};"
                    f" {param['kind'].replace('_', ' ')}.{extra}"
                )
            out.append(f"   :returns: {_inline(spec['returns'])}")
            out.append("")
            if spec.get("on_error"):
                out += [f"   **On failure:** {_inline(spec['on_error'])}", ""]
            if spec.get("notes"):
                out += [f"   **Official notes:** {_inline(spec['notes'])}", ""]
            if name in MT5WEB_NOTES:
                out += [f"   **mt5web:** {MT5WEB_NOTES[name]}", ""]
        return out


def _table(header: list[str], rows: list[list[str]], widths: str = "") -> list[str]:
    out = ["", ".. list-table::", "   :header-rows: 1"]
    if widths:
        out.append(f"   :widths: {widths}")
    out.append("")
    for row in [header, *rows]:
        for index, cell in enumerate(row):
            out.append(f"   {'*' if index == 0 else ' '} - {cell}")
    return [*out, ""]


class RecordsDirective(_Generated):
    def lines(self) -> list[str]:
        api = _load()
        out: list[str] = []
        for name, fields in api["structs"].items():
            c_types = dict(api["struct_c_types"].get(name, []))
            out += [f".. py:class:: {name}", "   :module: MetaTrader5", ""]
            out += [f"   Result type with {len(fields)} fields (a tuple; ``_asdict()`` gives a "
                    "dict).", ""]  # fmt: skip
            rows = [[str(i), f"``{f}``", kind, f"``{c_types.get(f, '')}``"]
                    for i, (f, kind) in enumerate(fields)]  # fmt: skip
            table = _table(["#", "field", "Python type", "C type"], rows, "6 40 20 34")
            out += [f"   {line}" if line else "" for line in table]
        return out


class DtypesDirective(_Generated):
    def lines(self) -> list[str]:
        api = _load()
        out: list[str] = []
        for name, fields in api["dtypes"].items():
            if name.startswith("_"):
                continue
            out += [f"``{name}`` (60 bytes per row, packed):"]
            out += _table(["field", "numpy type"], [[f"``{f}``", f"``{t}``"] for f, t in fields])
        notes = api["dtypes"].get("_notes")
        if notes:
            out += [_inline(notes if isinstance(notes, str) else " ".join(notes)), ""]
        return out


class ConstantsDirective(_Generated):
    def lines(self) -> list[str]:
        from MetaTrader5 import constants  # noqa: PLC0415 - the values as the package has them

        api = _load()
        out: list[str] = []
        for group, names in api["constant_groups"].items():
            title = group[0].upper() + group[1:]
            out += [title, "~" * len(title)]
            rows = [[f"``{n}``", f"``{getattr(constants, n)}``"] for n in names]
            out += _table(["name", "value"], rows, "70 30")
        return out


class ErrorsDirective(_Generated):
    def lines(self) -> list[str]:
        api = _load()
        rows = []
        for code, spec in api["errors"].items():
            if not isinstance(spec, dict):  # "_notes"
                continue
            client = spec.get("client_side_messages", [])
            shown = "; ".join(f"``{_inline(m)}``" for m in client) if client else ""
            rows.append([f"``{code}``", f"``{spec['name']}``", _inline(spec["message"]), shown])
        return _table(["code", "constant", "text", "other texts with this code"], rows,
                      "8 24 30 38")  # fmt: skip


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("mt5-functions", FunctionsDirective)
    app.add_directive("mt5-records", RecordsDirective)
    app.add_directive("mt5-dtypes", DtypesDirective)
    app.add_directive("mt5-constants", ConstantsDirective)
    app.add_directive("mt5-errors", ErrorsDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
