"""Artikel 8, vijfde lid, of the Assen covenant encoded the way OpenFisca models are written.

The peer of the benchmark: entities (a municipality is the "person", a region the group whose
members are its nine municipalities; one region per scenario), variables with a label and a
reference, parameters with their article, and vectorised formulas. OpenFisca's `float` is
numpy float32, as in every OpenFisca country package; the largest-remainder rounding is written
with OpenFisca's own group helpers (`sum`, `project`, `get_rank`).

Only the benchmark imports this (openfisca-core is the optional dependency group `bench`).
"""

from __future__ import annotations

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import YEAR
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

REFERENCE = (
    "Convenant Beschermd Wonen en (Begeleiding) Maatschappelijke Opvang 2024, Regio Assen, art. 8 lid 5"
)

Gemeente = build_entity(
    key="gemeente", plural="gemeenten", label="Gemeente", doc="Een deelnemende gemeente.", is_person=True
)
Regio = build_entity(
    key="regio",
    plural="regios",
    label="Regio",
    doc="De regio Assen: de negen gemeenten die het resultaat delen (één regio per scenario).",
    roles=[{"key": "deelnemer", "plural": "deelnemers", "label": "Deelnemer"}],
)


class inwoners(Variable):
    value_type = int
    entity = Gemeente
    definition_period = YEAR
    label = "Inwoneraantal op 31 december (CBS)"
    reference = f"{REFERENCE}, onder a"


class uitvoeringskosten(Variable):
    value_type = float
    entity = Gemeente
    definition_period = YEAR
    label = "Uitvoeringskosten per gemeente op 31 december (GWS/COGNOS)"
    reference = f"{REFERENCE}, onder b"


class macrobudget_bw(Variable):
    value_type = float
    entity = Regio
    definition_period = YEAR
    label = "Macrobudget beschermd wonen"
    reference = REFERENCE


class zorgkosten_bw(Variable):
    value_type = float
    entity = Regio
    definition_period = YEAR
    label = "Zorgkosten beschermd wonen"
    reference = REFERENCE


class uitvoeringsbudget_bw(Variable):
    value_type = float
    entity = Regio
    definition_period = YEAR
    label = "Uitvoeringsbudget beschermd wonen"
    reference = REFERENCE


class toegemoetkoming_regiogemeenten(Variable):
    value_type = float
    entity = Regio
    definition_period = YEAR
    label = "Toegemoetkoming in de uitvoeringskosten van de regiogemeenten (art. 8 lid 9)"
    reference = REFERENCE


class resultaat_bw(Variable):
    value_type = float
    entity = Regio
    definition_period = YEAR
    label = "Financieel resultaat beschermd wonen"
    reference = REFERENCE

    def formula(regio, period, parameters):
        return (
            regio("macrobudget_bw", period)
            - regio("zorgkosten_bw", period)
            - regio("uitvoeringsbudget_bw", period)
            - regio("toegemoetkoming_regiogemeenten", period)
        )


class verdeelsleutel_bw(Variable):
    value_type = float
    entity = Gemeente
    definition_period = YEAR
    label = "Verdeelsleutel: 50 % inwoners, 50 % uitvoeringskosten"
    reference = REFERENCE

    def formula(gemeente, period, parameters):
        sleutel = parameters(period).verdeelsleutel
        regio = gemeente.regio  # a projector: regio.sum(x) is each member's region total
        aantal = gemeente("inwoners", period)
        kosten = gemeente("uitvoeringskosten", period)
        return sleutel.weging_inwoners * aantal / regio.sum(aantal) + (
            sleutel.weging_uitvoeringskosten * kosten / regio.sum(kosten)
        )


class aandeel_resultaat_bw(Variable):
    value_type = float
    entity = Gemeente
    definition_period = YEAR
    label = "Aandeel in het resultaat (grootste overschot, in hele centen)"
    reference = REFERENCE

    def formula(gemeente, period, parameters):
        regio = gemeente.regio
        resultaat = gemeente.regio("resultaat_bw", period)
        centen = np.round(np.abs(resultaat) * 100)
        exact = centen * gemeente("verdeelsleutel_bw", period)
        vloer = np.floor(exact)
        over = regio.sum(vloer)
        rang = gemeente.get_rank(regio, -(exact - vloer))
        extra = rang < (centen - over)
        return np.sign(resultaat) * (vloer + extra) / 100


def tax_benefit_system() -> TaxBenefitSystem:
    system = TaxBenefitSystem([Gemeente, Regio])
    system.add_variables(
        inwoners,
        uitvoeringskosten,
        macrobudget_bw,
        zorgkosten_bw,
        uitvoeringsbudget_bw,
        toegemoetkoming_regiogemeenten,
        resultaat_bw,
        verdeelsleutel_bw,
        aandeel_resultaat_bw,
    )
    system.parameters = ParameterNode(
        "",
        data={
            "verdeelsleutel": {
                "weging_inwoners": {
                    "values": {"2024-01-01": {"value": 0.5}},
                    "metadata": {"reference": REFERENCE},
                },
                "weging_uitvoeringskosten": {
                    "values": {"2024-01-01": {"value": 0.5}},
                    "metadata": {"reference": REFERENCE},
                },
            }
        },
    )
    return system


def shares_cents(system: TaxBenefitSystem, inputs: dict[str, np.ndarray]) -> np.ndarray:
    """Build one simulation for all scenarios (a region each) and return the shares in cents."""
    scenarios, members = inputs["inwoners"].shape
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("gemeente", np.arange(scenarios * members))
    regio = builder.declare_entity("regio", np.arange(scenarios))
    builder.join_with_persons(
        regio, np.repeat(np.arange(scenarios), members), np.zeros(scenarios * members, dtype=int)
    )
    simulation = builder.build(system)
    for name in ("inwoners", "uitvoeringskosten"):
        simulation.set_input(name, "2024", inputs[name].ravel())
    for name in ("macrobudget_bw", "zorgkosten_bw", "uitvoeringsbudget_bw", "toegemoetkoming_regiogemeenten"):
        simulation.set_input(name, "2024", inputs[name])
    euros = simulation.calculate("aandeel_resultaat_bw", "2024")
    return np.round(euros.astype(np.float64) * 100).astype(np.int64).reshape(scenarios, members)
