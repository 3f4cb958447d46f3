"""Every uncertain layout choice the core relies on, as named constants in one place.

PROTOCOL.md marks facts it could not verify with [?] (unknown) or [INF] (inferred). Where the
code has to pick a value for such a fact, the pick lives here, with the spec section, so that a
capture from a real server can correct it by editing one line.

``DEBUG`` turns on strict mode (environment ``MT5WEB_DEBUG=1``): decoders then report trailing
bytes, unusual counts and out-of-range values with a WARNING on the ``MetaTrader5.protocol``
logger, and reject invalid UTF-16. Every such check sits behind ``if DEBUG:`` so it costs
nothing when off. The value domains are declared next to the record layouts (``VALID`` tables
in ``schemas/``, see ``valid.py``).

Modules bind ``DEBUG`` at import (``from .assumptions import DEBUG``), so assigning
``assumptions.DEBUG`` later changes nothing; tests and debugging sessions switch strict mode at
run time with :func:`set_strict_mode`, which rebinds it in every loaded protocol module.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = [
    "DEBUG",
    "LOGGER",
    "set_strict_mode",
    "STRICT_MAX_DIGITS",
    "OUTER_FRAME_VERSION",
    "SESSION_KEY_LENGTH",
    "SESSION_KEY_LENGTHS",
    "BOOTSTRAP_PREFIX_LENGTH",
    "BOOTSTRAP_TOKEN_LENGTH",
    "MAX_MESSAGE_SIZE",
    "COMPRESSED_SYMBOLS_PREFIX_IS_LENGTH",
    "ZLIB_WBITS_AUTODETECT",
    "TIMEZONE_SHIFT_UNIT_SECONDS",
    "TRADE_REQUEST_SIZE",
    "TRADE_REQUEST_LEGACY_SIZE",
    "TRADE_REQUEST_SHORT_IS_ZERO_FILLED",
    "TICK_FIELDS_TO_FLAGS_SHIFT",
    "TICK_FIELDS_MASK",
    "ACCOUNT_TYPE_TO_TRADE_MODE",
    "ACCOUNT_TRADE_SETTINGS_COUNT_QUIRK",
    "BOOK_FULL_SNAPSHOT_FLAG",
    "STRING_DECODE_ERRORS",
    "TRADE_RESULT_PREFIX_MEANING",
    "SERVER_SALT_ECHO",
    "RATES_BOUNDS_INCLUSIVE",
]

#: Strict mode (see module docstring). Read once at import; zero cost when off.
DEBUG: bool = os.environ.get("MT5WEB_DEBUG") == "1"

#: The one logger of the protocol layer (house rule 9).
LOGGER = logging.getLogger("MetaTrader5.protocol")


def set_strict_mode(enabled: bool) -> bool:
    """Switch strict mode at run time (tests, debugging); returns the previous setting.

    Rebinds ``DEBUG`` and ``STRING_DECODE_ERRORS`` in this module and in every loaded
    ``MetaTrader5.protocol`` module that imported them; modules imported later pick the new
    values up from here. Restore the returned value when done (e.g. in a fixture's teardown).
    """
    previous = DEBUG
    errors = "strict" if enabled else "replace"
    prefix = __name__.rpartition(".")[0]
    for name, module in list(sys.modules.items()):
        if module is None or not (name == prefix or name.startswith(prefix + ".")):
            continue
        if isinstance(getattr(module, "DEBUG", None), bool):
            setattr(module, "DEBUG", enabled)  # noqa: B010 (a module global, not a field)
        if getattr(module, "STRING_DECODE_ERRORS", None) in ("strict", "replace"):
            setattr(module, "STRING_DECODE_ERRORS", errors)  # noqa: B010
    return previous

# --- transport (spec 1.2 - 1.5) ---------------------------------------------------------------

#: spec 1.2 [?]: version word of the outer header. The JS always writes 1 and ignores it on
#: receive; we write 1 in both directions and ignore it on receive.
OUTER_FRAME_VERSION = 1

#: spec 1.3 [?]: session key length our server hands out (16 -> AES-128). 32 also works.
SESSION_KEY_LENGTH = 16

#: spec 1.3 [INF]: key lengths a client accepts (WebCrypto accepts 16 or 32; pymt5 also 24).
SESSION_KEY_LENGTHS = frozenset({16, 24, 32})

#: spec 1.5 [?]: bytes before the token in the bootstrap response; pymt5 reads them as a u16
#: "server build", the JS ignores them. We read/write a u16 build there.
BOOTSTRAP_PREFIX_LENGTH = 2

#: spec 1.5 [JS]: token length in the bootstrap request and response.
BOOTSTRAP_TOKEN_LENGTH = 64

#: Our own limit: the largest WebSocket message (outer frame) we accept or produce. 1 M bars
#: are 48 MB, a 6 000-symbol cmd 6 list about 3 MB; 256 MiB leaves headroom for both.
MAX_MESSAGE_SIZE = 256 * 1024 * 1024

# --- symbols (spec 3.4.2) ---------------------------------------------------------------------

#: spec 3.4.2 [?]: the 4-byte prefix of cmd 34 is ignored by both clients. We write (and, in
#: strict mode, check) the uncompressed length of the cmd 6 body there, as vectors.json does.
COMPRESSED_SYMBOLS_PREFIX_IS_LENGTH = True

#: spec 3.4.2 [JS]: the JS inflates with zlib/gzip auto-detection; wbits 32+15 does the same.
ZLIB_WBITS_AUTODETECT = 47

# --- account (spec 3.3, 4.3, 4.6) -------------------------------------------------------------

#: spec 4.3 [?]: timezone_shift counts seconds (the JS divides by 3600); MT5 configs use
#: minutes. Whole-hour offsets make both readings agree.
TIMEZONE_SHIFT_UNIT_SECONDS = 1

#: spec 4.6 [INF]: wire account_type -> official ACCOUNT_TRADE_MODE_* (values differ!).
ACCOUNT_TYPE_TO_TRADE_MODE: dict[int, int] = {0: 2, 1: 0, 2: 1, 3: 2}

#: spec 3.3 quirk [JS]: with a trade-settings count of 0 the JS does not skip the count bytes,
#: so later sections shift by 4. Our decoder copies it; our encoder always writes >= 1 record.
ACCOUNT_TRADE_SETTINGS_COUNT_QUIRK = True

# --- trading (spec 3.7) -----------------------------------------------------------------------

#: spec 3.7.1 [JS]: the trade request record length.
TRADE_REQUEST_SIZE = 248

#: spec 6.3 [P]: pymt5 (and other clients in the wild) send 236 bytes.
TRADE_REQUEST_LEGACY_SIZE = 236

#: spec 2.2 / 7.8 [INF]: a trade request shorter than 248 bytes is zero-filled when decoding
#: (even when it does not end on a field boundary), so 236-byte requests decode.
TRADE_REQUEST_SHORT_IS_ZERO_FILLED = True

#: spec 3.7.2 [?]: meaning of the u32 before the request echo in push 19; we treat it as an
#: opaque "action result" value and write 0.
TRADE_RESULT_PREFIX_MEANING = "unknown; written as 0"

#: spec 1.4 [P]: the server may echo the request's salt bytes in its response. We do when the
#: caller passes the request salt, random bytes otherwise.
SERVER_SALT_ECHO = True

# --- market data (spec 3.5, 4.6) --------------------------------------------------------------

#: spec 4.6 [INF]: tick `fields` bits 1/2/4/8 -> official TICK_FLAG_BID/ASK/LAST/VOLUME
#: 2/4/8/16, i.e. ``flags = (fields & TICK_FIELDS_MASK) << 1``.
TICK_FIELDS_TO_FLAGS_SHIFT = 1
TICK_FIELDS_MASK = 0x0F

#: spec 3.5.4 [JS]: books_flags bit meaning "clear the book first" (full snapshot).
BOOK_FULL_SNAPSHOT_FLAG = 2

#: spec 3.5.3 [INF]: both rates request bounds are inclusive.
RATES_BOUNDS_INCLUSIVE = True

# --- strict-mode value domains (spec 4.4) -----------------------------------------------------

#: Our choice [INF]: the largest ``digits`` strict mode accepts. Tick prices travel as
#: price x 10^digits in an f64 (spec 3.5.1, 4.4), exact for integers only up to 2^53 (about
#: 9.0e15): at 16 digits only prices below 0.9 still scale exactly, so a larger value cannot
#: be a usable symbol and more likely shows a misread field.
STRICT_MAX_DIGITS = 16

# --- strings (spec 2.1) -----------------------------------------------------------------------

#: spec 2.1: the JS builds strings from code units, so a lone surrogate (e.g. an emoji cut at
#: 32 units) is legal on the wire. Python cannot decode it strictly; we replace it with U+FFFD
#: in normal mode and raise StringDecodeError in strict mode.
STRING_DECODE_ERRORS = "strict" if DEBUG else "replace"
