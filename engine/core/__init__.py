"""Support every stage relies on: exact money, exact arrays, dates and terms, units, problems with
their places and their words, citations, values as people read them, reading and writing files
safely."""
