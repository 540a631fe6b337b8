"""Every output of every shipped example, made in memory: the evaluation as JSON and as a table,
the explanation in Markdown and HTML (Dutch and English) and every letter (md, html, pdf).

The examples are read by the paths the README uses (`examples/…` from the repository), so the
outputs name them as the command line does. Letters are made for every act of the rule file, each
dated as the act is (its date fact, or the facts' evaluation_date, or the date in `ACT_DATES`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from convenant.evaluation.evaluate import Evaluation
from convenant.explain import explain, report
from convenant.letters import acts, letters
from convenant.render import pdf as pdf_module
from convenant.workflow.session import evaluate_file
from tests.paths import REPO_ROOT

EXAMPLES = ("assen-2024", "groningen-2022", "groningen-2023")
TEXT = ("evaluate.json", "explain.md")  # kept in full in tests/golden/<example>/; all others by sha256
# an act whose date is neither a fact nor the facts' evaluation_date: the date given with --date
ACT_DATES = {("assen-2024", "voorlopig_aandeel"): "2025-02-14"}


@contextmanager
def in_repository() -> Iterator[None]:
    before = Path.cwd()
    os.chdir(REPO_ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def evaluated(example: str) -> Evaluation:
    with in_repository():
        return evaluate_file(Path("examples") / f"{example}.yaml")


def every_act(ev: Evaluation) -> tuple[acts.Chosen, ...]:
    """Each act of the example's rule file, chosen as `convenant letters --act` chooses it (which
    evaluates the facts as the act's date knows them)."""
    example = Path(ev.facts.path).stem
    return tuple(acts.choose(ev, name, ACT_DATES.get((example, name)), "nl") for name in ev.rules.acts)


def outputs(
    ev: Evaluation, pdf: bool = True, chosen: tuple[acts.Chosen, ...] | None = None
) -> dict[str, bytes]:
    """Every output of one evaluation: name → bytes. Without `pdf` (a PDF takes seconds), each
    letter's HTML fragment that its PDF is made from instead. `chosen`: the acts as chosen before
    (`every_act`), else chosen here."""
    found = {
        "evaluate.json": (json.dumps(report.to_json(ev), ensure_ascii=False, indent=2) + "\n").encode(),
        "evaluate.txt": report.to_table(ev).encode(),
    }
    for lang in ("nl", "en"):
        for fmt in ("md", "html"):
            name = f"explain.{fmt}" if lang == "nl" else f"explain.{lang}.{fmt}"
            found[name] = explain.render(explain.explain(ev, fmt, lang), fmt).encode()
    formats = ("md", "html", "pdf") if pdf else ("md", "html")
    for one in every_act(ev) if chosen is None else chosen:
        for name, data in letters.letters_of(one, formats, "nl").items():
            found[f"letters/{name}"] = data
        if not pdf:
            for letter in letters.compose(one, "html", "nl"):
                fragment = letters.render(one, letter, "html", "nl", page=False)
                found[f"letters/{letter.stem}.pdf.html"] = fragment.encode()
    return found


@dataclass(frozen=True)
class Rendered:
    """One example evaluated and rendered once per test run (the `rendered` fixture of conftest.py),
    shared by the golden, letter and trace-only tests: `outputs` is `outputs(evaluation)`, and
    `fragments` holds, for each PDF, the HTML fragment make_letters typeset it from, named as
    `outputs(evaluation, pdf=False)` names it (`letters/<stem>.pdf.html`). Read-only."""

    evaluation: Evaluation
    outputs: Mapping[str, bytes]
    fragments: Mapping[str, bytes]
    chosen: tuple[acts.Chosen, ...]  # the acts the letters were made for (`every_act`)

    def without_pdf(self) -> dict[str, bytes]:
        """What `outputs(evaluation, pdf=False)` gives, without rendering anything again."""
        found = {name: data for name, data in self.outputs.items() if not name.endswith(".pdf")}
        return {**found, **self.fragments}


def render_example(example: str) -> Rendered:
    """Evaluate and render one example, recording the fragment behind each PDF on the way (the PDF
    is typeset from it by make_letters itself; nothing is rendered twice)."""
    ev = evaluated(example)
    chosen = every_act(ev)
    fragment_of: dict[bytes, str] = {}
    typeset = pdf_module.html_to_pdf

    def recording(fragment: str, *rest: Any) -> bytes:
        made = typeset(fragment, *rest)
        fragment_of[made] = fragment
        return made

    pdf_module.html_to_pdf = recording
    try:
        found = outputs(ev, chosen=chosen)
    finally:
        pdf_module.html_to_pdf = typeset
    fragments = {
        f"{name}.html": fragment_of[data].encode() for name, data in found.items() if name.endswith(".pdf")
    }
    return Rendered(ev, MappingProxyType(found), MappingProxyType(fragments), chosen)
