"""Words and numbers for explanations and letters: values as people read them (Dutch money,
dates, percentages; exact amounts that are not yet whole cents), and every fixed phrase of the
shared templates in Dutch and English (`WORDS[lang]`, passed to templates as `t`).

The rounding phrases follow DOMAIN.md: one amount is rounded half away from zero; a distribution
uses the largest-remainder method on whole cents with ties to the party that comes first.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from convenant import money
from convenant.units import Kind, display

EXACT_DECIMALS = 6  # an amount with a fraction of a cent is shown with at most this many decimals


def _grouped(whole: int, sep: str) -> str:
    """Digits grouped by thousands.

    >>> _grouped(1234567, ".")
    '1.234.567'
    """
    return f"{whole:,}".replace(",", sep)


def exact_number(value: Fraction, lang: str = "nl", minimum: int = 0, decimals: int = EXACT_DECIMALS) -> str:
    """A number with its exact decimals (at least `minimum`), or `≈` and `decimals` decimals.

    >>> exact_number(Fraction("13097810.4387")), exact_number(Fraction(2, 3)), exact_number(Fraction(7))
    ('13.097.810,4387', '≈ 0,666667', '7')
    """
    thousands, decimal = (",", ".") if lang == "en" else (".", ",")
    scale = 10**decimals
    finite = (value * scale).denominator == 1
    whole, rest = divmod(math.floor(abs(value) * scale + Fraction(1, 2)), scale)
    digits = f"{rest:0{decimals}d}"
    if finite:
        digits = digits.rstrip("0").ljust(minimum, "0")
    sign = "-" if value < 0 else ""
    text = f"{sign}{_grouped(whole, thousands)}{decimal + digits if digits else ''}"
    return text if finite else f"≈ {text}"


def exact_money(amount: Fraction, lang: str = "nl") -> str:
    """An amount as people read it; one with a fraction of a cent keeps its exact decimals
    (or `≈` and six decimals when it has no finite decimal form).

    >>> [exact_money(Fraction(x)).replace("\\xa0", " ") for x in ("1234.5", "314170.8525", "-0.125")]
    ['€ 1.234,50', '€ 314.170,8525', '€ -0,125']
    >>> exact_money(Fraction(1, 3)).replace("\\xa0", " ")
    '≈ € 0,333333'
    """
    if money.is_whole_cents(amount):
        return money.dutch(amount, lang)
    text = exact_number(amount, lang, minimum=2)
    return f"≈ €\xa0{text[2:]}" if text.startswith("≈") else f"€\xa0{text}"


def show(kind: Kind, value: Any, lang: str = "nl") -> str:
    """A value of any kind as people read it; money need not be whole cents."""
    if kind is Kind.MONEY and value is not None:
        return exact_money(Fraction(value), lang)
    if kind is Kind.COUNT and isinstance(value, Fraction):  # a total or a share of counts
        return exact_number(value, lang)
    return display(kind, value, lang)


def signed_in_formula(kind: Kind, value: Any, lang: str = "nl") -> str:
    """A value inside a formula: a negative number in brackets, so that `a + (€ -5,00)` reads well."""
    text = show(kind, value, lang)
    negative = isinstance(value, int | Fraction) and not isinstance(value, bool) and value < 0
    return f"({text})" if negative else text


WORDS: dict[str, dict[str, Any]] = {
    "nl": {
        "explanation": "Uitleg bij de berekening",
        "version": "versie",
        "year": "Jaar",
        "illustrative": "VOORBEELD — verzonnen gegevens, niet om af te rekenen",
        "rule_file": "Regelbestand",
        "templates": "Zinnen (sjablonen)",
        "facts": "Feiten",
        "engine": "Programma",
        "evaluation_date": "Evaluatiedatum",
        "result": "Uitkomst",
        "basis": "Grondslag",
        "inputs": "Invoer",
        "name": "naam",
        "meaning": "omschrijving",
        "value": "waarde",
        "source": "herkomst",
        "arithmetic": "Berekening",
        "rounding": "Afronding",
        "interpretations": "Interpretaties waarop deze uitkomst steunt",
        "interpretations_all": "Alle interpretaties in deze uitleg",
        "deadline": "Termijn",
        "warnings": "Waarschuwing",
        "none": "geen",
        "chosen": "gekozen lezing",
        "fixed": "vaste lezing",
        "question": "vraag",
        "alternative": "andere lezing",
        "source_fact": "feit uit {path}, regel {line}",
        "source_default": "niet opgegeven in de feiten; de standaardwaarde uit het regelbestand is gebruikt",
        "source_parameter": "getal uit het regelbestand (regel {line}), {citation}",
        "source_rule": "uitkomst van ‘{label}’, {citation} (zie {anchor})",
        "source_deadline": "termijn ‘{label}’, {citation}",
        "source_builtin": "het kalenderjaar van de feiten",
        "source_facts_total": "totaal van de feiten per gemeente uit {path} ({citation})",
        "formula": "formule",
        "substituted": "ingevuld",
        "step": "tussenstap",
        "if_holds": "geldt",
        "if_fails": "geldt niet",
        "so": "dus",
        "yes": "ja",
        "no": "nee",
        "rounded": "afgerond",
        "component": "onderdeel",
        "weight": "gewicht",
        "own_value": "waarde van deze gemeente",
        "total": "totaal",
        "share": "aandeel",
        "contribution": "bijdrage aan de sleutel",
        "key": "sleutel",
        "key_sum": "sleutel = som van de bijdragen",
        "exact": "exact",
        "amount": "te verdelen bedrag",
        "exact_cents": "exact (cent)",
        "floor_cents": "naar beneden (cent)",
        "remainder": "rest",
        "extra": "extra cent",
        "part": "aandeel",
        "municipality": "gemeente",
        "left_over": "Na het naar beneden afronden bleven {n} cent over; die gaan één voor één naar de "
        "grootste resten.",
        "got_extra": "{who} kreeg een extra cent: de rest {remainder} hoort bij de {n} grootste.",
        "no_extra": "{who} kreeg geen extra cent: de rest {remainder} hoort niet bij de {n} grootste.",
        "tie": "De rest {remainder} is gelijk aan die van {others}; bij gelijke rest gaat de cent naar de "
        "partij die het eerst staat in de aanhef van het convenant ({order}).",
        "case_held": "Dit geval geldt",
        "case_not": "Dit geval geldt niet",
        "condition": "voorwaarde",
        "outcome": "uitkomst",
        "deadline_on_date": "{parameter} in het jaar {year}: {date}",
        "deadline_in_month": "de maand {parameter} van {year}: {period}",
        "deadline_after": "{term} na {start}: {date}",
        "deadline_unknown": "nog onbekend: de datum ‘{start}’ staat (nog) niet in de feiten",
        "month_policy": "Een maand verder op een dag die niet bestaat: interpretatie {id} ({chosen}).",
        "shifted": "Verschoven van {original} naar {moved} door de Algemene termijnenwet ({reasons}).",
        "rounding_half_up": "Afgerond op hele centen, half van nul af: een halve cent of meer gaat naar de "
        "volgende cent, weg van nul (dus bij een negatief bedrag naar beneden). Het convenant rekent in "
        "hele centen; alleen dit ene bedrag wordt afgerond. Onafgerond: {exact}; afgerond: {rounded}.",
        "rounding_largest_remainder": "Verdeeld in hele centen met de methode van de grootste "
        "overschotten: van het bedrag zonder teken wordt ieder exact aandeel naar beneden afgerond op "
        "hele centen; de centen die overblijven gaan één voor één naar de grootste resten, bij gelijke "
        "rest naar de partij die het eerst staat in de aanhef; daarna krijgt elk deel het teken van het "
        "bedrag terug. Zo tellen de delen precies op tot het bedrag, tot op de cent.",
        "rounding_exact": "Niet afgerond: er wordt exact gerekend. Een percentage met ≈ is voor het lezen "
        "afgerond op vier decimalen; de berekening gebruikt de exacte breuk.",
        "rounding_none": "Niet afgerond: de uitkomst is exact.",
        "settle_ontvangt": "{who} ontvangt {amount}",
        "settle_betaalt": "{who} betaalt {amount}",
        "settle_nihil": "nihil: {who} ontvangt en betaalt niets",
        "unknown_value": "nog onbekend",
        "source_table": "getal uit de tabel {table} naast het regelbestand (regel {line}), {citation}",
        "source_merged": "(opgeteld over {parts}, die in dit jaar één gemeente zijn)",
        "unknown_settlement": "Dit bedrag is nog niet te berekenen: in de gegevens ontbreekt nog {missing}.",
        "no_deadline": "het convenant noemt hiervoor geen termijn",
        "overview_unknown": "nog onbekend",
        "unknown_because": "Nog niet te berekenen: {missing} staat (nog) niet in de feiten of is zelf nog "
        "onbekend. Zodra het bekend is, volgt deze uitkomst.",
        "column": "kolom",
        "count": "aantal",
        "worth": "indicatiewaarde",
        "cell": "cel",
        "sheet_worth": "Indicatiewaarde van een cel = aantal indicaties × indicatiewaarde per indicatie. "
        "Alle cellen van de kolommen 1 tot en met 6 samen: {total}.",
        "sheet_fixed": "De vaste kolommen van deze rij: {cells}. Alle vaste cellen samen (alle rijen, met "
        "de eigen bijdrage naar haar teken): {total}.",
        "sheet_schalen": "Interpretatie {id}, ‘schalen’: een cel = haar indicatiewaarde / {total} × "
        "(100 % − {fixed}), zodat het hele spreadsheet precies 100 % is.",
        "sheet_geen": "Interpretatie {id}, ‘geen’: een cel = haar indicatiewaarde / het Budget {budget}.",
        "sheet_row": "Deze rij: de cellen van de kolommen 1 tot en met 6 ({cells}) plus de vaste kolommen "
        "({fixed}) = {key}.",
        "sheet_total": "Het hele spreadsheet telt op tot {total}.",
        "ration_fits": "De aanspraken samen ({total}) passen in het beschikbare bedrag ({available}): elke "
        "aanspraak wordt helemaal betaald.",
        "ration_rationed": "De aanspraken samen ({total}) zijn meer dan het beschikbare bedrag "
        "({available}): dat wordt naar verhouding van de aanspraken verdeeld, in hele centen. Aandeel "
        "van {who}: {claim} / {total}; exact {exact} cent, naar beneden {floor} cent, extra cent: {extra}.",
        "ration_part": "{who}: aanspraak {claim}, betaling {paid}; nooit meer dan de aanspraak.",
        "pro_rata_applied": "Vanaf {date} geldt de nieuwe waarde voor de rest van het jaar: {remaining} van "
        "de {days} dagen ({fraction}). {old} + ({new} − {old}) × {remaining}/{days} = {result}.",
        "pro_rata_not_applied": "De voorwaarde ({when}) geldt niet: de oude waarde blijft, {old}.",
        "threshold_hit": "{who}, {column}: {measure} van {old} naar {new}; de drempel is {limit} van de oude "
        "waarde.",
        "threshold_none": "Bij geen enkel lid is een maat met ten minste de drempel gewijzigd.",
        "measure_indicatiewaarde": "indicatiewaarde",
        "measure_relatieve_indicatiewaarde": "relatieve indicatiewaarde",
        # letters
        "letter_subject": "Afrekening {year}: {subjects}",
        "letter_own_subject": "Vaststelling voor de eigen administratie {year}: {subjects}",
        "from": "Van",
        "to": "Aan",
        "date": "Datum",
        "subject": "Onderwerp",
        "college_of": "het college van burgemeester en wethouders van de gemeente {name}",
        "role_centrum": "centrumgemeente",
        "salutation": "Geacht college,",
        "letter_intro": "Op grond van het {title}{region}, versie {version} van {version_date}, stelt de "
        "centrumgemeente {centrum} de afrekening over {year} vast. Deze brief vermeldt wat dat voor uw "
        "gemeente betekent; de bijlage legt elk bedrag uit, met het artikel waarop het berust.",
        "own_intro": "Op grond van het {title}{region}, versie {version} van {version_date}, is de "
        "afrekening over {year} vastgesteld. Dit stuk legt vast wat dat voor de gemeente {centrum} als "
        "centrumgemeente zelf betekent, en welke betalingen zij aan de regiogemeenten doet en van hen "
        "ontvangt. De bijlage legt elk bedrag uit, met het artikel waarop het berust.",
        "receives": "U ontvangt {amount}",
        "pays": "U betaalt {amount}",
        "nothing": "U ontvangt niets en u betaalt niets: het bedrag is nihil",
        "receives_from": "van de gemeente {centrum}",
        "pays_to": "aan de gemeente {centrum}",
        "own_receives": "Het aandeel van de gemeente {centrum} is een voordeel van {amount}; het blijft "
        "in de eigen begroting (geen betaling)",
        "own_pays": "Het aandeel van de gemeente {centrum} is een nadeel van {amount}; het komt ten laste "
        "van de eigen begroting (geen betaling)",
        "own_nothing": "Het aandeel van de gemeente {centrum} is nihil",
        "by_deadline": "uiterlijk {date} ({citation})",
        "in_window": "in de periode {period} ({citation})",
        "unknown_deadline": "de termijn is nog niet bekend ({citation})",
        "overview": "Overzicht van de afrekening met de regiogemeenten",
        "own_deadline": "Termijn voor de afwikkeling met de regiogemeenten: {deadline}.",
        "own_no_deadline": "Het convenant noemt geen termijn voor de afwikkeling met de regiogemeenten.",
        "direction": "richting",
        "amount_word": "bedrag",
        "negative": "{amount} negatief",
        "overview_receives": "ontvangt",
        "overview_pays": "betaalt",
        "overview_nothing": "nihil",
        "other_results": "Uitkomsten die niet over de gemeenten worden verdeeld",
        "annex_note": "De bijlage ‘Uitleg bij de berekening’ hoort bij deze brief.",
        "closing": "Met vriendelijke groet,",
        "signature": "het college van burgemeester en wethouders van de gemeente {name}",
        "repro": "Reproduceerbaarheid",
        "repro_covenant": "Convenant",
        "repro_rules_sha": "Regelbestand (sha256)",
        "repro_templates_sha": "Zinnen (sha256)",
        "repro_facts_sha": "Feiten (sha256)",
        "repro_engine": "Programma",
        "repro_date": "Evaluatiedatum",
        "repro_date_from_facts": "uit het feitenbestand",
        "repro_date_from_option": "opgegeven met --date",
        "repro_command": "Opnieuw maken",
        "illustrative_letter": "VOORBEELD — deze brief is gemaakt met verzonnen gegevens en is geen "
        "afrekening",
    },
    "en": {
        "explanation": "Explanation of the computation",
        "version": "version",
        "year": "Year",
        "illustrative": "EXAMPLE — made-up data, not for settlement",
        "rule_file": "Rule file",
        "templates": "Sentences (templates)",
        "facts": "Facts",
        "engine": "Engine",
        "evaluation_date": "Evaluation date",
        "result": "Result",
        "basis": "Legal basis",
        "inputs": "Inputs",
        "name": "name",
        "meaning": "meaning",
        "value": "value",
        "source": "source",
        "arithmetic": "Computation",
        "rounding": "Rounding",
        "interpretations": "Interpretations this result relies on",
        "interpretations_all": "All interpretations in this explanation",
        "deadline": "Deadline",
        "warnings": "Warning",
        "none": "none",
        "chosen": "chosen reading",
        "fixed": "fixed reading",
        "question": "question",
        "alternative": "other reading",
        "source_fact": "fact from {path}, line {line}",
        "source_default": "not given in the facts; the rule file's default was used",
        "source_parameter": "number from the rule file (line {line}), {citation}",
        "source_rule": "result of ‘{label}’, {citation} (see {anchor})",
        "source_deadline": "deadline ‘{label}’, {citation}",
        "source_builtin": "the calendar year of the facts",
        "source_facts_total": "total of the facts per municipality from {path} ({citation})",
        "formula": "formula",
        "substituted": "filled in",
        "step": "step",
        "if_holds": "holds",
        "if_fails": "does not hold",
        "so": "so",
        "yes": "yes",
        "no": "no",
        "rounded": "rounded",
        "component": "component",
        "weight": "weight",
        "own_value": "this municipality's value",
        "total": "total",
        "share": "share",
        "contribution": "contribution to the key",
        "key": "key",
        "key_sum": "key = sum of the contributions",
        "exact": "exact",
        "amount": "amount to distribute",
        "exact_cents": "exact (cents)",
        "floor_cents": "rounded down (cents)",
        "remainder": "remainder",
        "extra": "extra cent",
        "part": "part",
        "municipality": "municipality",
        "left_over": "After rounding down, {n} cents were left over; they go one each to the largest "
        "remainders.",
        "got_extra": "{who} received an extra cent: the remainder {remainder} is among the {n} largest.",
        "no_extra": "{who} received no extra cent: the remainder {remainder} is not among the {n} largest.",
        "tie": "The remainder {remainder} equals that of {others}; on equal remainders the cent goes to the "
        "party that comes first in the covenant's preamble ({order}).",
        "case_held": "This case holds",
        "case_not": "This case does not hold",
        "condition": "condition",
        "outcome": "outcome",
        "deadline_on_date": "{parameter} in the year {year}: {date}",
        "deadline_in_month": "the month {parameter} of {year}: {period}",
        "deadline_after": "{term} after {start}: {date}",
        "deadline_unknown": "not yet known: the date ‘{start}’ is not (yet) in the facts",
        "month_policy": "One month on, onto a day that does not exist: interpretation {id} ({chosen}).",
        "shifted": "Moved from {original} to {moved} by the Algemene termijnenwet ({reasons}).",
        "rounding_half_up": "Rounded to whole cents, half away from zero: half a cent or more goes to the "
        "next cent away from zero (down for a negative amount). The covenant settles in whole cents; "
        "only this one amount is rounded. Unrounded: {exact}; rounded: {rounded}.",
        "rounding_largest_remainder": "Distributed in whole cents by the largest-remainder method: each "
        "exact share of the unsigned amount is rounded down to whole cents; the cents left over go one "
        "each to the largest remainders, ties to the party that comes first in the preamble; then each "
        "part gets the amount's sign back. The parts add up to the amount, to the cent.",
        "rounding_exact": "Not rounded: computed exactly. A percentage marked ≈ is rounded to four "
        "decimals for reading; the computation uses the exact fraction.",
        "rounding_none": "Not rounded: the result is exact.",
        "settle_ontvangt": "{who} receives {amount}",
        "settle_betaalt": "{who} pays {amount}",
        "settle_nihil": "nil: {who} receives and pays nothing",
        "unknown_value": "not yet known",
        "source_table": "number from the table {table} beside the rule file (line {line}), {citation}",
        "source_merged": "(added up over {parts}, one municipality in this year)",
        "unknown_settlement": "This amount cannot be computed yet: the facts do not yet give {missing}.",
        "no_deadline": "the covenant sets no deadline for this",
        "overview_unknown": "not yet known",
        "unknown_because": "Not yet computable: {missing} is not (yet) in the facts or is itself not yet "
        "known. This result follows once it is.",
        "column": "column",
        "count": "count",
        "worth": "indicatiewaarde",
        "cell": "cell",
        "sheet_worth": "A cell's indicatiewaarde = number of indications × value per indication. All cells "
        "of columns 1 to 6 together: {total}.",
        "sheet_fixed": "This row's fixed columns: {cells}. All fixed cells together (all rows, the eigen "
        "bijdrage with its sign): {total}.",
        "sheet_schalen": "Interpretation {id}, ‘schalen’: a cell = its indicatiewaarde / {total} × "
        "(100 % − {fixed}), so that the whole sheet totals exactly 100 %.",
        "sheet_geen": "Interpretation {id}, ‘geen’: a cell = its indicatiewaarde / the Budget {budget}.",
        "sheet_row": "This row: the cells of columns 1 to 6 ({cells}) plus the fixed columns ({fixed}) "
        "= {key}.",
        "sheet_total": "The whole sheet totals {total}.",
        "ration_fits": "The claims together ({total}) fit in the amount available ({available}): every "
        "claim is paid in full.",
        "ration_rationed": "The claims together ({total}) exceed the amount available ({available}): it is "
        "shared in proportion to the claims, in whole cents. Share of {who}: {claim} / {total}; exact "
        "{exact} cents, rounded down {floor} cents, extra cent: {extra}.",
        "ration_part": "{who}: claim {claim}, payment {paid}; never more than the claim.",
        "pro_rata_applied": "From {date} the new value applies for the rest of the year: {remaining} of the "
        "{days} days ({fraction}). {old} + ({new} − {old}) × {remaining}/{days} = {result}.",
        "pro_rata_not_applied": "The condition ({when}) does not hold: the old value stays, {old}.",
        "threshold_hit": "{who}, {column}: {measure} from {old} to {new}; the threshold is {limit} of "
        "the old value.",
        "threshold_none": "No member has a measure that changed by at least the threshold.",
        "measure_indicatiewaarde": "indicatiewaarde",
        "measure_relatieve_indicatiewaarde": "relatieve indicatiewaarde",
        "letter_subject": "Settlement {year}: {subjects}",
        "letter_own_subject": "Record for the own administration {year}: {subjects}",
        "from": "From",
        "to": "To",
        "date": "Date",
        "subject": "Subject",
        "college_of": "the Municipal Executive of {name}",
        "role_centrum": "centrumgemeente",
        "salutation": "Dear Executive,",
        "letter_intro": "Under the {title}{region}, version {version} of {version_date}, the "
        "centrumgemeente {centrum} settles {year}. This letter states what that means for your "
        "municipality; the annex explains every amount with the article it rests on.",
        "own_intro": "Under the {title}{region}, version {version} of {version_date}, {year} has been "
        "settled. This record states what that means for {centrum} as centrumgemeente itself, and which "
        "payments it makes to and receives from the regiogemeenten. The annex explains every amount "
        "with the article it rests on.",
        "receives": "You receive {amount}",
        "pays": "You pay {amount}",
        "nothing": "You receive nothing and pay nothing: the amount is nil",
        "receives_from": "from {centrum}",
        "pays_to": "to {centrum}",
        "own_receives": "The share of {centrum} is a surplus of {amount}; it stays in its own budget "
        "(no payment)",
        "own_pays": "The share of {centrum} is a deficit of {amount}; it is charged to its own budget "
        "(no payment)",
        "own_nothing": "The share of {centrum} is nil",
        "by_deadline": "by {date} ({citation})",
        "in_window": "in the period {period} ({citation})",
        "unknown_deadline": "the deadline is not yet known ({citation})",
        "overview": "Overview of the settlement with the regiogemeenten",
        "own_deadline": "Deadline for the settlement with the regiogemeenten: {deadline}.",
        "own_no_deadline": "The covenant sets no deadline for the settlement with the regiogemeenten.",
        "direction": "direction",
        "amount_word": "amount",
        "negative": "{amount} negative",
        "overview_receives": "receives",
        "overview_pays": "pays",
        "overview_nothing": "nil",
        "other_results": "Results that are not distributed over the municipalities",
        "annex_note": "The annex ‘Explanation of the computation’ belongs to this letter.",
        "closing": "Yours faithfully,",
        "signature": "the Municipal Executive of {name}",
        "repro": "Reproducibility",
        "repro_covenant": "Covenant",
        "repro_rules_sha": "Rule file (sha256)",
        "repro_templates_sha": "Sentences (sha256)",
        "repro_facts_sha": "Facts (sha256)",
        "repro_engine": "Engine",
        "repro_date": "Evaluation date",
        "repro_date_from_facts": "from the fact file",
        "repro_date_from_option": "given with --date",
        "repro_command": "Make again",
        "illustrative_letter": "EXAMPLE — this letter was made from made-up data and is not a settlement",
    },
}
