"""Where the checkout under test lives: tests read the repository's own files (examples, docs,
the engine's sources), which an installed wheel does not need."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
