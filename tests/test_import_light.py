"""``import MetaTrader5`` stays light: no pandas, no simulator, no asyncio/websockets."""

from __future__ import annotations

import json
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_does_not_pull_heavy_or_upper_layers() -> None:
    loaded = _modules_after("import MetaTrader5")
    for name in ("pandas", "MetaTrader5.server", "MetaTrader5.client", "asyncio", "websockets"):
        assert name not in loaded, name


def test_a_failed_initialize_stays_light_too() -> None:
    code = "import MetaTrader5 as m\nm.initialize('ws://127.0.0.1:9/t', login=1, password='x')"
    loaded = _modules_after(code + "\nm.account_info()")
    assert "pandas" not in loaded
    assert "MetaTrader5.server" not in loaded


def test_the_simulator_is_imported_by_initialize_and_pandas_never() -> None:
    code = "import MetaTrader5 as m\nassert m.initialize()\nm.account_info()\nm.shutdown()"
    loaded = _modules_after(code)
    assert "MetaTrader5.server" in loaded
    assert "pandas" not in loaded
