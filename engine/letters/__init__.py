"""The settlement letters, one per party, and the check of every template a letter or an
explanation renders (against a sample evaluation)."""
