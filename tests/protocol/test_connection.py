"""Client core <-> server core in memory (like h11's ConnectionPair): no event loop."""

from __future__ import annotations

import pytest

from MetaTrader5.protocol import (
    BootstrapCompleted,
    BootstrapRequested,
    ClientConnection,
    Command,
    ExtensionAnnounced,
    Push,
    Request,
    Response,
    ServerConnection,
    State,
)
from MetaTrader5.protocol.exceptions import (
    BootstrapRejectedError,
    CommandNotAllowedError,
    DecryptionError,
    NotReadyError,
    UnknownCommandError,
)
from MetaTrader5.protocol.extension import (
    CAPABILITY_TICK_HISTORY,
    ExtensionHello,
    TickHistoryRequest,
    decode_tick_history_request,
)
from MetaTrader5.protocol.frames import encode_client_message
from MetaTrader5.protocol.messages import decode_id_list, encode_id_list

KEY = bytes(range(16))
TOKEN = bytes(range(64, 128))


class Pair:
    def __init__(self) -> None:
        self.client = ClientConnection()
        self.server = ServerConnection()

    def bootstrap(self) -> BootstrapCompleted:
        (req,) = self.server.receive_data(self.client.start())
        assert req == BootstrapRequested(bytes(64))
        (done,) = self.client.receive_data(self.server.accept_bootstrap(req.token[:0] + TOKEN,
                                                                        KEY, 5687))
        assert isinstance(done, BootstrapCompleted)
        return done

    def request(self, command: int, payload: bytes = b"") -> Request:
        (ev,) = self.server.receive_data(self.client.send_request(command, payload))
        assert isinstance(ev, Request)
        return ev


def test_bootstrap_switches_keys() -> None:
    pair = Pair()
    done = pair.bootstrap()
    assert done == BootstrapCompleted(TOKEN, KEY, 5687)
    assert pair.client.state is pair.server.state is State.READY
    assert pair.client.key == pair.server.key == KEY


def test_requests_responses_and_pushes() -> None:
    pair = Pair()
    pair.bootstrap()
    req = pair.request(Command.SUBSCRIBE_TICKS, encode_id_list([1, 42]))
    assert decode_id_list(req.payload) == (1, 42)
    # a push of another id arrives before the response
    (push,) = pair.client.receive_data(pair.server.send_push(Command.TICKS, b"x" * 50))
    assert isinstance(push, Push) and push.command == Command.TICKS
    (res,) = pair.client.receive_data(pair.server.send_response(req.command, 0, b"", req.salt))
    assert res == Response(Command.SUBSCRIBE_TICKS, 0, memoryview(b""))
    assert pair.client.in_flight(Command.SUBSCRIBE_TICKS) == 0
    # login then logout through explicit transitions
    login = pair.request(Command.LOGIN, bytes(912))
    (res,) = pair.client.receive_data(pair.server.send_response(login.command, 3))
    assert isinstance(res, Response) and res.code == 3
    pair.client.mark_logged_in()
    pair.server.mark_logged_in()
    assert pair.client.state is State.LOGGED_IN
    pair.client.mark_logged_out()
    pair.client.close()
    with pytest.raises(NotReadyError):
        pair.client.send_request(Command.PING)


def test_same_id_answered_in_order_and_push_20_rules() -> None:
    pair = Pair()
    pair.bootstrap()
    pair.request(Command.MARGIN_SPREADS, encode_id_list([]))
    with pytest.raises(NotReadyError):  # spec 1.6: no push 20 while a 20 is unanswered
        pair.server.send_push(Command.MARGIN_SPREADS, b"")
    (res,) = pair.client.receive_data(pair.server.send_response(Command.MARGIN_SPREADS))
    assert isinstance(res, Response)
    (push,) = pair.client.receive_data(pair.server.send_push(Command.MARGIN_SPREADS))
    assert isinstance(push, Push)
    with pytest.raises(NotReadyError):
        pair.server.send_response(Command.PING)  # nothing pending


