"""Sans-I/O connection state machines for both sides (spec 1.4 - 1.8).

Rules (h11 / python-websockets style): bytes in, events out; ``send_*`` methods return the
bytes of one WebSocket message for the caller to send. No I/O, no clock, no callbacks.

* BOOTSTRAP: only cmd 0 travels, under ``INITIAL_KEY`` (spec 1.5).
* READY: the session key is in force for every later message in both directions.
* LOGGED_IN: set explicitly (``mark_logged_in``), because the login verdict is business logic.
* CLOSED: nothing more is sent or accepted.

Matching is by command id only (spec 1.6): the client counts requests in flight per id; an
incoming message whose id has a request in flight is a ``Response``, otherwise a ``Push``.
The server counts the requests it owes an answer per id and refuses to push an id while one
is owed; a push-only id (``PUSH_ONLY_COMMANDS``) sent as a request is never owed an answer,
so it is not counted (otherwise one such request would block that push for good), and a
request the server decides to leave unanswered is forgotten with ``drop_pending``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import overload

from .commands import ALLOWED_COMMANDS, PUSH_ONLY_COMMANDS, Command
from .crypto import INITIAL_KEY
from .exceptions import (
    BootstrapRejectedError,
    CommandNotAllowedError,
    NotReadyError,
    UnknownCommandError,
)
from .extension import CAPABILITY_TICK_HISTORY, decode_extension_hello
from .frames import (
    Buffer,
    ServerChunks,
    ServerFrame,
    ServerMessagePieces,
    decode_client_message,
    decode_server_message,
    decode_server_parts,
    encode_client_message,
    encode_server_buffer,
    encode_server_chunks,
    encode_server_message,
)
from .messages.session import (
    BootstrapResponse,
    decode_bootstrap_request,
    decode_bootstrap_response,
    encode_bootstrap_request,
    encode_bootstrap_response,
)

__all__ = [
    "State",
    "TRANSITIONS",
    "Event",
    "BootstrapCompleted",
    "BootstrapRequested",
    "Response",
    "Push",
    "Request",
    "ExtensionAnnounced",
    "ClientConnection",
    "ServerConnection",
]


class State(Enum):
    """Connection states (both sides)."""

    BOOTSTRAP = "bootstrap"
    READY = "ready"
    LOGGED_IN = "logged_in"
    CLOSED = "closed"


#: (state, transition) -> next state. Anything not listed is a NotReadyError.
TRANSITIONS: dict[tuple[State, str], State] = {
    (State.BOOTSTRAP, "bootstrap_done"): State.READY,
    (State.READY, "logged_in"): State.LOGGED_IN,
    (State.LOGGED_IN, "logged_out"): State.READY,
    (State.BOOTSTRAP, "close"): State.CLOSED,
    (State.READY, "close"): State.CLOSED,
    (State.LOGGED_IN, "close"): State.CLOSED,
    (State.CLOSED, "close"): State.CLOSED,
}


@dataclass(frozen=True, slots=True)
class BootstrapCompleted:
    """Client: the server answered cmd 0; the session key is now in force."""

    token: bytes
    session_key: bytes
    server_build: int


@dataclass(frozen=True, slots=True)
class Response:
    """Client: the answer to a request in flight with this command id."""

    command: int
    code: int
    body: memoryview


@dataclass(frozen=True, slots=True)
class Push:
    """Client: a server message with no request of its id in flight."""

    command: int
    body: memoryview


@dataclass(frozen=True, slots=True)
class ExtensionAnnounced:
    """Client: the (simulator-only) extension hello push arrived (see ``extension.py``)."""

    version: int
    capabilities: int


@dataclass(frozen=True, slots=True)
class BootstrapRequested:
    """Server: the client sent cmd 0 with this token (64 zero bytes on a fresh start)."""

    token: bytes


@dataclass(frozen=True, slots=True)
class Request:
    """Server: a client request; ``salt`` may be echoed in the response (spec 1.4)."""

    command: int
    payload: memoryview
    salt: bytes


Event = BootstrapCompleted | Response | Push | ExtensionAnnounced | BootstrapRequested | Request

#: Ids a server message may carry as a push after the bootstrap (spec 3.1); the extension
#: hello is handled on its own.
_PUSH_IDS = ALLOWED_COMMANDS - {Command.BOOTSTRAP, Command.EXTENSION_HELLO}


class _Connection:
    def __init__(self) -> None:
        self.state = State.BOOTSTRAP
        self.key = INITIAL_KEY
        self.extension_capabilities = 0

    def _transition(self, name: str) -> None:
        nxt = TRANSITIONS.get((self.state, name))
        if nxt is None:
            raise NotReadyError(f"cannot {name.replace('_', ' ')} in state {self.state.value}")
        self.state = nxt

    def _require_session(self, what: str) -> None:
        if self.state not in (State.READY, State.LOGGED_IN):
            raise NotReadyError(f"cannot {what} in state {self.state.value} (spec 1.5)")

    def mark_logged_in(self) -> None:
        """READY -> LOGGED_IN, after a successful cmd 28."""
        self._transition("logged_in")

    def mark_logged_out(self) -> None:
        """LOGGED_IN -> READY, after cmd 2."""
        self._transition("logged_out")

    def close(self) -> None:
        """Any state -> CLOSED."""
        self._transition("close")

    @property
    def tick_history_available(self) -> bool:
        """True once the extension hello announced tick history."""
        return bool(self.extension_capabilities & CAPABILITY_TICK_HISTORY)


class ClientConnection(_Connection):
    """The client side: ``start()``, ``send_request()``, ``receive_data()``."""

    def __init__(self) -> None:
        super().__init__()
        self._started = False
        self._in_flight: Counter[int] = Counter()

    def start(self, token: bytes | None = None, salt: bytes | None = None) -> bytes:
        """The bootstrap request (cmd 0 under the initial key, spec 1.5)."""
        if self._started or self.state is not State.BOOTSTRAP:
            raise NotReadyError("start() may be called once, before the bootstrap")
        message = encode_client_message(
            INITIAL_KEY, Command.BOOTSTRAP, encode_bootstrap_request(token), salt
        )
        self._started = True
        return message

    def send_request(self, command: int, payload: Buffer = b"", salt: bytes | None = None) -> bytes:
        """One request under the session key.

        Raises:
            NotReadyError: before the bootstrap completed or after close (JS local 103).
            CommandNotAllowedError: id outside the allow-list (JS local 102), cmd 0, or an
                extension id the server did not announce.
        """
        self._require_session("send a request")
        if command == Command.EXTENSION_TICK_HISTORY:
            if not self.tick_history_available:
                raise CommandNotAllowedError(
                    "extension tick history was not announced by the server"
                )
        elif command not in ALLOWED_COMMANDS or command == Command.BOOTSTRAP:
            raise CommandNotAllowedError(f"command {command} is not in the allow-list (spec 3.1)")
        message = encode_client_message(self.key, command, payload, salt)
        self._in_flight[command] += 1
        return message

    def in_flight(self, command: int) -> int:
        """Requests of this id sent and not yet answered."""
        return self._in_flight[command]

    def receive_data(self, message: Buffer) -> list[Event]:
        """Decode one WebSocket message from the server into events."""
        state = self.state
        if (state is State.LOGGED_IN or state is State.READY) and self._started:
            # The steady state (every push): the checks of _require_receiving and
            # receive_frame in one test, and no frame object.
            command, code, body = decode_server_parts(self.key, message)
            if command in _PUSH_IDS and not self._in_flight.get(command):
                return [Push(command, body)]  # the common case of _session_event, inline
            return self._session_event(command, code, body)
        self._require_receiving()
        return self.receive_frame(decode_server_message(self.key, message))

    def message_pieces(self) -> ServerMessagePieces:
        """A decoder for the next message when it arrives in pieces (WebSocket fragments):
        feed them as they come, then pass its ``finish()`` to :meth:`receive_frame`. Same
        events as :meth:`receive_data` of the joined message."""
        self._require_receiving()
        return ServerMessagePieces(self.key)

    def _require_receiving(self) -> None:
        if self.state is State.CLOSED or not self._started:
            raise NotReadyError(f"cannot receive in state {self.state.value} before start()")

    def receive_frame(self, frame: ServerFrame) -> list[Event]:
        """The events of one decoded server message (see :meth:`message_pieces`)."""
        self._require_receiving()
        if self.state is State.BOOTSTRAP:
            if frame.command != Command.BOOTSTRAP:
                raise UnknownCommandError(f"command {frame.command} before the bootstrap answer")
            if frame.code != 0:
                self.state = State.CLOSED
                raise BootstrapRejectedError(frame.code)
            boot = decode_bootstrap_response(frame.body)
            self.key = boot.session_key
            self._transition("bootstrap_done")
            return [BootstrapCompleted(boot.token, boot.session_key, boot.build)]
        return self._session_event(frame.command, frame.code, frame.body)

    def _session_event(self, command: int, code: int, body: memoryview) -> list[Event]:
        """The event of a message after the bootstrap (spec 1.6: matched by id only)."""
        waiting = self._in_flight.get(command, 0)
        if waiting > 0:
            self._in_flight[command] = waiting - 1
            return [Response(command, code, body)]
        if command in _PUSH_IDS:
            return [Push(command, body)]
        if command == Command.EXTENSION_HELLO:
            hello = decode_extension_hello(body)
            self.extension_capabilities = hello.capabilities
            return [ExtensionAnnounced(hello.version, hello.capabilities)]
        raise UnknownCommandError(f"server sent unknown command {command} (spec 3.1)")


class ServerConnection(_Connection):
    """The server side: ``receive_data()``, ``accept_bootstrap()``, ``send_*()``."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: Counter[int] = Counter()
        self._bootstrap_requested = False

    def receive_data(self, message: Buffer) -> list[Event]:
        """Decode one WebSocket message from the client into events.

        Raises:
            UnknownCommandError: a command before the bootstrap, cmd 0 again, an id outside
                the allow-list, or an extension id not announced. The server decides
                whether to ignore the message or close.
        """
        if self.state is State.CLOSED:
            raise NotReadyError("connection closed")
        frame = decode_client_message(self.key, message)
        if self.state is State.BOOTSTRAP:
            if frame.command != Command.BOOTSTRAP or self._bootstrap_requested:
                raise UnknownCommandError(
                    f"command {frame.command} before the bootstrap completed (spec 1.5)"
                )
            token = decode_bootstrap_request(frame.payload)
            self._bootstrap_requested = True
            return [BootstrapRequested(token)]
        command = frame.command
        extension_ok = command == Command.EXTENSION_TICK_HISTORY and self.tick_history_available
        if not extension_ok and (command not in ALLOWED_COMMANDS or command == Command.BOOTSTRAP):
            raise UnknownCommandError(f"client sent command {command} outside the allow-list")
        if command not in PUSH_ONLY_COMMANDS:
            # spec 1.6: the JS never sends these ids as requests; nobody answers them.
            self._pending[command] += 1
        return [Request(command, frame.payload, frame.salt)]

    def accept_bootstrap(
        self, token: bytes, session_key: bytes, build: int = 0, salt: bytes | None = None
    ) -> bytes:
        """Answer cmd 0 under the initial key and switch to ``session_key`` (spec 1.5)."""
        if self.state is not State.BOOTSTRAP or not self._bootstrap_requested:
            raise NotReadyError("accept_bootstrap() needs a pending BootstrapRequested")
        body = encode_bootstrap_response(BootstrapResponse(build, token, session_key))
        message = encode_server_message(INITIAL_KEY, Command.BOOTSTRAP, 0, body, salt)
        self.key = bytes(session_key)
        self._transition("bootstrap_done")
        return message

    def reject_bootstrap(self, code: int, salt: bytes | None = None) -> bytes:
        """Answer cmd 0 with a non-zero code; the connection is closed (spec 1.5)."""
        if self.state is not State.BOOTSTRAP or not self._bootstrap_requested:
            raise NotReadyError("reject_bootstrap() needs a pending BootstrapRequested")
        message = encode_server_message(INITIAL_KEY, Command.BOOTSTRAP, code, b"", salt)
        self._transition("close")
        return message

    @overload
    def send_response(
        self, command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None
    ) -> bytes | memoryview: ...

    @overload
    def send_response(
        self, command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None, *,
        chunk: int,
    ) -> bytes | memoryview | ServerChunks: ...  # fmt: skip

    def send_response(
        self, command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None, *,
        chunk: int = 0,
    ) -> bytes | memoryview | ServerChunks:  # fmt: skip
        """Answer the oldest pending request of ``command`` (spec 1.6: FIFO per id).

        Large answers come back as a read-only memoryview (``frames.encode_server_buffer``:
        no final copy of a multi-megabyte message); send it as any bytes-like object. With a
        ``chunk`` size, an answer longer than that comes back as ``frames.ServerChunks``, to
        be sent as WebSocket fragments while it is being encrypted."""
        self._require_session("send a response")
        if self._pending[command] <= 0:
            raise NotReadyError(f"no request of command {command} is waiting for an answer")
        message: bytes | memoryview | ServerChunks
        if chunk > 0:
            message = encode_server_chunks(self.key, command, code, body, salt, chunk=chunk)
        else:
            message = encode_server_buffer(self.key, command, code, body, salt)
        self._pending[command] -= 1
        return message

    def send_push(self, command: int, body: Buffer = b"") -> bytes | memoryview:
        """A push (code 0). A push may not reuse an id with a request pending (spec 1.6).
        Large pushes come back as a read-only memoryview, as in :meth:`send_response`."""
        self._require_session("send a push")
        if self._pending[command] > 0:
            raise NotReadyError(f"push {command} while a request {command} is unanswered")
        message = encode_server_buffer(self.key, command, 0, body)
        if command == Command.EXTENSION_HELLO:
            self.extension_capabilities = decode_extension_hello(body).capabilities
        return message

    def pending(self, command: int) -> int:
        """Requests of this id received and not yet answered."""
        return self._pending[command]

    def drop_pending(self, command: int) -> None:
        """Forget the oldest request of ``command`` that will never be answered (spec 3.10:
        reserved ids get no answer), so that a later push of that id is allowed again."""
        if self._pending[command] > 0:
            self._pending[command] -= 1
            if not self._pending[command]:
                del self._pending[command]
