"""`python -m convenant` is the `convenant` command."""

from convenant.cli.start import main

main()
