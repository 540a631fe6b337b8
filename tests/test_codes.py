"""CBS codes are written in one place: rules/municipalities.yaml. Everything else is checked
against it."""

from __future__ import annotations

import re

from convenant.source.loading import load_document
from tests.conftest import ASSEN_CODES, assen_rules
from tests.paths import REPO_ROOT

CODE = re.compile(r"\bGM[0-9]{4}\b")
TABLE = REPO_ROOT / "rules" / "municipalities.yaml"


def table_codes() -> dict[str, str]:
    return {row["code"]: row["name"] for row in load_document(TABLE).data["municipalities"]}


def test_no_rule_file_writes_a_cbs_code():
    for path in (REPO_ROOT / "rules").rglob("*"):
        if path.is_file() and path != TABLE:
            assert not CODE.search(path.read_text(encoding="utf-8")), f"{path} writes a CBS code"


def test_the_parties_get_their_codes_from_the_table():
    codes = table_codes()
    rules = assen_rules()
    assert [p.code for p in rules.parties] == ASSEN_CODES
    for party in rules.parties:
        assert codes[party.code] == party.name


def test_every_code_in_examples_docs_and_tests_is_in_the_table():
    codes = table_codes()
    for folder in ("examples", "docs", "tests"):
        for path in (REPO_ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".yaml", ".md", ".py"):
                for code in CODE.findall(path.read_text(encoding="utf-8")):
                    assert code in codes or code == "GM9999", f"{path}: {code} is not in the table"
