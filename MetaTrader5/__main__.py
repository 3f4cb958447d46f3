"""Command line: ``python -m MetaTrader5 <subcommand>`` (also installed as ``mt5web``).

Subcommands live in one table, :data:`SUBCOMMANDS`: name -> (help, add_arguments, run);
``--version`` is global.

* ``summary`` - counts of the official surface;
* ``run SCRIPT [args...]`` - run an unchanged official-API script against the embedded
  simulator or a Web Terminal (``MetaTrader5._runner``);
* ``sim [options]`` - run the simulated trade server (``MetaTrader5.server.cli``).

``run`` and ``sim`` parse their own command lines (``add_arguments`` is None in their rows):
everything after the subcommand name is handed to them unchanged, so a script's own options
reach the script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ._version import MT5WEB_VERSION, OFFICIAL_VERSION

__all__ = ["SUBCOMMANDS", "main", "version_text", "summary_text"]

_AddArguments = Callable[[argparse.ArgumentParser], None] | None
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


def _run_script(options: argparse.Namespace) -> int:
    from ._runner import main as run_main  # noqa: PLC0415 - only for this subcommand

    return run_main(options.argv)


def _run_simulator(options: argparse.Namespace) -> int:
    from .server.cli import main as sim_main  # noqa: PLC0415 - the simulator on demand

    return sim_main(options.argv)


#: name -> (one-line help, add the subcommand's arguments - None: it takes the raw rest of
#: the command line as ``options.argv`` - , run it and return the exit code).
SUBCOMMANDS: dict[str, tuple[str, _AddArguments, _Run]] = {
    "summary": ("print counts of the official surface", _no_arguments, _run_summary),
    "run": (
        "run an unchanged MetaTrader5 script against the simulator or a Web Terminal",
        None,
        _run_script,
    ),
    "sim": ("run the simulated MetaTrader 5 trade server", None, _run_simulator),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m MetaTrader5", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", metavar="command")
    for name, (help_text, add_arguments, run) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text, add_help=False)
        if add_arguments is None:
            sub.add_argument("argv", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        else:
            sub.add_argument("-h", "--help", action="help", help="show this help and exit")
            add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``) and run the chosen subcommand."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS and SUBCOMMANDS[args[0]][1] is None:
        # Raw subcommands parse their own options (module docstring).
        return SUBCOMMANDS[args[0]][2](argparse.Namespace(argv=args[1:]))
    parser = _parser()
    options = parser.parse_args(args)
    run: _Run | None = getattr(options, "run", None)
    if run is None:
        parser.print_help()
        return 2
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
