"""Sandboxed, budgeted Jinja templates (explanations, letters, sentence templates) and the PDF of
a rendered page, with the fonts shipped."""
