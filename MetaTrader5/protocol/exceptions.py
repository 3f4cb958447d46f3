"""Errors raised by the sans-I/O protocol core.

Every failure of the core is a :class:`ProtocolError`; nothing else escapes a decoder, however
bad the bytes are (the fuzz tests hold us to that). Who is to blame decides the branch:

::

    ProtocolError
    ├── LocalProtocolError          we misused the core (a bug on our side, never the peer's)
    │   ├── NotReadyError           send before bootstrap, after close, or start() twice
    │   ├── CommandNotAllowedError  id outside the allow-list (spec 3.1), or an extension id
    │   │                           before the peer announced it
    │   └── EncodeError             a value does not fit its field (range, length, NaN volume)
    └── RemoteProtocolError         the peer sent something we cannot accept
        ├── FrameError              outer/inner frame too short, wrong length, oversized
        ├── DecryptionError         ciphertext not a multiple of 16, bad PKCS#7 padding
        ├── DecodeError             a body does not match its layout
        │   ├── TruncatedRecordError  a record ends inside a field
        │   ├── OversizedCountError   a count needs more bytes than the body holds (or < 0)
        │   ├── StringDecodeError     invalid UTF-16 (strict mode only, see assumptions)
        │   └── DecompressionError    cmd 34 zlib stream broken or too large
        ├── UnknownCommandError     command id outside the allow-list / unexpected in this state
        └── BootstrapRejectedError  non-zero result code on cmd 0 (spec 1.5)

Messages say what was wrong and where (command, field, byte offset).
"""

from __future__ import annotations

__all__ = [
    "ProtocolError",
    "LocalProtocolError",
    "NotReadyError",
    "CommandNotAllowedError",
    "EncodeError",
    "RemoteProtocolError",
    "FrameError",
    "DecryptionError",
    "DecodeError",
    "TruncatedRecordError",
    "OversizedCountError",
    "StringDecodeError",
    "DecompressionError",
    "UnknownCommandError",
    "BootstrapRejectedError",
]


class ProtocolError(Exception):
    """Base of every error of the protocol core."""


class LocalProtocolError(ProtocolError):
    """We used the core wrongly (sending too early, a value that does not fit, ...)."""


class NotReadyError(LocalProtocolError):
    """The connection is not in a state that allows this operation."""


class CommandNotAllowedError(LocalProtocolError):
    """The command id may not be sent (not allow-listed, or extension not announced)."""


class EncodeError(LocalProtocolError):
    """A value cannot be encoded into its wire field."""


class RemoteProtocolError(ProtocolError):
    """The peer sent data that violates the protocol."""


class FrameError(RemoteProtocolError):
    """An outer or inner frame is malformed (length, size)."""


class DecryptionError(RemoteProtocolError):
    """The ciphertext cannot be decrypted with the current key."""


class DecodeError(RemoteProtocolError):
    """A message body does not match its layout."""


class TruncatedRecordError(DecodeError):
    """A record ends in the middle of a field."""


class OversizedCountError(DecodeError):
    """A count field is negative or needs more bytes than remain in the body."""


class StringDecodeError(DecodeError):
    """A str[N] field is not valid UTF-16LE."""


class DecompressionError(DecodeError):
    """A compressed body cannot be inflated."""


class UnknownCommandError(RemoteProtocolError):
    """The peer used a command id that is unknown or not valid in this state."""


class BootstrapRejectedError(RemoteProtocolError):
    """The server answered the bootstrap (cmd 0) with a non-zero result code."""

    def __init__(self, code: int) -> None:
        super().__init__(f"bootstrap rejected by the server with result code {code} (spec 1.5)")
        self.code = code
