"""The interpreter: a checked rule file and facts to every value with its trace."""
