"""Print the counts of the official surface (same as ``python -m MetaTrader5 summary``)."""

from __future__ import annotations

import sys

from MetaTrader5.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["summary"]))
