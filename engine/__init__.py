"""convenant: rules-as-code for the Dutch covenants on Beschermd Wonen and (Begeleiding)
Maatschappelijke Opvang.

Stages, one module each: loading (YAML → located nodes) → checking (schema and meaning → model)
→ evaluate (exact values with their trace) → report / explain (JSON, tables, letters) → cli.
"""

__version__ = "0.1.0"
