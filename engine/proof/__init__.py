"""The mathematics `convenant verify` proves with (sympy): the identities and lemmas of keys and
distributions (`algebra`), the logic of conditions (`logic`, `decisions`) and results (`results`,
`words`). Only this package and `engine.verify` import sympy, so `evaluate` never loads it.

A primitive's proof obligation (in its own module, `engine/primitives/<name>.py`) imports these
inside the function; the driver that runs every obligation of a rule file is `engine.verify`.
"""
