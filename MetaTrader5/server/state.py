"""Saving and restoring the whole engine state (issue 5 "State never lost").

The file is JSON: accounts, ledgers, ticket sequences and the at-most-once window. Writes are
atomic (temp file in the same directory, fsync, ``os.replace``) so a crash leaves either the
old or the new state, never a torn one. A file that cannot be read raises ``StateError``
naming it; the server never silently starts empty over a user's state.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from MetaTrader5.server.accounts import Account
from MetaTrader5.server.engine import TradingEngine
from MetaTrader5.server.ledger import Ledger, TicketSequences

__all__ = ["FORMAT_VERSION", "StateError", "dump_state", "load_state", "restore_state",
           "save_state"]

FORMAT_VERSION = 1


class StateError(Exception):
    """The state file is unreadable, corrupt or of an unknown format."""


def dump_state(engine: TradingEngine) -> dict[str, Any]:
    """The engine's state as plain JSON-able data."""
    return {
        "format": "mt5web-state",
        "version": FORMAT_VERSION,
        "tickets": {"next_order": engine.tickets.next_order,
                    "next_deal": engine.tickets.next_deal},
        "accounts": [
            {"account": account.to_dict(), "ledger": engine.ledgers[login].to_dict()}
            for login, account in sorted(engine.accounts.items())
        ],
        "dedupe": engine.dedupe.to_list(),
    }


def restore_state(engine: TradingEngine, data: dict[str, Any]) -> None:
    """Replace the engine's accounts, ledgers, sequences and dedupe window with ``data``."""
    if data.get("format") != "mt5web-state" or data.get("version") != FORMAT_VERSION:
        raise StateError("not an mt5web state (format/version mismatch)")
    accounts: dict[int, Account] = {}
    ledgers: dict[int, Ledger] = {}
    for item in data["accounts"]:
        account = Account.from_dict(item["account"])
        accounts[account.login] = account
        ledgers[account.login] = Ledger.from_dict(item["ledger"])
    engine.accounts = accounts
    engine.ledgers = ledgers
    engine.tickets = TicketSequences(
        next_order=int(data["tickets"]["next_order"]),
        next_deal=int(data["tickets"]["next_deal"]),
    )
    engine.dedupe.load_list(data["dedupe"])


def save_state(engine: TradingEngine, path: str | os.PathLike[str]) -> None:
    """Write the state to ``path`` atomically (readable by the owner only: it holds passwords)."""
    target = Path(path)
    payload = json.dumps(dump_state(engine), separators=(",", ":"), allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # Make the rename itself durable (POSIX: fsync the directory).
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def load_state(engine: TradingEngine, path: str | os.PathLike[str]) -> None:
    """Restore the engine from ``path``.

    Raises:
        FileNotFoundError: there is no file (the caller decides whether to start fresh).
        StateError: the file exists but is not a valid state; the message names the file.
    """
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
        data = json.loads(text)
        if not isinstance(data, dict):
            raise StateError("top level is not an object")
        restore_state(engine, data)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, StateError) as exc:
        raise StateError(f"cannot load simulator state from {target}: {exc}") from exc
