"""Every output of every shipped example, made in memory: the evaluation as JSON and as a table,
the explanation in Markdown and HTML (Dutch and English) and every letter (md, html, pdf, docx,
and its digital annex), signed by the covenant's example sender profile.

The examples are read by the paths the README uses (`examples/…` from the repository), so the
outputs name them as the command line does. Letters are made for every act of the rule file, each
dated as the act is (its date fact, or the facts' evaluation_date, or the date in `ACT_DATES`)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from convenant.evaluation.evaluate import Evaluation
from convenant.explain import explain, report
from convenant.letters import acts, letters
from convenant.letters.profile import for_letters
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


def outputs(ev: Evaluation, chosen: tuple[acts.Chosen, ...] | None = None) -> dict[str, bytes]:
    """Every output of one evaluation: name → bytes. `chosen`: the acts as chosen before
    (`every_act`), else chosen here."""
    found = {
        "evaluate.json": (json.dumps(report.to_json(ev), ensure_ascii=False, indent=2) + "\n").encode(),
        "evaluate.txt": report.to_table(ev).encode(),
    }
    for lang in ("nl", "en"):
        for fmt in ("md", "html"):
            name = f"explain.{fmt}" if lang == "nl" else f"explain.{lang}.{fmt}"
            found[name] = explain.render(explain.explain(ev, fmt, lang), fmt).encode()
    profile = for_letters(ev)
    for one in every_act(ev) if chosen is None else chosen:
        for name, data in letters.letters_of(one, profile, letters.FORMATS, "nl").items():
            found[f"letters/{name}"] = data
    return found


@dataclass(frozen=True)
class Rendered:
    """One example evaluated and rendered once per test run (the `rendered` fixture of conftest.py),
    shared by the golden, letter and trace-only tests: `outputs` is `outputs(evaluation)`, made
    when first read (a test that reads only the evaluation typesets nothing). Read-only."""

    evaluation: Evaluation
    chosen: tuple[acts.Chosen, ...]  # the acts the letters were made for (`every_act`)
    made: Callable[[], Mapping[str, bytes]] = field(repr=False)  # gives `outputs`

    @cached_property
    def outputs(self) -> Mapping[str, bytes]:
        return MappingProxyType(dict(self.made()))


def render_example(
    example: str, share: Callable[[Callable[[], Mapping[str, bytes]]], Mapping[str, bytes]] | None = None
) -> Rendered:
    """Evaluate one example; its outputs are rendered when first read, through `share` if given
    (which does the rendering once among the test processes, tests/once_per_run.py)."""
    ev = evaluated(example)
    chosen = every_act(ev)

    def made() -> Mapping[str, bytes]:
        return outputs(ev, chosen=chosen)

    return Rendered(ev, chosen, made if share is None else lambda: share(made))


# the two demonstration letters every renderer's tests read: Aa en Hunze receives (Assen),
# Pekela pays (Groningen); each as (facts, sender profile, recipient)
DEMO_LETTERS = (
    ("assen-2024.yaml", "afzender-assen.yaml", "GM1680"),
    ("groningen-2022.yaml", "afzender-groningen.yaml", "GM0765"),
)


@cache
def demo_letters() -> dict[str, tuple[Evaluation, Any]]:
    """covenant id → (evaluation, LetterDocument) of the demonstration letters, made once per test
    process and shared by the Typst, DOCX and Markdown/HTML tests (read-only: a test that changes a
    letter makes a copy with dataclasses.replace)."""
    from convenant.letters import letterform
    from convenant.letters.profile import load_profile

    out = {}
    for facts, profile, code in DEMO_LETTERS:
        ev = evaluated(facts.removesuffix(".yaml"))
        out[ev.rules.covenant.id] = (
            ev,
            letterform.letter_document(ev, load_profile(REPO_ROOT / "examples" / profile), code),
        )
    return out