def test_local_misuse() -> None:
    client = ClientConnection()
    with pytest.raises(NotReadyError):
        client.send_request(Command.PING)
    client.start()
    with pytest.raises(NotReadyError):
        client.start()
    pair = Pair()
    pair.bootstrap()
    with pytest.raises(CommandNotAllowedError):
        pair.client.send_request(999)
    with pytest.raises(CommandNotAllowedError):
        pair.client.send_request(Command.BOOTSTRAP, bytes(64))
    with pytest.raises(CommandNotAllowedError):
        pair.client.send_request(Command.EXTENSION_TICK_HISTORY, bytes(28))


def test_remote_violations() -> None:
    server = ServerConnection()
    with pytest.raises(UnknownCommandError):  # request before bootstrap
        server.receive_data(encode_client_message(ServerConnection().key, Command.PING))
    pair = Pair()
    pair.bootstrap()
    with pytest.raises(UnknownCommandError):  # id outside the allow-list
        pair.server.receive_data(encode_client_message(KEY, 999))
    with pytest.raises(UnknownCommandError):  # extension not announced
        pair.server.receive_data(encode_client_message(KEY, Command.EXTENSION_TICK_HISTORY))
    with pytest.raises(DecryptionError):  # still the initial key: wrong key
        pair.server.receive_data(encode_client_message(bytes(32), Command.PING))


def test_bootstrap_rejected() -> None:
    client, server = ClientConnection(), ServerConnection()
    server.receive_data(client.start())
    with pytest.raises(BootstrapRejectedError) as info:
        client.receive_data(server.reject_bootstrap(2))
    assert info.value.code == 2 and client.state is State.CLOSED


def test_extension_handshake() -> None:
    pair = Pair()
    pair.bootstrap()
    pair.server.mark_logged_in()
    pair.client.mark_logged_in()
    pair.client.receive_data(pair.server.send_push(Command.TRADE_SERVER_STATE, bytes(4)))
    hello = ExtensionHello(1, CAPABILITY_TICK_HISTORY).encode()
    (ev,) = pair.client.receive_data(pair.server.send_push(Command.EXTENSION_HELLO, hello))
    assert ev == ExtensionAnnounced(1, CAPABILITY_TICK_HISTORY)
    payload = TickHistoryRequest(42, 1, 2, 1000, -1).encode()
    req = pair.request(Command.EXTENSION_TICK_HISTORY, payload)
    assert decode_tick_history_request(req.payload) == TickHistoryRequest(42, 1, 2, 1000, -1)


def test_push_only_id_sent_as_request_never_blocks_its_push() -> None:
    pair = Pair()
    pair.bootstrap()
    # A broken or hostile client sends push-only ids as requests (the client core refuses
    # to, so the raw frame is built by hand); the server core reports them but owes no answer.
    for command in (Command.TICKS, Command.TRADE_UPDATE, Command.TRADE_RESULT):
        raw = encode_client_message(KEY, command, b"")
        (ev,) = pair.server.receive_data(raw)
        assert isinstance(ev, Request) and ev.command == command
        assert pair.server.pending(command) == 0
        with pytest.raises(NotReadyError):
            pair.server.send_response(command)  # nothing is owed
        (push,) = pair.client.receive_data(pair.server.send_push(command, b"p"))
        assert isinstance(push, Push) and push.command == command


def test_drop_pending_releases_an_unanswered_id() -> None:
    pair = Pair()
    pair.bootstrap()
    # raw frames: the client core would rightly take the push below for their answer
    for _ in range(2):
        pair.server.receive_data(encode_client_message(KEY, 20, encode_id_list([])))
    pair.server.drop_pending(Command.MARGIN_SPREADS)
    assert pair.server.pending(Command.MARGIN_SPREADS) == 1
    with pytest.raises(NotReadyError):
        pair.server.send_push(Command.MARGIN_SPREADS, b"")
    pair.server.drop_pending(Command.MARGIN_SPREADS)
    pair.server.drop_pending(Command.MARGIN_SPREADS)  # nothing left: no underflow
    assert pair.server.pending(Command.MARGIN_SPREADS) == 0
    (push,) = pair.client.receive_data(pair.server.send_push(Command.MARGIN_SPREADS, b""))
    assert isinstance(push, Push)
