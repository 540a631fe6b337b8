"""The register of runs: every evaluation and every set of letters, with the inputs that made them,
so that a letter can be made again, byte for byte, from its kenmerk (`convenant reproduce`)."""
