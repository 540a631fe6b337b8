"""Many scenarios at once: scenario tables, vectorised evaluation, results tables."""
