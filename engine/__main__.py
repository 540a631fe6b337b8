"""`python -m convenant` is the `convenant` command."""

from convenant.cli import main

main()
