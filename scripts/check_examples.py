"""Type-check the examples with ``mypy --strict`` against the package's stub.

The examples are what users copy, so they must type-check as the public API promises:
``MetaTrader5/__init__.pyi`` makes every failure return type include ``None``, and strict
mode then demands that the examples handle it. Only the examples' own errors count
(``--follow-imports=silent``); the package itself is checked by the ``types`` tox env.

Usage: ``python scripts/check_examples.py [mypy options]`` (also ``tox -e examples``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    examples = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.py"))
    command = [
        sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
        "--python-version", "3.11", *argv, *examples,
    ]  # fmt: skip
    print(" ".join(command[2:]))
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
