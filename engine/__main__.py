"""`python -m convenant` is the `convenant` command."""

from convenant.cli.cli import main

main()
