"""Check by hand that the real editor shows the schemas' Dutch messages (docs/legal-staff.md,
"Controle tijdens het typen"). Needs Node and yaml-language-server, which the project does not
install (no npm at run time or in CI), so this is a tool and not a test:

    mkdir -p /tmp/yls && (cd /tmp/yls && npm install yaml-language-server)
    CONVENANT_YAML_LANGUAGE_SERVER_DIR=/tmp/yls python tools/editor_messages.py

It copies the Assen rule file with a misspelt key and an article written as words, asks the
server (over its LSP, tools/editor/diagnostics.js) what it shows, and says whether the Dutch
texts appear and the English ones do not. Checked against yaml-language-server 2.0.0.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"


def main() -> int:
    text = (ROOT / "rules" / "assen" / "2024-v1.6.yaml").read_text(encoding="utf-8")
    text = text.replace("$schema=../../schemas/", f"$schema={SCHEMAS.as_posix()}/", 1)
    text = text.replace("  valid_from:", "  valid_fromm:", 1)
    text = text.replace('article: "8.3"', 'article: "8 lid 3"', 1)
    with tempfile.TemporaryDirectory() as folder:
        rule = Path(folder) / "regels.yaml"
        rule.write_text(text, encoding="utf-8")
        shown = subprocess.run(
            ["node", str(ROOT / "tests" / "editor" / "diagnostics.js"), str(rule)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    print(shown)
    wanted = [
        "De velden hier: id (verplicht), title (verplicht), region",
        "Geen geldige verwijzing naar een artikel",
    ]
    unwanted = ["is not allowed", "does not match the pattern"]
    ok = all(w in shown for w in wanted) and not any(u in shown for u in unwanted)
    print("the editor shows the Dutch messages" if ok else "NOT as expected: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
