"""The rule-file language: the model of a checked rule file, the expression language and how it
reads as a formula, parties, and the typed trace an evaluation records."""
