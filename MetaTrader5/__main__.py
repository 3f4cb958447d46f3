"""Command line: ``python -m MetaTrader5 <subcommand>`` (also installed as ``mt5web``).

Subcommands live in one table, :data:`SUBCOMMANDS`: name -> (help, add_arguments, run).
Others (``sim``, ``run``) are added by registering a row; ``--version`` is global.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ._version import MT5WEB_VERSION, OFFICIAL_VERSION

__all__ = ["SUBCOMMANDS", "main", "version_text", "summary_text"]

_AddArguments = Callable[[argparse.ArgumentParser], None]
_Run = Callable[[argparse.Namespace], int]


def version_text() -> str:
    """One line: our version and the official version whose surface we reproduce."""
    return f"mt5web {MT5WEB_VERSION} (MetaTrader5 {OFFICIAL_VERSION} compatible)"


def summary_text() -> str:
    """The surface summary, one ``name: count`` per line."""
    from .extras import surface_summary  # noqa: PLC0415 - keeps --version light

    return "\n".join(f"{name}: {count}" for name, count in surface_summary().items())


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def _run_summary(options: argparse.Namespace) -> int:
    del options
    print(summary_text())
    return 0


#: name -> (one-line help, add the subcommand's arguments, run it and return the exit code).
SUBCOMMANDS: dict[str, tuple[str, _AddArguments, _Run]] = {
    "summary": ("print counts of the official surface", _no_arguments, _run_summary),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m MetaTrader5", description=__doc__)
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", metavar="command")
    for name, (help_text, add_arguments, run) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``) and run the chosen subcommand."""
    parser = _parser()
    options = parser.parse_args(argv)
    run: _Run | None = getattr(options, "run", None)
    if run is None:
        parser.print_help()
        return 2
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
