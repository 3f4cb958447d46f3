"""Sphinx configuration for the mt5web documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (or ``tox -e docs``).
The build must stay offline: no intersphinx, no remote images.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# The repository root goes first so that autodoc (used by later API pages) imports the
# working tree's ``MetaTrader5`` rather than some other installed copy.
_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_ROOT))
# Our own extension (docs/_ext): the official API reference rendered from mt5_api.json.
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))


def _read_version() -> str:
    """Read MT5WEB_VERSION without importing the package (keeps the build light)."""
    text = (_ROOT / "MetaTrader5" / "_version.py").read_text(encoding="utf-8")
    found = re.search(r'^MT5WEB_VERSION\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return found.group(1) if found else "0+unknown"


project = "mt5web"
author = "mt5web developers"
copyright = "mt5web developers"
release = _read_version()
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",  # compat_differences.md is Markdown, maintained next to the code
    "mt5_reference",
]

# Contributor notes (docs/dev) are Markdown for the team, not part of the user manual.
exclude_patterns = ["_build", "dev", "_ext", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"

# Strictness: the build runs with -W. Cross-references to types autodoc cannot resolve
# (numpy, typing internals) are not checked.
nitpicky = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "alabaster"
html_title = f"mt5web {release}"
html_static_path = ["_static"]
