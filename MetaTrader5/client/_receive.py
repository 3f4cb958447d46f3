"""Reading one server message off the WebSocket, whole or in fragments.

The simulator sends bulk answers (bars, tick history) as WebSocket fragments of 1 MiB,
encrypting each just before it leaves. Reading them with ``recv()`` would have ``websockets``
join the fragments into one ``bytes`` first - for a 50 MB answer that join cost more than
decrypting it. Here the fragments are decrypted one by one as they arrive
(``ClientConnection.message_pieces``), overlapping with the server's encryption of the next
one; a message in one frame takes the plain path.
"""

from __future__ import annotations

from websockets.asyncio.client import ClientConnection as WebSocket

from MetaTrader5.protocol import ClientConnection, Event
from MetaTrader5.protocol.frames import ServerMessagePieces

__all__ = ["receive_events"]


async def receive_events(ws: WebSocket, connection: ClientConnection) -> list[Event] | None:
    """The events of the next message, or None for a text message (spec 1.1: never used;
    ignored).

    Raises:
        websockets.exceptions.ConnectionClosed: the connection ended.
        ProtocolError: the message does not decode.
    """
    first: bytes | None = None
    pieces: ServerMessagePieces | None = None
    text = False
    async for fragment in ws.recv_streaming():
        if isinstance(fragment, str):
            text = True  # drain the rest of the message, then ignore it
        elif text:
            continue
        elif first is None:
            first = fragment
        elif pieces is None:
            pieces = connection.message_pieces()
            pieces.feed(first)
            pieces.feed(fragment)
        else:
            pieces.feed(fragment)
    if text:
        return None
    if pieces is not None:
        return connection.receive_frame(pieces.finish())
    if first is None:
        return None
    return connection.receive_data(first)
