"""Sans-I/O core of the MetaTrader 5 Web Terminal protocol, shared by client and server.

No asyncio, sockets, threads or clocks here: bytes in, values/events out (see
``connection.py``). Layout: ``crypto`` (AES), ``frames`` (outer/inner frames), ``codec`` (field
types and schemas), ``schemas/`` (every record, declared once), ``messages/`` (typed bodies,
``encode_*``/``decode_*``), ``bulk`` (numpy), ``extension`` (ours, simulator only),
``connection`` (state machines), ``assumptions`` (every uncertain choice), ``exceptions``.
"""

from __future__ import annotations

from . import assumptions, bulk, codec, crypto, extension, frames, messages, schemas, values
from .commands import ALLOWED_COMMANDS, Command
from .connection import (
    BootstrapCompleted,
    BootstrapRequested,
    ClientConnection,
    Event,
    ExtensionAnnounced,
    Push,
    Request,
    Response,
    ServerConnection,
    State,
)
from .exceptions import LocalProtocolError, ProtocolError, RemoteProtocolError
from .values import lots_to_wire, wire_to_lots

__all__ = [
    "Command",
    "ALLOWED_COMMANDS",
    "ProtocolError",
    "LocalProtocolError",
    "RemoteProtocolError",
    "ClientConnection",
    "ServerConnection",
    "State",
    "Event",
    "BootstrapCompleted",
    "BootstrapRequested",
    "Request",
    "Response",
    "Push",
    "ExtensionAnnounced",
    "lots_to_wire",
    "wire_to_lots",
    "assumptions",
    "bulk",
    "codec",
    "crypto",
    "extension",
    "frames",
    "messages",
    "schemas",
    "values",
]
