"""The `convenant` command's entry point. A warm `convenant validate FILE…` (nothing changed since
the last full check) is answered from the disk cache before click and the engine are imported
(validate_cache.py: a new process in tens of milliseconds); everything else, and every miss, is
the command line of cli.py.
"""

from __future__ import annotations

import sys

from convenant.cli import validate_cache


def main() -> None:
    validate_cache.answer(sys.argv[1:])
    from convenant.cli.cli import cli

    cli(prog_name="convenant")
