"""``python -m MetaTrader5 sim``: run the simulated trade server until interrupted.

The first line written to stdout is the server's ``ws://`` (or ``wss://``) URL, so that scripts
and tests can start the simulator on port 0 and read where it listens. SIGINT and SIGTERM shut
it down cleanly: sessions are closed and the state file (``--state``) is saved atomically.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from .app import SimulatorServer, make_ssl_context, quiet_disconnects
from .config import SimulatorConfig, load_config

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sim`` sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m MetaTrader5 sim",
        description="Run the simulated MetaTrader 5 Web Terminal trade server.",
    )
    parser.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="TCP port; 0 = any free port")
    parser.add_argument("--config", metavar="FILE", help="TOML file with accounts and market")
    parser.add_argument("--seed", type=int, default=None, help="seed of the price paths")
    parser.add_argument("--state", metavar="FILE", help="state file kept across restarts")
    parser.add_argument("--certfile", metavar="F", help="PEM certificate: serve wss://")
    parser.add_argument("--keyfile", metavar="F", help="PEM private key of --certfile")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    return parser


async def _serve(args: argparse.Namespace, config: SimulatorConfig | None) -> None:
    ssl_context = None
    if args.certfile:
        ssl_context = make_ssl_context(args.certfile, args.keyfile)
    server = SimulatorServer(
        config,
        host=args.host or (config.host if config else "127.0.0.1"),
        port=args.port if args.port is not None else (config.port if config else 0),
        seed=args.seed,
        state_file=args.state,
        ssl_context=ssl_context,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(quiet_disconnects)
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with server:
        sys.stdout.write(server.url + "\n")
        sys.stdout.flush()
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m MetaTrader5 sim``; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.keyfile and not args.certfile:
        parser.error("--keyfile needs --certfile")
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    config = None
    if args.config:
        try:
            config = load_config(args.config)
        except (OSError, ValueError) as exc:
            sys.stderr.write(f"error: cannot load {args.config}: {exc}\n")
            return 2
    try:
        asyncio.run(_serve(args, config))
    except KeyboardInterrupt:
        # A second Ctrl-C during shutdown; the first one already saved the state.
        return 130
    except OSError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
