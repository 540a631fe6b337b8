"""`python -m engine` is the `convenant` command."""

from engine.cli import main

main()
