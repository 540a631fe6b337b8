"""Explanations and letters only read the trace: with the interpreter and the expression evaluator
made unavailable after evaluating, every explanation and letter of every example comes out exactly
as it does normally. An explanation that evaluated again could disagree with what it explains.
(Choosing an act evaluates the facts as its date knows them, before any letter is made.)"""

from __future__ import annotations

from typing import Any

import pytest

from convenant.evaluation import evaluate
from convenant.language import expr
from convenant.letters import sample
from tests.examples_support import EXAMPLES, outputs


def unavailable(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("an explanation or letter evaluated instead of reading the trace")


@pytest.mark.parametrize("example", EXAMPLES)
def test_explanations_and_letters_render_from_the_trace_alone(example, monkeypatch, rendered):
    # the normal outputs, rendered once for the whole test run (the golden tests read the same copy)
    shared = rendered(example)
    ev, normal = shared.evaluation, shared.outputs
    for owner, name in (
        (expr.Evaluator, "evaluate"),
        (expr.Evaluator, "_eval"),
        (expr.Evaluator, "__init__"),
        (evaluate._Run, "__init__"),
        (evaluate, "evaluate"),
        (evaluate, "deadlines_for"),
        (sample, "sample_evaluation"),
    ):
        monkeypatch.setattr(owner, name, unavailable)
    with pytest.raises(AssertionError, match="evaluated instead"):  # the guard itself works
        expr.Evaluator({}, {}, {})
    trace_only = outputs(ev, chosen=shared.chosen)
    assert trace_only.keys() == normal.keys()
    for name, data in normal.items():
        assert trace_only[name] == data, name
