"""The simulator's WebSocket connection class: the frames of one batch leave in one write.

The session's writer queues every frame that is ready - a trade answer with its pushes 10,
14 and 19 - on the sans-I/O protocol of ``websockets`` and flushes once
(``Session._send_batch``), but the library then writes each frame with its own
``transport.write``, i.e. its own ``send`` system call, and a peer in the same process
wakes up for each of them. Handing the batch to ``transport.writelines`` sends it in one
call. Anything unusual in the outgoing data (the empty write that asks for a half-close)
goes through the library's own handling.
"""

from __future__ import annotations

from websockets.asyncio.server import ServerConnection

__all__ = ["BatchingConnection"]


class BatchingConnection(ServerConnection):
    """A ``websockets`` server connection that writes a batch of frames at once."""

    def send_data(self) -> None:
        writes = getattr(self.protocol, "writes", None)
        if isinstance(writes, list) and len(writes) > 1 and all(writes):
            self.transport.writelines(self.protocol.data_to_send())
            return
        super().send_data()
