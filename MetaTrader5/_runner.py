"""``python -m MetaTrader5 run SCRIPT [args...]``: run an unchanged official-API script.

Usage::

    python -m MetaTrader5 run SCRIPT [args...] [--url URL] [--login N --password P --server S]

The script runs in this process exactly as ``python SCRIPT args...`` would run it
(``runpy``, ``__name__ == "__main__"``, ``sys.argv == [SCRIPT, *args]``, the script's folder
first on ``sys.path``); only where its ``initialize()`` connects changes:

* ``--url ws://...`` (or ``wss://``): that Web Terminal endpoint;
* else ``MT5WEB_URL`` if set; else the embedded simulator (see ``MetaTrader5._endpoint``).

``--login``, ``--password`` and ``--server`` give the account used when the script's
``initialize()`` names none. Prefer the environment variables ``MT5WEB_LOGIN``,
``MT5WEB_PASSWORD`` and ``MT5WEB_SERVER`` for secrets (a command line is visible to other
users of the machine): they are read once and removed from the environment before the script
starts, and are never logged. The runner's options may come before SCRIPT or anywhere after
it; everything after a literal ``--`` goes to the script unchanged (use it when the script
itself takes ``--url`` or ``--login``).

After the script ends, the default session is shut down; the exit status is the script's.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import _endpoint

__all__ = ["RunOptions", "UsageError", "parse_run_arguments", "run", "main", "USAGE"]

USAGE = (
    "usage: python -m MetaTrader5 run SCRIPT [args...] [--url URL] "
    "[--login N] [--password P] [--server S] [-- script args...]"
)
_VALUE_OPTIONS = ("--url", "--login", "--password", "--server")


class UsageError(ValueError):
    """The runner's command line is wrong; the message says why."""


@dataclass
class RunOptions:
    """The parsed command line of ``run``."""

    script: str
    args: list[str] = field(default_factory=list)
    url: str | None = None
    login: int | None = None
    password: str | None = field(default=None, repr=False)
    server: str | None = None


def _take_option(options: dict[str, str], token: str, rest: list[str]) -> bool:
    """Consume ``--opt value`` or ``--opt=value`` from ``token``/``rest`` into ``options``."""
    name, equals, value = token.partition("=")
    if name not in _VALUE_OPTIONS:
        return False
    if not equals:
        if not rest:
            raise UsageError(f"{name} needs a value")
        value = rest.pop(0)
    options[name[2:]] = value
    return True


def parse_run_arguments(argv: Sequence[str]) -> RunOptions:
    """Split ``argv`` into the runner's options, SCRIPT and the script's arguments."""
    rest = list(argv)
    options: dict[str, str] = {}
    script: str | None = None
    script_args: list[str] = []
    while rest:
        word = rest.pop(0)
        if word == "--":
            if script is None:
                if not rest:
                    break
                script = rest.pop(0)
            script_args.extend(rest)
            break
        if _take_option(options, word, rest):
            continue
        if script is None:
            if word.startswith("-"):
                raise UsageError(f"unknown option {word} before SCRIPT")
            script = word
        else:
            script_args.append(word)
    if script is None:
        raise UsageError("SCRIPT is missing")
    login: int | None = None
    if "login" in options:
        try:
            login = int(options["login"])
        except ValueError:
            raise UsageError("--login must be an account number") from None
    url = options.get("url")
    if url is not None and not _endpoint.is_url(url):
        raise UsageError("--url must start with ws:// or wss://")
    return RunOptions(
        script, script_args, url, login, options.get("password"), options.get("server")
    )


def _where(options: RunOptions) -> str:
    url = options.url or os.environ.get(_endpoint.ENV_URL)
    return f"the Web Terminal at {url}" if url else "the embedded simulator"


def run(options: RunOptions) -> int:
    """Configure the endpoint and run the script; return its exit status."""
    path = Path(options.script)
    if not path.is_file():
        sys.stderr.write(f"mt5web run: no such script: {options.script}\n")
        return 2
    _endpoint.configure(
        url=options.url, login=options.login, password=options.password, server=options.server
    )
    sys.stderr.write(f"mt5web: running {options.script} against {_where(options)}\n")
    sys.stderr.flush()
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [options.script, *options.args]
    sys.path.insert(0, str(path.resolve().parent))
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exc:
        return _exit_status(exc.code)
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        _shutdown_default()
    return 0


def _exit_status(code: object) -> int:
    """What the interpreter would exit with for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def _shutdown_default() -> None:
    from .terminal import default_terminal  # noqa: PLC0415 - the face is already imported

    default_terminal().shutdown()


def main(argv: Sequence[str]) -> int:
    """Entry point of ``python -m MetaTrader5 run``."""
    if argv[:1] in (["-h"], ["--help"]):
        sys.stdout.write(USAGE + "\n\n" + (__doc__ or "").split("\n\n", 1)[1])
        return 0
    try:
        options = parse_run_arguments(argv)
    except UsageError as exc:
        sys.stderr.write(f"{USAGE}\nmt5web run: error: {exc}\n")
        return 2
    return run(options)
