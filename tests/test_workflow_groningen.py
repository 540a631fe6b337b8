"""The rule-file workflow on the Groningen covenant: a changed percentage in legal words and its
effect per municipality and per row of the spreadsheet, for the same facts."""

from __future__ import annotations

import shutil

from tests.paths import REPO_ROOT

GRONINGEN = REPO_ROOT / "rules" / "groningen"


def changed_copy(tmp_path, old: str, new: str):
    target = tmp_path / "rules" / "groningen"
    target.mkdir(parents=True)
    text = (GRONINGEN / "2021.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (target / "2021.yaml").write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(GRONINGEN / "2021-bijlage-1.yaml", target)
    shutil.copytree(GRONINGEN / "2021.templates", target / "2021.templates")
    return target / "2021.yaml"


def test_a_changed_buffer_percentage_in_legal_words_and_its_effect_per_row(run, tmp_path):
    new = changed_copy(
        tmp_path,
        '    value: 3\n    unit: percentage\n    article: "4.2d"',
        '    value: 4\n    unit: percentage\n    article: "4.2d"',
    )
    result = run(
        "diff",
        str(GRONINGEN / "2021.yaml"),
        str(new),
        "--facts",
        str(REPO_ROOT / "examples" / "groningen-2023.yaml"),
    )
    assert result.exit_code == 0, result.output
    out = result.stdout.replace("\xa0", " ")
    assert (
        'Artikel 4, tweede lid, onder d: het percentage „Percentage in de kolom "buffer", rij '
        '"centraal"” is gewijzigd van 3 % naar 4 %.'
    ) in out
    # the Budget is the same; a higher buffer percentage moves Budget to the row "centraal"
    assert "€ 105.164.230,65  € 105.164.230,65                  € 0,00" in out
    centraal = next(line for line in out.splitlines() if line.lstrip().startswith("centraal") and "€" in line)
    assert "+ €" in centraal
    eemsdelta = next(line for line in out.splitlines() if "Eemsdelta" in line and "ontvangt" in line)
    assert "− €" in eemsdelta  # Eemsdelta receives less


def test_verify_and_versions_on_groningen(run):
    verified = run("verify", str(GRONINGEN / "2021.yaml"))
    assert verified.exit_code == 0, verified.output
    assert "0 weerlegd, 0 niet beslist" in verified.stdout
    versions = run("versions", "groningen", "--on", "2025-06-01")
    assert versions.exit_code == 0, versions.output
    assert "in werking" in versions.stdout
