"""Puts the repository root on sys.path, as `rasa` run from the root does.

The tokenizer imports ``api.text`` and is itself imported as ``bot.components...``.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
