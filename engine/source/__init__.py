"""Files to located data: the YAML composer, JSON Schema, spreadsheets, surgical YAML text edits."""
