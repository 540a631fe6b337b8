"""Evaluations in words: the explanation of every amount (a driver over the primitives'
explainers) and the JSON and table report."""
