"""Version numbers: ours (the mt5web distribution) and the official package's we mirror."""

#: Version of this implementation (the ``mt5web`` distribution).
MT5WEB_VERSION = "0.1.0"

#: Version string of the official ``MetaTrader5`` package whose surface we reproduce.
OFFICIAL_VERSION = "5.0.6231"
