"""Data to a checked RuleFile and checked Facts, and which version is in force."""
