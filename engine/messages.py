"""Problems → words, in Dutch (default) or English, with the source line and a caret under the
fault, the field, the article it belongs to, and what to do.

    fout: onbekend veld ‘vlaue’
      --> rules/assen/2024-v1.6.yaml:57:5
       |
    57 |     vlaue: 50
       |     ^^^^^
       = veld: parameters.weging_inwoners.vlaue
       = artikel: artikel 8, vijfde lid
       = wat te doen: bedoelt u ‘value’? Toegestaan zijn: label, value, unit, article, note.

A failure while evaluating points first at the fact whose value caused it, then at the rule file's
part that failed, as a second excerpt "(in de regel ‘…’)"; other facts follow on one line "= ook:"
(docs/developers.md, "Failures while evaluating").
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant.citation import Citation
from convenant.dates import dutch_date
from convenant.diagnostics import ConvenantError, Location, Problem
from convenant.reading import read_bytes
from convenant.units import UNIT_NAMES, Kind, percent_text

LANGUAGES = ("nl", "en")

# code → language → (what is wrong, what to do)
CATALOGUE: dict[str, dict[str, tuple[str, str]]] = {
    # files
    "file.not_found": {
        "nl": ("het bestand {path} bestaat niet", "controleer de naam en de map van het bestand."),
        "en": ("the file {path} does not exist", "check the file's name and folder."),
    },
    "file.is_directory": {
        "nl": ("{path} is een map, geen bestand", "geef een bestand op."),
        "en": ("{path} is a folder, not a file", "give a file."),
    },
    "file.unreadable": {
        "nl": ("het bestand {path} is niet te lezen ({reason})", "controleer de rechten op het bestand."),
        "en": ("cannot read {path} ({reason})", "check the file's permissions."),
    },
    "file.too_large": {
        "nl": (
            "het bestand {path} is groter dan {limit} bytes",
            "controleer of dit het goede bestand is; zie de grenzen in docs/analysts.md.",
        ),
        "en": (
            "the file {path} is larger than {limit} bytes",
            "check that this is the right file; see the limits in docs/analysts.md.",
        ),
    },
    "file.not_xlsx": {
        "nl": (
            "{path} is geen geldig Excel-bestand (.xlsx)",
            "open het bestand in Excel en sla het op als Excel-werkmap (.xlsx), of geef een .csv-bestand "
            "de naam .csv.",
        ),
        "en": (
            "{path} is not a valid Excel file (.xlsx)",
            "open it in Excel and save it as an Excel workbook (.xlsx), or name a CSV file .csv.",
        ),
    },
    "file.not_regular": {
        "nl": (
            "{path} is geen gewoon bestand (maar bijvoorbeeld een apparaat, een pijp of een socket)",
            "geef een bestand op dat op schijf staat.",
        ),
        "en": (
            "{path} is not a regular file (but a device, a pipe or a socket, for example)",
            "give a file that is stored on disk.",
        ),
    },
    "file.symlink_loop": {
        "nl": (
            "{path} is een symbolische koppeling die naar zichzelf terugverwijst",
            "herstel of verwijder de koppeling, of geef het bestand zelf op.",
        ),
        "en": (
            "{path} is a symbolic link that points back to itself",
            "repair or remove the link, or give the file itself.",
        ),
    },
    "file.not_utf8": {
        "nl": ("het bestand is geen UTF-8-tekst", "sla het bestand op als UTF-8."),
        "en": ("the file is not UTF-8 text", "save the file as UTF-8."),
    },
    "file.schema_line": {
        "nl": (
            "de eerste regel moet het schema noemen: # yaml-language-server: $schema=…/{expected} "
            "(gevonden: {found})",
            "zet die regel bovenaan; de editor controleert het bestand dan al tijdens het typen.",
        ),
        "en": (
            "the first line must name the schema: # yaml-language-server: $schema=…/{expected} "
            "(found: {found})",
            "put that line at the top; the editor then checks the file as you type.",
        ),
    },
    "file.unknown_kind": {
        "nl": (
            "onbekend soort bestand (schema: {found})",
            "zet bovenaan # yaml-language-server: $schema=… met rule-file.schema.json, facts.schema.json "
            "of municipalities.schema.json.",
        ),
        "en": (
            "unknown kind of file (schema: {found})",
            "start it with # yaml-language-server: $schema=… naming rule-file.schema.json, facts.schema.json "
            "or municipalities.schema.json.",
        ),
    },
    # YAML
    "yaml.syntax": {
        "nl": (
            "het bestand is geen geldige YAML: {detail}",
            "controleer de inspringing en de dubbele punten rond deze plek.",
        ),
        "en": ("the file is not valid YAML: {detail}", "check indentation and colons around here."),
    },
    "yaml.too_deep": {
        "nl": (
            "het bestand is hier dieper genest dan {limit} niveaus",
            "een regel- of feitenbestand is hoogstens enkele niveaus diep; controleer de inspringing "
            "en de haakjes.",
        ),
        "en": (
            "the file is nested deeper than {limit} levels here",
            "a rule or fact file is a few levels deep at most; check the indentation and the brackets.",
        ),
    },
    "value.number_too_long": {
        "nl": (
            "het getal {value} is te lang ({digits} cijfers vóór de punt, {fraction} erna)",
            "een getal heeft hoogstens {limit} cijfers vóór de punt en {fraction_limit} erna; "
            "controleer het getal.",
        ),
        "en": (
            "the number {value} is too long ({digits} digits before the point, {fraction} after)",
            "a number has at most {limit} digits before the point and {fraction_limit} after; "
            "check the number.",
        ),
    },
    "yaml.multiple_documents": {
        "nl": (
            "het bestand bevat meer dan één document (---)",
            "zet elk convenant of jaar in een eigen bestand.",
        ),
        "en": (
            "the file holds more than one document (---)",
            "put each covenant or year in a file of its own.",
        ),
    },
    "yaml.anchor": {
        "nl": (
            "ankers (&{name}) zijn niet toegestaan",
            "schrijf de waarde uit op elke plek waar zij nodig is.",
        ),
        "en": ("anchors (&{name}) are not allowed", "write the value out wherever it is needed."),
    },
    "yaml.alias": {
        "nl": (
            "verwijzingen (*{name}) zijn niet toegestaan",
            "schrijf de waarde uit op elke plek waar zij nodig is.",
        ),
        "en": ("aliases (*{name}) are not allowed", "write the value out wherever it is needed."),
    },
    "yaml.tag": {
        "nl": (
            "YAML-tags ({tag}) zijn niet toegestaan: een regelbestand bevat alleen gegevens",
            "verwijder de tag.",
        ),
        "en": ("YAML tags ({tag}) are not allowed: a rule file holds data only", "remove the tag."),
    },
    "yaml.bad_key": {
        "nl": ("deze sleutel is niet toegestaan", "gebruik een gewone naam als sleutel."),
        "en": ("this key is not allowed", "use a plain name as key."),
    },
    "yaml.duplicate_key": {
        "nl": (
            "de sleutel ‘{key}’ staat twee keer in hetzelfde blok (eerder op regel {first_line})",
            "laat één van beide staan; anders is niet duidelijk welke waarde geldt.",
        ),
        "en": (
            "the key ‘{key}’ appears twice in the same block (first on line {first_line})",
            "keep one of them; otherwise it is unclear which value holds.",
        ),
    },
    "yaml.ambiguous_bool": {
        "nl": (
            "‘{text}’ is dubbelzinnig: oudere YAML leest dit als ja/nee",
            'schrijf true of false voor ja/nee, of zet de tekst tussen aanhalingstekens: "{text}".',
        ),
        "en": (
            "‘{text}’ is ambiguous: older YAML reads it as yes/no",
            'write true or false for yes/no, or quote the text: "{text}".',
        ),
    },
    "yaml.thousands_separator": {
        "nl": (
            "‘{text}’ heeft punten tussen duizendtallen; in dit bestand is een punt het decimaalteken",
            "schrijf {plain} (zonder punten), of {plain}.00 voor een bedrag met centen.",
        ),
        "en": (
            "‘{text}’ has points between thousands; in this file a point is the decimal point",
            "write {plain} (without points), or {plain}.00 for an amount with cents.",
        ),
    },
    "yaml.ambiguous_number": {
        "nl": (
            "‘{text}’ is geen eenduidig getal: YAML kan dit als tijd, octaal, exponent of tekst lezen",
            "schrijf een gewoon getal met een punt als decimaalteken (1234.50), of zet tekst tussen "
            'aanhalingstekens: "{text}".',
        ),
        "en": (
            "‘{text}’ is not an unambiguous number: YAML may read it as a time, octal, exponent or text",
            'write a plain number with a decimal point (1234.50), or quote text: "{text}".',
        ),
    },
    # schema
    "schema.required": {
        "nl": ("het verplichte veld ‘{name}’ ontbreekt", "voeg ‘{name}’ toe. {description}"),
        "en": ("the required field ‘{name}’ is missing", "add ‘{name}’."),
    },
    "schema.missing_citation": {
        "nl": (
            "de bronvermelding (‘article’) ontbreekt",
            "voeg article toe met het artikel waar dit in het convenant staat, bijvoorbeeld "
            'article: "8.5a" (artikel 8, vijfde lid, onder a). Zonder bron is niet na te gaan waar '
            "het getal of de regel vandaan komt.",
        ),
        "en": (
            "the citation (‘article’) is missing",
            'add article with the article of the covenant this comes from, e.g. article: "8.5a" '
            "(Article 8(5)(a)).",
        ),
    },
    "schema.unknown_key": {
        "nl": ("onbekend veld ‘{name}’", "{suggestion}Toegestaan zijn: {known}."),
        "en": ("unknown field ‘{name}’", "{suggestion}Allowed are: {known}."),
    },
    "schema.bad_name": {
        "nl": ("‘{name}’ is hier geen geldige naam", "{description}"),
        "en": ("‘{name}’ is not a valid name here", "see the schema's description of this field."),
    },
    "schema.type": {
        "nl": ("verwacht {expected}, maar hier staat {got} ({value})", "{hint}{description}"),
        "en": ("expected {expected}, found {got} ({value})", "{hint}"),
    },
    "schema.enum": {
        "nl": ("‘{value}’ is hier niet toegestaan", "{suggestion}Kies uit: {allowed}."),
        "en": ("‘{value}’ is not allowed here", "{suggestion}Choose from: {allowed}."),
    },
    "schema.pattern": {
        "nl": ("‘{value}’ heeft niet de goede vorm", "{description}"),
        "en": ("‘{value}’ does not have the right form", "see the schema's description of this field."),
    },
    "schema.empty": {
        "nl": ("dit veld mag niet leeg zijn", "{description}"),
        "en": ("this field must not be empty", "fill it in."),
    },
    "schema.range": {
        "nl": ("{value} ligt buiten het toegestane bereik (grens: {bound})", "controleer de waarde."),
        "en": ("{value} is out of range (bound: {bound})", "check the value."),
    },
    "schema.duplicate_items": {
        "nl": ("deze lijst noemt iets twee keer", "noem elk onderdeel één keer."),
        "en": ("this list names something twice", "name each item once."),
    },
    "schema.invalid": {
        "nl": ("deze waarde voldoet niet aan het schema (regel: {rule})", "{description}"),
        "en": ("this value does not satisfy the schema (rule: {rule})", "{description}"),
    },
    "schema.too_many": {
        "nl": ("hier staat meer dan is toegestaan (hoogstens {bound})", "haal wat te veel is weg."),
        "en": ("more is given here than allowed (at most {bound})", "remove what is too much."),
    },
    # values
    "value.not_a_number": {
        "nl": (
            "‘{value}’ is geen getal (eenheid: {unit})",
            "schrijf een getal met een punt als decimaalteken, zonder punten voor duizendtallen: 1234567.89.",
        ),
        "en": (
            "‘{value}’ is not a number (unit: {unit})",
            "write a number with a decimal point and no thousands separators: 1234567.89.",
        ),
    },
    "value.money_thousands": {
        "nl": (
            "‘{value}’ heeft drie decimalen; een punt als duizendtalscheiding? "
            "Schrijf {whole} (of {whole}.00)",
            "een geldbedrag heeft hoogstens twee decimalen en geen punten tussen duizendtallen; het "
            "programma leest zo'n getal nooit om.",
        ),
        "en": (
            "‘{value}’ has three decimals; a point as thousands separator? Write {whole} (or {whole}.00)",
            "an amount of money has at most two decimals and no thousands separators; the program never "
            "reinterprets such a number.",
        ),
    },
    "value.money_decimals": {
        "nl": (
            "‘{value}’ heeft {decimals} decimalen; een geldbedrag heeft er hoogstens twee",
            "schrijf het bedrag in hele centen met een punt als decimaalteken, zonder punten tussen "
            "duizendtallen: 1234567.89.",
        ),
        "en": (
            "‘{value}’ has {decimals} decimals; an amount of money has at most two",
            "write the amount in whole cents with a decimal point and no thousands separators: 1234567.89.",
        ),
    },
    "value.dutch_notation": {
        "nl": (
            "‘{value}’ is Nederlandse schrijfwijze (punt tussen duizendtallen of komma als decimaalteken); "
            "schrijf {plain}",
            "schrijf een getal met een punt als decimaalteken en zonder scheiding tussen duizendtallen; "
            "het programma leest zo'n getal nooit om.",
        ),
        "en": (
            "‘{value}’ is Dutch notation (points between thousands or a decimal comma); write {plain}",
            "write a number with a decimal point and no thousands separators; the program never "
            "reinterprets such a number.",
        ),
    },
    "value.count_thousands": {
        "nl": (
            "‘{value}’ is geen aantal; een punt als duizendtalscheiding? Schrijf {whole}",
            "een aantal is een geheel getal, zonder decimalen en zonder punten tussen duizendtallen.",
        ),
        "en": (
            "‘{value}’ is not a count; a point as thousands separator? Write {whole}",
            "a count is a whole number, without decimals or thousands separators.",
        ),
    },
    "value.not_a_percentage": {
        "nl": ("‘{value}’ is geen percentage", 'schrijf 5 (betekent 5 %) of "0,25 %".'),
        "en": ("‘{value}’ is not a percentage", 'write 5 (meaning 5 %) or "0,25 %".'),
    },
    "value.not_a_count": {
        "nl": ("‘{value}’ is geen aantal", "een aantal is een geheel getal zonder decimalen."),
        "en": ("‘{value}’ is not a count", "a count is a whole number."),
    },
    "value.not_a_boolean": {
        "nl": ("‘{value}’ is geen ja/nee-waarde", "schrijf true (ja) of false (nee)."),
        "en": ("‘{value}’ is not a yes/no value", "write true or false."),
    },
    "value.not_text": {
        "nl": ("‘{value}’ is geen {kind}", "schrijf de waarde als tekst tussen aanhalingstekens."),
        "en": ("‘{value}’ is not a {kind}", "write the value as quoted text."),
    },
    "value.not_a_date": {
        "nl": ("‘{value}’ is geen datum", "schrijf een datum als jjjj-mm-dd, bijvoorbeeld 2025-06-30."),
        "en": ("‘{value}’ is not a date", "write a date as yyyy-mm-dd, e.g. 2025-06-30."),
    },
    "value.not_a_term": {
        "nl": ("‘{value}’ is geen termijn", 'schrijf bijvoorbeeld "1 maand", "2 weken" of "14 dagen".'),
        "en": ("‘{value}’ is not a term", 'write e.g. "1 maand", "2 weken" or "14 dagen".'),
    },
    "value.not_a_day_month": {
        "nl": ("‘{value}’ is geen dag en maand", 'schrijf bijvoorbeeld "1 oktober" of "30 juni".'),
        "en": ("‘{value}’ is not a day and month", 'write e.g. "1 oktober" or "30 juni".'),
    },
    "value.not_a_month": {
        "nl": ("‘{value}’ is geen maand", 'schrijf de naam van de maand: "februari".'),
        "en": ("‘{value}’ is not a month", 'write the Dutch month name: "februari".'),
    },
    # municipalities table
    "municipalities.duplicate": {
        "nl": ("de {what} ‘{value}’ staat twee keer in de tabel van gemeenten", "laat één regel staan."),
        "en": ("the {what} ‘{value}’ appears twice in the table of municipalities", "keep one row."),
    },
    "municipalities.unknown_successor": {
        "nl": ("de opvolger {code} staat niet in de tabel", "voeg de opvolgende gemeente toe aan de tabel."),
        "en": ("the successor {code} is not in the table", "add the successor to the table."),
    },
    # rule files
    "rules.unknown_article": {
        "nl": (
            "artikel ‘{article}’ staat niet onder articles",
            "voeg het artikel toe onder articles, of verwijs naar een artikel dat er wel staat: {known}.",
        ),
        "en": (
            "article ‘{article}’ is not listed under articles",
            "add it under articles, or cite one that is there: {known}.",
        ),
    },
    "rules.period_reversed": {
        "nl": ("valid_until ({valid_until}) ligt vóór valid_from ({valid_from})", "draai de datums om."),
        "en": ("valid_until ({valid_until}) lies before valid_from ({valid_from})", "swap the dates."),
    },
    "rules.unknown_municipality": {
        "nl": (
            "de gemeente ‘{name}’ staat niet in {table}",
            "{suggestions}Schrijf de naam zoals in die tabel, of voeg de gemeente met haar CBS-code toe.",
        ),
        "en": (
            "the municipality ‘{name}’ is not in {table}",
            "{suggestions}Write the name as in that table, or add it with its CBS code.",
        ),
    },
    "rules.duplicate_party": {
        "nl": ("de gemeente ‘{name}’ staat twee keer onder parties", "noem elke partij één keer."),
        "en": ("the municipality ‘{name}’ is listed twice under parties", "list each party once."),
    },
    "rules.merger_incomplete": {
        "nl": (
            "{missing} ontbreekt onder parties: {merged} zijn op {day} samengegaan in {successor}",
            "noem de partijen zoals het convenant ze noemt: voeg {missing} toe. Zonder {missing} rekent "
            "het programma {successor} als maar een deel van de gemeenten waaruit het bestaat. Noemt het "
            "convenant {missing} niet, dan klopt de tabel van gemeenten ({table}) niet.",
        ),
        "en": (
            "{missing} is missing under parties: {merged} merged into {successor} on {day}",
            "list the parties as the covenant does: add {missing}. Without {missing} the program computes "
            "{successor} from only some of the municipalities it is made of. If the covenant does not name "
            "{missing}, the table of municipalities ({table}) is wrong.",
        ),
    },
    "rules.centrumgemeente_count": {
        "nl": (
            "er moet precies één centrumgemeente zijn (nu: {count})",
            "geef één partij role: centrumgemeente.",
        ),
        "en": (
            "there must be exactly one centrumgemeente (now: {count})",
            "give one party role: centrumgemeente.",
        ),
    },
    "rules.interpretation_shape": {
        "nl": (
            "interpretatie {id} heeft niet de goede vorm",
            "een vaste lezing heeft reading en alternative; een omschakelbare heeft options en chosen.",
        ),
        "en": (
            "interpretation {id} is malformed",
            "a fixed reading has reading and alternative; a switchable one has options and chosen.",
        ),
    },
    "rules.interpretation_choice": {
        "nl": ("de gekozen lezing ‘{chosen}’ van {id} staat niet onder options", "kies uit: {options}."),
        "en": ("the chosen reading ‘{chosen}’ of {id} is not among its options", "choose from: {options}."),
    },
    "rules.policy_interpretation": {
        "nl": (
            "date_policy.{field} noemt {id}, maar dat is geen omschakelbare interpretatie in dit bestand",
            "voeg {id} toe onder interpretations met de keuzes {options}.",
        ),
        "en": (
            "date_policy.{field} names {id}, which is not a switchable interpretation in this file",
            "add {id} under interpretations with the options {options}.",
        ),
    },
    "rules.policy_options": {
        "nl": (
            "{id} bepaalt date_policy.{field}, maar kent de keuze(s) {strange} niet",
            "het programma kent voor dit onderdeel alleen: {options}.",
        ),
        "en": (
            "{id} decides date_policy.{field}, but its option(s) {strange} are unknown",
            "the engine knows only: {options}.",
        ),
    },
    "rules.default_and_optional": {
        "nl": ("feit {name} heeft een standaardwaarde én required: false", "kies één van beide."),
        "en": ("fact {name} has a default and required: false", "choose one."),
    },
    "rules.reserved_name": {
        "nl": ("de naam ‘{name}’ is gereserveerd (het jaar van de feiten)", "kies een andere naam."),
        "en": ("the name ‘{name}’ is reserved (the facts' year)", "choose another name."),
    },
    "rules.duplicate_name": {
        "nl": (
            "de naam ‘{name}’ bestaat al (onder {other})",
            "geef elk feit, elke parameter en elke regel een eigen naam.",
        ),
        "en": (
            "the name ‘{name}’ is already used (under {other})",
            "give every fact, parameter and rule its own name.",
        ),
    },
    "rules.settlement_deadline": {
        "nl": ("‘{name}’ staat niet onder deadlines", "noem een termijn uit deadlines."),
        "en": ("‘{name}’ is not listed under deadlines", "name a deadline from deadlines."),
    },
    "rules.settlement_kind": {
        "nl": (
            "alleen een geldbedrag per gemeente kan worden afgerekend ({name})",
            "gebruik settlement alleen bij type: money en per: municipality.",
        ),
        "en": (
            "only an amount per municipality can be settled ({name})",
            "use settlement only with type: money and per: municipality.",
        ),
    },
    "rules.one_primitive": {
        "nl": (
            "‘{name}’ moet precies één manier van berekenen hebben (nu: {given})",
            "kies één van: {allowed}.",
        ),
        "en": ("‘{name}’ must have exactly one way of computing (now: {given})", "choose one of: {allowed}."),
    },
    "rules.unknown_interpretation": {
        "nl": ("de interpretatie {name} staat niet onder interpretations", "bekend zijn: {known}."),
        "en": ("the interpretation {name} is not listed under interpretations", "known are: {known}."),
    },
    "rules.interpretation_not_listed": {
        "nl": (
            "de berekening hangt af van {id}, maar de regel noemt die interpretatie niet",
            "zet {id} in de lijst interpretations van deze regel, zodat de uitleg haar noemt.",
        ),
        "en": (
            "the computation depends on {id}, but the rule does not list it",
            "add {id} to this rule's interpretations so that explanations name it.",
        ),
    },
    "rules.condition_kind": {
        "nl": (
            "een voorwaarde moet ja of nee opleveren, maar deze levert een {kind} op",
            "gebruik een vergelijking (=, <, >=, …) of and/or/not.",
        ),
        "en": (
            "a condition must yield yes or no, but this yields a {kind}",
            "use a comparison (=, <, >=, …) or and/or/not.",
        ),
    },
    "rules.inputs_missing": {
        "nl": ("de berekening gebruikt {names}, maar die staan niet onder inputs", "voeg ze toe aan inputs."),
        "en": ("the computation uses {names}, which are not listed under inputs", "add them to inputs."),
    },
    "rules.inputs_unused": {
        "nl": (
            "inputs noemt {names}, maar de berekening gebruikt die niet",
            "haal ze weg uit inputs, of gebruik ze in de berekening.",
        ),
        "en": ("inputs lists {names}, which the computation does not use", "remove them, or use them."),
    },
    "rules.unknown_name": {
        "nl": (
            "onbekende naam: {names}",
            "elke naam moet onder facts, parameters, rules of deadlines staan; controleer de spelling.",
        ),
        "en": (
            "unknown name: {names}",
            "every name must be defined under facts, parameters, rules or deadlines; check the spelling.",
        ),
    },
    "rules.result_kind": {
        "nl": (
            "de regel zegt type {declared}, maar de berekening levert een {found} op",
            "pas type aan of controleer de berekening.",
        ),
        "en": (
            "the rule says type {declared}, but the computation yields a {found}",
            "change type or check the computation.",
        ),
    },
    "rules.money_not_rounded": {
        "nl": (
            "de uitkomst kan een fractie van een cent zijn",
            "rond het bedrag af met round(…) "
            "(half van nul af, naar hele centen), of verdeel het met distribute.",
        ),
        "en": (
            "the result may be a fraction of a cent",
            "round it with round(…) (half away from zero, to whole cents), or distribute it with distribute.",
        ),
    },
    "rules.per_mismatch": {
        "nl": (
            "de berekening gebruikt waarden per {sets} buiten sum(…), maar de regel is per {per}",
            "tel de waarden op met sum(…) of zet per: op de regel.",
        ),
        "en": (
            "the computation uses values per {sets} outside sum(…), but the rule is per {per}",
            "add them up with sum(…) or set per: on the rule.",
        ),
    },
    "rules.name_kind": {
        "nl": (
            "‘{name}’ is een {found} (per {found_per}); hier is een {expected} nodig (per {expected_per})",
            "verwijs naar een naam van de goede soort.",
        ),
        "en": (
            "‘{name}’ is a {found} (per {found_per}); a {expected} is needed here (per {expected_per})",
            "refer to a name of the right kind.",
        ),
    },
    "rules.key_shape": {
        "nl": (
            "{primitive} vraagt om een regel per gemeente met het goede type",
            "weighted_key: type ratio en per: municipality; distribute: type money en per: municipality.",
        ),
        "en": (
            "{primitive} needs a rule per municipality of the right type",
            "weighted_key: type ratio, per: municipality; distribute: type money, per: municipality.",
        ),
    },
    "rules.key_weights": {
        "nl": (
            "de gewichten van de verdeelsleutel tellen op tot {total}, niet tot 100 %",
            "pas de gewichten ({weights}) onder parameters aan zodat ze samen precies 100 % zijn.",
        ),
        "en": (
            "the key's weights total {total}, not 100 %",
            "change the weights ({weights}) under parameters so that they total exactly 100 %.",
        ),
    },
    "rules.duplicate_outcome": {
        "nl": ("de uitkomst ‘{outcome}’ komt twee keer voor", "geef elke uitkomst een eigen naam."),
        "en": ("the outcome ‘{outcome}’ occurs twice", "give each outcome its own name."),
    },
    "rules.month_policy_missing": {
        "nl": (
            "de termijn {term} telt maanden, maar het bestand zegt niet wat een maand na de 31e is",
            "voeg date_policy.months toe met een interpretatie (I-months) die kiest tussen afkappen en "
            "weigeren.",
        ),
        "en": (
            "the term {term} counts months, but the file does not say what a month after the 31st is",
            "add date_policy.months naming an interpretation (I-months) that chooses afkappen or weigeren.",
        ),
    },
    "rules.cycle": {
        "nl": (
            "de regels hangen in een kring van elkaar af: {cycle}",
            "een regel mag niet (via andere regels) van zichzelf afhangen; haal één verwijzing weg.",
        ),
        "en": (
            "the rules depend on each other in a cycle: {cycle}",
            "a rule may not depend on itself through other rules; remove one reference.",
        ),
    },
    "rules.unused_parameter": {
        "nl": (
            "de parameter ‘{name}’ wordt door geen enkele regel gebruikt",
            "gebruik haar in een regel (en zet haar onder inputs), of haal haar weg.",
        ),
        "en": (
            "the parameter ‘{name}’ is used by no rule",
            "use it in a rule (and list it in inputs), or remove it.",
        ),
    },
    "rules.unused_fact": {
        "nl": (
            "het feit ‘{name}’ wordt door geen enkele regel of verplichting gebruikt",
            "gebruik het in een regel (en zet het onder inputs), of haal het weg.",
        ),
        "en": ("the fact ‘{name}’ is used by no rule or duty", "use it, or remove it."),
    },
    "rules.unused_interpretation": {
        "nl": (
            "de interpretatie {id} wordt door geen enkele regel genoemd",
            "noem haar onder interpretations van de regel die erop steunt, of haal haar weg.",
        ),
        "en": (
            "the interpretation {id} is cited by no rule",
            "cite it in the rule that relies on it, or remove it.",
        ),
    },
    "rules.optional_fact_in_rule": {
        "nl": (
            "het feit {name} mag ontbreken (required: false), maar regel {rules} rekent ermee",
            "geef het feit een standaardwaarde (default) of maak het verplicht.",
        ),
        "en": (
            "the fact {name} may be missing (required: false), but rule {rules} computes with it",
            "give it a default or make it required.",
        ),
    },
    # expressions
    "expr.bad_character": {
        "nl": ("het teken ‘{char}’ hoort niet in een berekening", "gebruik + - * / ( ) en vergelijkingen."),
        "en": ("the character ‘{char}’ does not belong in a computation", "use + - * / ( ) and comparisons."),
    },
    "expr.expected": {
        "nl": (
            "hier werd ‘{expected}’ verwacht, maar er staat ‘{found}’",
            "controleer de haakjes en if … then … else ….",
        ),
        "en": ("expected ‘{expected}’ here, found ‘{found}’", "check parentheses and if … then … else …."),
    },
    "expr.empty": {
        "nl": ("de berekening is leeg", "schrijf een berekening."),
        "en": ("the computation is empty", "write a computation."),
    },
    "expr.unexpected": {
        "nl": (
            "‘{found}’ staat hier onverwacht",
            "controleer of er een bewerking (+, -, *, /) of haakje ontbreekt.",
        ),
        "en": ("unexpected ‘{found}’", "check for a missing operator or parenthesis."),
    },
    "expr.unknown_function": {
        "nl": ("onbekende functie {name}(…)", "bekende functies: {known}."),
        "en": ("unknown function {name}(…)", "known functions: {known}."),
    },
    "expr.literal_number": {
        "nl": (
            "het getal {number} staat los in de berekening",
            "zet elk getal uit het convenant onder parameters, met eenheid en artikel, en gebruik hier "
            "de naam van die parameter (alleen 0 en 1 mogen los).",
        ),
        "en": (
            "the number {number} is written into the computation",
            "put every number of the covenant under parameters, with unit and article, and use its name "
            "here (only 0 and 1 may be written).",
        ),
    },
    "expr.unknown_name": {
        "nl": (
            "onbekende naam ‘{name}’",
            "elke naam moet onder facts, parameters, rules of deadlines staan; controleer de spelling.",
        ),
        "en": (
            "unknown name ‘{name}’",
            "every name must be defined under facts, parameters, rules or deadlines; check the spelling.",
        ),
    },
    "expr.operand_kind": {
        "nl": ("‘{op}’ werkt niet op een {kind}", "controleer de soort van de waarden."),
        "en": ("‘{op}’ does not work on a {kind}", "check the kinds of the values."),
    },
    "expr.condition_kind": {
        "nl": (
            "na if moet een voorwaarde staan (ja/nee), maar dit is een {kind}",
            "gebruik een vergelijking.",
        ),
        "en": ("if needs a condition (yes/no), but this is a {kind}", "use a comparison."),
    },
    "expr.branch_kinds": {
        "nl": (
            "de twee uitkomsten van if zijn van een andere soort: {left} en {right}",
            "laat then en else hetzelfde soort waarde opleveren.",
        ),
        "en": (
            "the two branches of if differ in kind: {left} and {right}",
            "make then and else the same kind.",
        ),
    },
    "expr.unit_mismatch": {
        "nl": (
            "eenheden passen niet: {left} {op} {right}",
            "een geldbedrag kan alleen bij een geldbedrag worden opgeteld of ervan worden afgetrokken; "
            "vermenigvuldig een bedrag alleen met een percentage, verhoudingsgetal of aantal.",
        ),
        "en": (
            "units do not agree: {left} {op} {right}",
            "money adds only to money; multiply money only by a percentage, ratio or count.",
        ),
    },
    "expr.unknown_option": {
        "nl": ("‘{option}’ is geen keuze van deze interpretatie", "kies uit: {options}."),
        "en": ("‘{option}’ is not an option of this interpretation", "choose from: {options}."),
    },
    "expr.interpretation_arg": {
        "nl": (
            "interpretation(…) vraagt om de code tussen aanhalingstekens",
            "bijvoorbeeld interpretation('I-A-8.9').",
        ),
        "en": ("interpretation(…) needs the quoted id", "e.g. interpretation('I-A-8.9')."),
    },
    "expr.unknown_interpretation": {
        "nl": (
            "{name} is geen omschakelbare interpretatie in dit bestand",
            "voeg haar toe onder interpretations met options en chosen.",
        ),
        "en": ("{name} is not a switchable interpretation in this file", "add it with options and chosen."),
    },
    "expr.arity": {
        "nl": ("{function}(…) vraagt om {count} waarde(n)", "controleer de komma's."),
        "en": ("{function}(…) takes {count} value(s)", "check the commas."),
    },
    "expr.sum_of_scalar": {
        "nl": ("sum(…) telt waarden per gemeente of per casus op, maar dit is één waarde", "laat sum weg."),
        "en": ("sum(…) adds values per municipality or case, but this is a single value", "remove sum."),
    },
    "expr.round_kind": {
        "nl": (
            "round(…) rondt geldbedragen af op hele centen, maar dit is een {kind}",
            "rond alleen bedragen af; reken met percentages exact.",
        ),
        "en": ("round(…) rounds money to whole cents, but this is a {kind}", "round money only."),
    },
    "expr.per_mismatch": {
        "nl": ("waarden per {left} en per {right} kunnen niet samen in één berekening", "gebruik sum(…)."),
        "en": ("values per {left} and per {right} cannot be combined", "use sum(…)."),
    },
    # facts
    "facts.below_minimum": {
        "nl": (
            "{fact} is {value}, maar mag niet kleiner zijn dan {minimum}",
            "controleer de aangeleverde gegevens; een negatieve waarde is hier niet mogelijk.",
        ),
        "en": ("{fact} is {value}, but may not be less than {minimum}", "check the data supplied."),
    },
    "facts.wrong_covenant": {
        "nl": (
            "het feitenbestand is voor convenant ‘{found}’, het regelbestand {rules} voor ‘{expected}’",
            "kies het goede regelbestand of feitenbestand.",
        ),
        "en": (
            "the facts are for covenant ‘{found}’, the rule file {rules} for ‘{expected}’",
            "choose the matching rule or fact file.",
        ),
    },
    "facts.unknown_fact": {
        "nl": ("het feit ‘{fact}’ kent het regelbestand {rules} niet", "{suggestion}Controleer de spelling."),
        "en": ("the rule file {rules} does not know the fact ‘{fact}’", "{suggestion}Check the spelling."),
    },
    "facts.wrong_place": {
        "nl": ("het feit ‘{fact}’ staat op de verkeerde plek", "zet het onder {place}."),
        "en": ("the fact ‘{fact}’ is in the wrong place", "put it under {place}."),
    },
    "facts.missing": {
        "nl": ("het feit ‘{fact}’ ({label}) ontbreekt{whose_text}", "voeg het toe aan het feitenbestand."),
        "en": ("the fact ‘{fact}’ ({label}) is missing{whose_text}", "add it to the fact file."),
    },
    "facts.not_a_party": {
        "nl": (
            "{name} ({code}) is geen partij bij het {covenant}",
            "haal deze gemeente weg of kies het convenant waar zij bij hoort.",
        ),
        "en": ("{name} ({code}) is not a party to the {covenant}", "remove it or choose its covenant."),
    },
    "facts.unknown_code": {
        "nl": (
            "onbekende CBS-code {code}",
            "controleer de code; bekende codes staan in rules/municipalities.yaml.",
        ),
        "en": ("unknown CBS code {code}", "check the code; known codes are in rules/municipalities.yaml."),
    },
    "facts.municipality_missing": {
        "nl": ("de gemeente {name} ({code}) ontbreekt onder municipalities", "voeg {code} toe met: {facts}."),
        "en": (
            "the municipality {name} ({code}) is missing under municipalities",
            "add {code} with: {facts}.",
        ),
    },
    "facts.duplicate_case": {
        "nl": ("de casus ‘{id}’ staat twee keer in het bestand", "geef elke casus een eigen id."),
        "en": ("the case ‘{id}’ appears twice", "give each case its own id."),
    },
    # versions
    "registry.unknown_covenant": {
        "nl": (
            "er is geen regelbestand voor convenant ‘{covenant}’ in {directory}",
            "bekende convenanten: {known}.",
        ),
        "en": ("there is no rule file for covenant ‘{covenant}’ in {directory}", "known covenants: {known}."),
    },
    "registry.no_version": {
        "nl": (
            "geen versie van convenant ‘{covenant}’ geldt in {year}",
            "de versies en hun looptijd:{versions}",
        ),
        "en": (
            "no version of covenant ‘{covenant}’ is in force in {year}",
            "the versions and their periods:{versions}",
        ),
    },
    "registry.several_versions": {
        "nl": (
            "meer dan één versie van convenant ‘{covenant}’ geldt in {year}",
            "maak de looptijden zo dat ze elkaar niet overlappen:{versions}",
        ),
        "en": (
            "more than one version of covenant ‘{covenant}’ is in force in {year}",
            "make the periods not overlap:{versions}",
        ),
    },
    # evaluation
    "evaluate.division_by_zero": {
        "nl": (
            "deling door nul in {label} ({rule}): {expression}, en ‘{divisor}’ is nul",
            "controleer de feiten die de deler gebruikt; een deler mag niet nul zijn.",
        ),
        "en": (
            "division by zero in {label} ({rule}): {expression}, and ‘{divisor}’ is zero",
            "check the facts the divisor uses; a divisor may not be zero.",
        ),
    },
    "evaluate.key_total_zero": {
        "nl": (
            "{label} ({rule}) kan niet worden berekend: het totaal van ‘{fact}’ over alle gemeenten is nul",
            "het totaal van {fact} moet groter dan nul zijn ({component_article}); controleer de feiten.",
        ),
        "en": (
            "{label} ({rule}) cannot be computed: the total of ‘{fact}’ over all municipalities is zero",
            "the total of {fact} must be above zero ({component_article}); check the facts.",
        ),
    },
    "evaluate.key_not_one": {
        "nl": ("de verdeelsleutel van {label} telt op tot {total}, niet tot 100 %", "controleer de sleutel."),
        "en": ("the key of {label} totals {total}, not 100 %", "check the key."),
    },
    "evaluate.decision_none": {
        "nl": (
            "geen enkel geval van {label} past bij {member}",
            "vul de gevallen aan zodat er altijd één past.",
        ),
        "en": ("no case of {label} fits {member}", "complete the cases so that one always fits."),
    },
    "evaluate.decision_overlap": {
        "nl": (
            "meer dan één geval van {label} past bij {member}: {outcomes}",
            "maak de voorwaarden zo dat er precies één past.",
        ),
        "en": ("more than one case of {label} fits {member}: {outcomes}", "make exactly one condition hold."),
    },
    "date.month_overflow": {
        "nl": (
            "{start} plus {term} valt op een dag die in {month} {year} niet bestaat",
            "de gekozen maandregel (I-months) is ‘weigeren’; kies ‘afkappen’ om naar de laatste dag van de "
            "maand te gaan.",
        ),
        "en": (
            "{start} plus {term} falls on a day that does not exist in {month} {year}",
            "the month policy (I-months) is ‘weigeren’; choose ‘afkappen’ to clip to the month's end.",
        ),
    },
    # --- failures while evaluating that keep their place (issue 10, item 4) ---------------------
    "date.out_of_range": {
        "nl": (
            "{start} plus {term} valt na 31 december 9999, de laatste dag die het programma kent",
            "controleer de datum in het feitenbestand; waarschijnlijk is het jaar verkeerd getypt.",
        ),
        "en": (
            "{start} plus {term} falls after 31 December 9999, the last day the program knows",
            "check the date in the fact file; the year is probably mistyped.",
        ),
    },
    # --- sets, tables, mergers and the sheet primitives (Groningen) -------------------------------
    "parties.merged_roles": {
        "nl": (
            "{names} zijn in {year} één gemeente, maar hebben verschillende rollen ({roles})",
            "geef de partijen die zijn samengevoegd dezelfde rol.",
        ),
        "en": (
            "{names} are one municipality in {year} but have different roles ({roles})",
            "give merged parties the same role.",
        ),
    },
    "rules.reserved_set": {
        "nl": (
            "‘{name}’ is een ingebouwde verzameling",
            "kies een andere naam (municipality en case bestaan al).",
        ),
        "en": ("‘{name}’ is a built-in set", "choose another name (municipality and case exist already)."),
    },
    "rules.duplicate_member": {
        "nl": ("‘{name}’ staat twee keer in deze lijst", "geef elk lid en elke kolom een eigen naam."),
        "en": ("‘{name}’ appears twice in this list", "give every member and column its own name."),
    },
    "rules.unknown_set": {
        "nl": (
            "onbekende verzameling ‘{name}’",
            "bekend zijn: {known}; nieuwe verzamelingen staan onder sets.",
        ),
        "en": ("unknown set ‘{name}’", "known are: {known}; new sets go under sets."),
    },
    "rules.unknown_member": {
        "nl": ("‘{member}’ is geen lid van {set}", "kies uit: {known}."),
        "en": ("‘{member}’ is not a member of {set}", "choose from: {known}."),
    },
    "rules.table_column": {
        "nl": ("de tabel {table} heeft geen kolom ‘{column}’", "kies uit: {known}."),
        "en": ("the table {table} has no column ‘{column}’", "choose from: {known}."),
    },
    "rules.table_row": {
        "nl": (
            "de tabel {table} heeft geen (leesbare) waarde voor {row} in kolom {column}",
            "voeg de rij toe aan de tabel, met municipality (een gemeente) of row (een andere rij).",
        ),
        "en": (
            "the table {table} has no (readable) value for {row} in column {column}",
            "add the row to the table, with municipality or row.",
        ),
    },
    "rules.parameter_shape": {
        "nl": (
            "parameter ‘{name}’ moet óf een waarde (value) hebben, óf per lid uit een tabel komen "
            "(per en table)",
            "geef value, of geef per en table samen.",
        ),
        "en": (
            "parameter ‘{name}’ needs either a value, or per and table together",
            "give value, or per and table.",
        ),
    },
    "rules.roles_per": {
        "nl": (
            "roles kan alleen bij een regel per gemeente (‘{name}’)",
            "zet per: municipality, of haal roles weg.",
        ),
        "en": (
            "roles only applies to a rule per municipality (‘{name}’)",
            "set per: municipality, or remove roles.",
        ),
    },
    "rules.settlement_shape": {
        "nl": ("de afrekening van ‘{name}’ noemt deadline én pays_by/receives_by", "kies één van beide."),
        "en": ("the settlement of ‘{name}’ names deadline and pays_by/receives_by", "choose one."),
    },
    "rules.sheet_like": {
        "nl": (
            "‘{name}’ is geen spreadsheetregel met eigen vaste cellen en dezelfde rijen",
            "verwijs met like naar een regel met sheet (zonder like) en hetzelfde per.",
        ),
        "en": (
            "‘{name}’ is not a sheet rule with its own fixed cells and the same rows",
            "let like name a sheet rule (without like) with the same per.",
        ),
    },
    "rules.sheet_shape": {
        "nl": (
            "het spreadsheet moet fixed, scaling en budget zelf noemen, of ze met like overnemen ({fields})",
            "geef ze allemaal zelf, of geen ervan en like: {like}.",
        ),
        "en": (
            "the sheet must give fixed, scaling and budget itself, or take them with like ({fields})",
            "give all of them, or none and like: {like}.",
        ),
    },
    "rules.threshold_sheet": {
        "nl": ("‘{name}’ is geen spreadsheetregel", "een drempel vergelijkt twee regels met sheet."),
        "en": ("‘{name}’ is not a sheet rule", "a threshold compares two sheet rules."),
    },
    "rules.threshold_among": {
        "nl": (
            "de rijen van het spreadsheet ({rows}) omvatten niet de leden van {among}",
            "kies een verzameling waarvan elk lid een rij is (bijvoorbeeld municipality).",
        ),
        "en": (
            "the sheet's rows ({rows}) do not include the members of {among}",
            "choose a set whose members are rows (e.g. municipality).",
        ),
    },
    "expr.two_dimensional": {
        "nl": (
            "‘{name}’ heeft een waarde per {per} en per {by}; zo'n feit kan alleen in een spreadsheet "
            "(sheet)",
            "gebruik het onder sheet als counts.",
        ),
        "en": (
            "‘{name}’ has a value per {per} and per {by}; such a fact can only feed a sheet",
            "use it under sheet as counts.",
        ),
    },
    "table.row_length": {
        "nl": (
            "de rij ‘{label}’ heeft {found} waarden, maar de tabel heeft {expected} kolommen",
            "geef één waarde per kolom, in de volgorde van columns (null als de bron onleesbaar is).",
        ),
        "en": (
            "row ‘{label}’ has {found} values but the table has {expected} columns",
            "give one value per column, in order (null if unreadable).",
        ),
    },
    "table.duplicate_row": {
        "nl": ("de rij ‘{label}’ staat twee keer in de tabel", "geef elke rij een eigen label."),
        "en": ("row ‘{label}’ appears twice", "give each row its own label."),
    },
    "table.unknown_part": {
        "nl": (
            "de rij ‘{label}’ telt ‘{part}’ op, maar die rij bestaat niet",
            "controleer de labels onder parts.",
        ),
        "en": ("row ‘{label}’ adds up ‘{part}’, which does not exist", "check the labels under parts."),
    },
    "table.correction_row": {
        "nl": ("de correctie noemt rij ‘{row}’, die niet in de tabel staat", "gebruik het label van de rij."),
        "en": ("the correction names row ‘{row}’, which is not in the table", "use the row's label."),
    },
    "table.correction_field": {
        "nl": ("de correctie noemt veld ‘{field}’", "kies label of een kolom: {known}."),
        "en": ("the correction names field ‘{field}’", "choose label or a column: {known}."),
    },
    "table.correction_mismatch": {
        "nl": (
            "volgens de correctie staat bij {row}, {field} ‘{corrected}’, maar de tabel bevat ‘{held}’",
            "maak de tabel en de correctie gelijk: de correctie legt vast wát er in de tabel staat.",
        ),
        "en": (
            "the correction says {row}, {field} holds ‘{corrected}’, but the table holds ‘{held}’",
            "make the table and the correction agree.",
        ),
    },
    "table.findings": {
        "nl": (
            "{off} sommen in de tabel kloppen niet en {rounding} alleen binnen de afronding van de afdruk",
            "de tabel blijft zoals gedrukt; convenant table {path} toont elke som.",
        ),
        "en": (
            "{off} sums in the table do not add up and {rounding} only within the rounding of the print",
            "the table stays as printed; convenant table {path} shows every sum.",
        ),
    },
    "facts.mapping_expected": {
        "nl": ("hier hoort een waarde per lid: {members}", "schrijf een blok met per lid een waarde."),
        "en": ("a value per member belongs here: {members}", "write a block with a value per member."),
    },
    "facts.unknown_member": {
        "nl": ("onbekende kolom of rij ‘{member}’ bij {fact}", "kies uit: {known}."),
        "en": ("unknown column or row ‘{member}’ in {fact}", "choose from: {known}."),
    },
    "facts.member_missing": {
        "nl": (
            "{fact} mist een waarde voor ‘{member}’",
            "geef een waarde voor elk lid van {set} (0 als het er geen zijn).",
        ),
        "en": ("{fact} lacks a value for ‘{member}’", "give a value for every member of {set} (0 if none)."),
    },
    "facts.not_yet": {
        "nl": (
            "{name} ({code}) bestond op 1 januari {year} nog niet",
            "geef de feiten van de gemeenten die toen bestonden.",
        ),
        "en": (
            "{name} ({code}) did not exist yet on 1 January {year}",
            "give the facts of the municipalities that existed then.",
        ),
    },
    "facts.merge_incomplete": {
        "nl": (
            "in {year} zijn {parts} samen één gemeente, {name} ({member}); het bestand noemt {given}",
            "geef de feiten van {name}, óf van al haar voorgangers (dan worden ze opgeteld), niet beide.",
        ),
        "en": (
            "in {year}, {parts} are one municipality, {name} ({member}); the file names {given}",
            "give the facts of {name}, or of all its predecessors (they are added up), not both.",
        ),
    },
    "facts.merge_conflict": {
        "nl": (
            "{fact} verschilt tussen {given}, die in dit jaar samen {name} zijn",
            "dit feit kan niet worden opgeteld; geef het één keer, voor {name}.",
        ),
        "en": (
            "{fact} differs between {given}, which are {name} in this year",
            "this fact cannot be added up; give it once, for {name}.",
        ),
    },
    "facts.unknown_row": {
        "nl": ("onbekende rij ‘{row}’", "rijen die geen gemeente zijn: {known}."),
        "en": ("unknown row ‘{row}’", "rows that are not municipalities: {known}."),
    },
    "facts.row_missing": {
        "nl": ("de rij ‘{row}’ ontbreekt onder rows", "voeg haar toe met {fact}."),
        "en": ("the row ‘{row}’ is missing under rows", "add it with {fact}."),
    },
    "evaluate.sheet_empty": {
        "nl": (
            "{label} ({rule}) kan niet worden geschaald: alle indicatiewaarden zijn nul",
            "controleer de aantallen indicaties ({counts}).",
        ),
        "en": (
            "{label} ({rule}) cannot be scaled: every indicatiewaarde is zero",
            "check the counts ({counts}).",
        ),
    },
    "evaluate.sheet_not_100": {
        "nl": (
            "het spreadsheet van {label} ({rule}) telt op tot {total}, niet tot 100 %",
            "met de keuze ‘{scaling}’ wordt een sleutel die niet precies 100 % is nooit gebruikt; kies de "
            "interpretatie ‘schalen’, of laat de partijen afwijkende percentages overeenkomen (artikel 5, "
            "eerste lid).",
        ),
        "en": (
            "the sheet of {label} ({rule}) totals {total}, not 100 %",
            "with ‘{scaling}’ a key that is not exactly 100 % is never used; choose ‘schalen’.",
        ),
    },
    "evaluate.negative_claim": {
        "nl": (
            "{label} ({rule}): een aanspraak ({claims}) of het beschikbare bedrag ({available}) is negatief",
            "controleer de feiten.",
        ),
        "en": (
            "{label} ({rule}): a claim ({claims}) or the amount available ({available}) is negative",
            "check the facts.",
        ),
    },
    "evaluate.date_outside_year": {
        "nl": (
            "{fact} ({date}) ligt niet in {year}, het jaar van de feiten",
            "de aanleiding voor de bijstelling moet zich in het jaar zelf voordoen; controleer de datum.",
        ),
        "en": ("{fact} ({date}) is not in {year}, the facts' year", "check the date."),
    },
    "registry.before_first_year": {
        "nl": (
            "de berekeningen van convenant ‘{covenant}’ gelden voor het eerst voor {first}; "
            "{year} valt daarvóór",
            "geef feiten voor {first} of later.",
        ),
        "en": (
            "the computations of covenant ‘{covenant}’ first apply to {first}; {year} is earlier",
            "give facts for {first} or later.",
        ),
    },
    # --- explanations, letters and their templates (issue 4) ---
    "template.syntax": {
        "nl": ("het sjabloon is geen geldige Jinja: {message}", "herstel de regel; zie docs/legal-staff.md."),
        "en": ("the template is not valid Jinja: {message}", "repair the line; see docs/legal-staff.md."),
    },
    "template.unknown_variable": {
        "nl": (
            "het sjabloon gebruikt een onbekende variabele ‘{name}’",
            "{suggestion}Beschikbaar zijn: {known}.",
        ),
        "en": ("the template uses an unknown variable ‘{name}’", "{suggestion}Available: {known}."),
    },
    "template.error": {
        "nl": ("het sjabloon kan niet worden ingevuld: {message}", "controleer deze regel van het sjabloon."),
        "en": ("the template cannot be filled in: {message}", "check this line of the template."),
    },
    "template.unknown_filter": {
        "nl": (
            "het sjabloon gebruikt een onbekend filter ‘{name}’",
            "{suggestion}Beschikbaar zijn: {known}.",
        ),
        "en": ("the template uses an unknown filter ‘{name}’", "{suggestion}Available: {known}."),
    },
    "template.unknown_test": {
        "nl": ("het sjabloon gebruikt een onbekende test ‘{name}’", "{suggestion}Beschikbaar zijn: {known}."),
        "en": ("the template uses an unknown test ‘{name}’", "{suggestion}Available: {known}."),
    },
    "template.division_by_zero": {
        "nl": ("het sjabloon deelt hier door nul", "controleer de deling (/, // of %) op deze regel."),
        "en": ("the template divides by zero here", "check the division (/, // or %) on this line."),
    },
    "template.include": {
        "nl": (
            "een zin mag geen ander sjabloon gebruiken ({what})",
            "schrijf de zin uit in dit bestand; include, import en extends zijn alleen voor de vaste "
            "opmaak van het programma.",
        ),
        "en": (
            "a sentence may not use another template ({what})",
            "write the sentence out in this file; include, import and extends are only for the "
            "program's own layouts.",
        ),
    },
    "template.budget_range": {
        "nl": (
            "range() geeft hier meer dan {limit} getallen",
            "een zin telt hoogstens {limit} getallen af; controleer de grenzen van de range.",
        ),
        "en": (
            "range() gives more than {limit} numbers here",
            "a sentence counts at most {limit} numbers; check the range's bounds.",
        ),
    },
    "template.budget_iterations": {
        "nl": (
            "de lussen van dit sjabloon draaien samen meer dan {limit} keer",
            "controleer de for-lussen, vooral lussen binnen lussen.",
        ),
        "en": (
            "the loops of this template run more than {limit} times together",
            "check the for loops, especially loops inside loops.",
        ),
    },
    "template.budget_text": {
        "nl": (
            "het sjabloon maakt hier een tekst of lijst van meer dan {limit} tekens",
            "een zin is kort; controleer vermenigvuldigingen (*), samenvoegingen (~, +) en de getallen "
            "die u aan een filter meegeeft.",
        ),
        "en": (
            "the template makes a text or list of more than {limit} characters here",
            "a sentence is short; check multiplications (*), joins (~, +) and the numbers given to a filter.",
        ),
    },
    "template.budget_power": {
        "nl": (
            "de machtsverheffing (**) maakt hier een getal van meer dan {limit} bits",
            "controleer de exponent.",
        ),
        "en": ("the power (**) makes a number of more than {limit} bits here", "check the exponent."),
    },
    "template.budget_output": {
        "nl": (
            "het sjabloon schrijft meer dan {limit} tekens",
            "controleer de lussen en herhalingen in het sjabloon.",
        ),
        "en": (
            "the template writes more than {limit} characters",
            "check the template's loops and repetitions.",
        ),
    },
    "template.too_deep": {
        "nl": (
            "het sjabloon roept zichzelf (of zijn macro's) te diep aan",
            "een macro die zichzelf aanroept moet een einde hebben; controleer de voorwaarde.",
        ),
        "en": (
            "the template calls itself (or its macros) too deeply",
            "a macro that calls itself needs an end; check its condition.",
        ),
    },
    "template.not_found": {
        "nl": (
            "het sjabloon {name} bestaat niet",
            "een zin voegt geen andere bestanden in; schrijf de tekst in dit sjabloon zelf.",
        ),
        "en": (
            "the template {name} does not exist",
            "a sentence includes no other files; write the text in this template itself.",
        ),
    },
    # the command line (click finds these; its own words are English)
    "usage.no_such_option": {
        "nl": ("onbekende optie {option}", "{suggestion}Alle opties: {command} --help."),
        "en": ("no such option {option}", "{suggestion}All options: {command} --help."),
    },
    "usage.no_such_command": {
        "nl": ("onbekend commando ‘{name}’", "{suggestion}De commando's: {commands}."),
        "en": ("no such command ‘{name}’", "{suggestion}The commands: {commands}."),
    },
    "usage.missing_command": {
        "nl": ("geef een commando", "de commando's: {commands}; {command} --help zegt meer."),
        "en": ("give a command", "the commands: {commands}; {command} --help says more."),
    },
    "usage.missing": {
        "nl": ("{what} {name} ontbreekt", "{command} --help toont wat dit commando nodig heeft."),
        "en": ("{what} {name} is missing", "{command} --help shows what this command needs."),
    },
    "usage.explained": {  # our own check of a command-line value says what is wrong in its own words
        "nl": ("{name}: {what}", "{todo}"),
        "en": ("{name}: {what}", "{todo}"),
    },
    "usage.bad_value": {
        "nl": ("‘{value}’ is geen geldige waarde voor {name}", "{expected}"),
        "en": ("‘{value}’ is not a valid value for {name}", "{expected}"),
    },
    "usage.extra_arguments": {
        "nl": ("te veel argumenten: {extra}", "{command} --help toont wat dit commando verwacht."),
        "en": ("too many arguments: {extra}", "{command} --help shows what this command expects."),
    },
    "usage.other": {
        "nl": ("de opdrachtregel klopt niet ({detail})", "{command} --help toont hoe het wel moet."),
        "en": ("the command line is not right ({detail})", "{command} --help shows how."),
    },
    "template.unsafe": {
        "nl": (
            "het sjabloon gebruikt ‘{name}’, een onderdeel van Python zelf; dat mag in een sjabloon niet",
            "gebruik alleen de variabelen die de regel geeft en hun velden (zie docs/legal-staff.md).",
        ),
        "en": (
            "the template uses ‘{name}’, a part of Python itself; templates may not",
            "use only the variables the rule gives and their fields (see docs/legal-staff.md).",
        ),
    },
    "template.unknown_rule": {
        "nl": (
            "het sjabloon {file} hoort bij geen enkele regel of termijn van het regelbestand",
            "{suggestion}Geef het bestand de naam van een regel, gevolgd door .j2.",
        ),
        "en": (
            "the template {file} belongs to no rule or deadline of the rule file",
            "{suggestion}Name the file after a rule, followed by .j2.",
        ),
    },
    "template.missing": {
        "nl": (
            "de regel ‘{rule}’ heeft geen zin: {folder}/{rule}.j2 ontbreekt",
            "schrijf in dat bestand de zin die de uitleg en de brieven bij deze uitkomst tonen.",
        ),
        "en": (
            "the rule ‘{rule}’ has no sentence: {folder}/{rule}.j2 is missing",
            "write in that file the sentence that explanations and letters show for this result.",
        ),
    },
    "template.sample_set": {
        "nl": (
            "voor de verzameling ‘{set}’ (feit {fact}) kan nog geen voorbeeld worden gemaakt",
            "breid engine/sample.py uit voor deze verzameling.",
        ),
        "en": (
            "no sample can be made yet for the set ‘{set}’ (fact {fact})",
            "extend engine/sample.py for it.",
        ),
    },
    "template.sample_failed": {
        "nl": (
            "de sjablonen van {rules} konden niet worden getoetst: de voorbeeldberekening mislukte",
            "zie de volgende melding.",
        ),
        "en": ("the templates of {rules} could not be checked: the sample evaluation failed", "see below."),
    },
    "explain.unknown_municipality": {
        "nl": ("‘{given}’ is geen partij bij dit convenant", "kies een van: {parties}."),
        "en": ("‘{given}’ is not a party to this covenant", "choose one of: {parties}."),
    },
    "letters.no_date": {
        "nl": (
            "de brieven hebben een datum nodig, maar het feitenbestand heeft geen evaluation_date",
            "zet evaluation_date: JJJJ-MM-DD in het feitenbestand, of geef --date JJJJ-MM-DD "
            "(of --date vandaag voor de datum van vandaag).",
        ),
        "en": (
            "the letters need a date, but the fact file has no evaluation_date",
            "put evaluation_date: YYYY-MM-DD in the fact file, or give --date YYYY-MM-DD "
            "(or --date today for today's date).",
        ),
    },
    "letters.bad_date": {
        "nl": ("‘{given}’ is geen datum", "schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2025-05-15."),
        "en": ("‘{given}’ is not a date", "write the date as YYYY-MM-DD, e.g. 2025-05-15."),
    },
    "letters.out_not_a_folder": {
        "nl": ("{path} bestaat al en is geen map", "kies met --out een map."),
        "en": ("{path} exists and is not a folder", "choose a folder with --out."),
    },
    "letters.foreign_files": {
        "nl": (
            "de map {path} bevat bestanden die ‘convenant letters’ niet schreef: {files}",
            "kies met --out een nieuwe of lege map, of een map die dit commando eerder maakte (met "
            "{manifest}); er is niets geschreven, en een bestand dat dit commando niet maakte wordt "
            "nooit overschreven of verwijderd.",
        ),
        "en": (
            "the folder {path} holds files ‘convenant letters’ did not write: {files}",
            "choose with --out a new or empty folder, or one this command made before (with {manifest}); "
            "nothing was written, and a file this command did not make is never overwritten or deleted.",
        ),
    },
    "letters.changed": {
        "nl": (
            "in de map {path} zijn brieven gewijzigd sinds ‘convenant letters’ ze schreef: {files} (hun "
            "sha256 in {manifest} klopt niet meer)",
            "bewaar uw versie buiten deze map, of kies met --out een andere map; er is niets geschreven, "
            "en een gewijzigde brief wordt nooit overschreven.",
        ),
        "en": (
            "in the folder {path}, letters were changed since ‘convenant letters’ wrote them: {files} "
            "(their sha256 in {manifest} no longer matches)",
            "keep your version outside this folder, or choose another folder with --out; nothing was "
            "written, and a changed letter is never overwritten.",
        ),
    },
    "letters.bad_manifest": {
        "nl": (
            "{path} is niet de lijst van brieven die ‘convenant letters’ schrijft (regel {line})",
            "kies met --out een andere map; er is niets geschreven of verwijderd.",
        ),
        "en": (
            "{path} is not the list of letters ‘convenant letters’ writes (line {line})",
            "choose another folder with --out; nothing was written or deleted.",
        ),
    },
    # --- where a command writes (engine.output): letters, batch, new-version ---
    "output.in_rules_dir": {
        "nl": (
            "{path} ligt in de map met regelbestanden ({rules})",
            "kies met --out een plek buiten die map; daar horen alleen regelbestanden, tabellen en zinnen.",
        ),
        "en": (
            "{path} is inside the folder of rule files ({rules})",
            "choose with --out a place outside it; it holds only rule files, tables and sentences.",
        ),
    },
    "output.parent_is_file": {
        "nl": (
            "{path} kan niet worden gemaakt: {parent} is een bestand, geen map",
            "kies met --out een plek in een map die bestaat.",
        ),
        "en": (
            "{path} cannot be made: {parent} is a file, not a folder",
            "choose with --out a place in a folder that exists.",
        ),
    },
    "output.no_folder": {
        "nl": ("de map {path} bestaat niet", "maak de map eerst aan, of kies met --out een bestaande map."),
        "en": (
            "the folder {path} does not exist",
            "create it first, or choose an existing folder with --out.",
        ),
    },
    "output.cannot_write": {
        "nl": (
            "in {path} kan niet worden geschreven ({reason_nl})",
            "controleer de rechten en de vrije ruimte, of kies met --out een andere plek; er is niets "
            "half geschreven en niets van eerder veranderd.",
        ),
        "en": (
            "cannot write in {path} ({reason})",
            "check the permissions and free space, or choose another place with --out; nothing was "
            "half written and nothing from before was changed.",
        ),
    },
    "output.appeared": {
        "nl": (
            "het bestand {path} is tijdens het werk door iets anders aangemaakt",
            "er is niets overschreven; kies een andere naam of probeer het opnieuw.",
        ),
        "en": (
            "the file {path} was created by something else meanwhile",
            "nothing was overwritten; choose another name or try again.",
        ),
    },
    "output.interrupted": {
        "nl": (
            "onderbroken ({signal})",
            "er is geen half bestand achtergebleven en eerdere uitvoer is niet veranderd; start het "
            "commando opnieuw.",
        ),
        "en": (
            "interrupted ({signal})",
            "no half-written file was left and earlier output is unchanged; run the command again.",
        ),
    },
    # --- the rule-file workflow of legal staff (issue 5): versions, new-version, diff, verify ---
    "versions.overlap": {
        "nl": (
            "de looptijden van twee versies van convenant ‘{covenant}’ overlappen: versie {version_a} "
            "({file_a}: {from_a} t/m {until_a}) en versie {version_b} ({file_b}: {from_b} t/m {until_b})",
            "in een jaar mag maar één versie gelden. Sluit de oudere versie af met valid_until: {day_before} "
            "in {file_a}, of laat convenant new-version dat doen.",
        ),
        "en": (
            "the periods of two versions of covenant ‘{covenant}’ overlap: version {version_a} "
            "({file_a}: {from_a} to {until_a}) and version {version_b} ({file_b}: {from_b} to {until_b})",
            "only one version may be in force in a year. Close the older version with valid_until: "
            "{day_before} in {file_a}, or let convenant new-version do that.",
        ),
    },
    "verify.key_not_one": {
        "nl": (
            "de verdeelsleutel „{label}” telt niet op tot 1 maar tot {total} (gewichten {weights})",
            "zorg dat de gewichten van de sleutel samen precies 100 % zijn.",
        ),
        "en": (
            "the key ‘{label}’ does not total 1 but {total} (weights {weights})",
            "make the key's weights total exactly 100 %.",
        ),
    },
    "verify.key_unproven": {
        "nl": (
            "niet bewezen dat de sleutel ‘{key}’ van „{label}” op 1 telt",
            "gebruik een weighted_key, of leg voor dit soort sleutel een bewijsplicht vast "
            "(engine/proof/__init__.py); de engine controleert de som wel bij elke berekening.",
        ),
        "en": (
            "not proven that the key ‘{key}’ of ‘{label}’ totals 1",
            "use a weighted_key, or register a proof obligation for this kind of key "
            "(engine/proof/__init__.py); the engine does check the total in every computation.",
        ),
    },
    "verify.not_conserved": {
        "nl": (
            "de verdeling in hele centen van „{label}” behoudt het bedrag niet",
            "dit is een fout in de engine (money.largest_remainder); meld haar alstublieft.",
        ),
        "en": (
            "the distribution in whole cents of ‘{label}’ does not keep the amount",
            "this is a bug in the engine (money.largest_remainder); please report it.",
        ),
    },
    "verify.decision_gap": {
        "nl": (
            "niet elke situatie is gedekt: bij „{label}” geldt geen enkel geval voor bijvoorbeeld "
            "{example_nl}",
            "voeg een geval toe voor deze situatie of verruim een voorwaarde; nu stopt de berekening in "
            "zo'n situatie met een fout.",
        ),
        "en": (
            "not every situation is covered: no case of ‘{label}’ holds for, e.g., {example_en}",
            "add a case for this situation or widen a condition; now the computation stops with an error "
            "in such a situation.",
        ),
    },
    "verify.decision_overlap": {
        "nl": (
            "de gevallen ‘{first}’ en ‘{second}’ van „{label}” kunnen tegelijk gelden, bijvoorbeeld bij "
            "{example_nl}",
            "maak de voorwaarden elkaar uitsluitend, bijvoorbeeld door ‘not …’ toe te voegen aan één van "
            "beide; precies één geval mag gelden.",
        ),
        "en": (
            "the cases ‘{first}’ and ‘{second}’ of ‘{label}’ can hold together, e.g. for {example_en}",
            "make the conditions exclude each other, e.g. by adding ‘not …’ to one of them; exactly one case "
            "may hold.",
        ),
    },
    "verify.unreachable_case": {
        "nl": (
            "het geval ‘{outcome}’ van „{label}” kan nooit gelden: de voorwaarde „{when}” is voor geen "
            "enkele invoer waar",
            "controleer de voorwaarde; een geval dat nooit geldt is bijna altijd een vergissing.",
        ),
        "en": (
            "the case ‘{outcome}’ of ‘{label}’ can never hold: the condition ‘{when}’ is true for no input",
            "check the condition; a case that never holds is nearly always a mistake.",
        ),
    },
    "verify.unreachable_branch": {
        "nl": (
            "de {branch}-tak van „if {condition} then … else …” in „{label}” wordt nooit genomen",
            "de voorwaarde is voor geen enkele toegestane invoer {branch_nl}; controleer haar en de "
            "minimumwaarden van de feiten die zij gebruikt.",
        ),
        "en": (
            "the {branch} branch of ‘if {condition} then … else …’ in ‘{label}’ is never taken",
            "the condition is {branch_en} for no admissible input; check it and the minimum values of the "
            "facts it uses.",
        ),
    },
    "verify.warning_never": {
        "nl": (
            "de waarschuwing „{when}” bij „{label}” kan nooit optreden",
            "controleer de voorwaarde van de waarschuwing.",
        ),
        "en": ("the warning ‘{when}’ of ‘{label}’ can never occur", "check the warning's condition."),
    },
    "verify.undecided": {
        "nl": (
            "niet beslist ({what}) bij „{label}”: de zoekgrens is bereikt, of het enige tegenvoorbeeld heeft "
            "gebroken aantallen",
            "vereenvoudig de voorwaarden; de engine controleert bij elke berekening wel dat precies één "
            "geval geldt.",
        ),
        "en": (
            "not decided ({what}) for ‘{label}’: the search limit was reached, or the only counterexample "
            "has fractional counts",
            "simplify the conditions; the engine does check in every computation that exactly one case "
            "holds.",
        ),
    },
    "versions.bad_date": {
        "nl": ("‘{given}’ is geen datum", "schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2025-01-01."),
        "en": ("‘{given}’ is not a date", "write the date as YYYY-MM-DD, e.g. 2025-01-01."),
    },
    "new_version.bad_version": {
        "nl": (
            "{version} is geen versienummer",
            "een versienummer bestaat uit letters, cijfers, punten, liggende en gewone streepjes "
            "(hoogstens 32 tekens), bijvoorbeeld 1.7.",
        ),
        "en": (
            "{version} is not a version number",
            "a version number consists of letters, digits, dots, underscores and hyphens (at most 32), "
            "for example 1.7.",
        ),
    },
    "new_version.same_version": {
        "nl": (
            "versie {version} is de versie van dit regelbestand al",
            "geef met --version een nieuw versienummer.",
        ),
        "en": (
            "version {version} is this rule file's version already",
            "give a new version number with --version.",
        ),
    },
    "new_version.starts_too_early": {
        "nl": (
            "de nieuwe versie begint op {valid_from}, niet na het begin van versie {old} ({old_from})",
            "een nieuwe versie begint na de versie waarvan zij is afgeleid; kies een latere --valid-from.",
        ),
        "en": (
            "the new version starts on {valid_from}, not after version {old} starts ({old_from})",
            "a new version starts after the version it is made from; choose a later --valid-from.",
        ),
    },
    "new_version.until_needed": {
        "nl": (
            "versie {old} eindigt al op {old_until}, vóór de nieuwe versie begint: de einddatum van de "
            "nieuwe versie is niet af te leiden",
            "geef de laatste dag van de nieuwe versie met --valid-until jjjj-mm-dd (het artikel over de "
            "looptijd noemt haar).",
        ),
        "en": (
            "version {old} already ends on {old_until}, before the new version starts: the new version's "
            "end cannot be derived",
            "give the new version's last day with --valid-until yyyy-mm-dd (the article on the period "
            "names it).",
        ),
    },
    "new_version.period_reversed": {
        "nl": (
            "de nieuwe versie zou eindigen ({valid_until}) vóór zij begint ({valid_from})",
            "controleer --valid-from en --valid-until.",
        ),
        "en": (
            "the new version would end ({valid_until}) before it starts ({valid_from})",
            "check --valid-from and --valid-until.",
        ),
    },
    "new_version.exists": {
        "nl": (
            "het bestand {path} bestaat al",
            "een bestaand bestand wordt nooit overschreven; kies een andere naam met --out.",
        ),
        "en": (
            "the file {path} exists already",
            "an existing file is never overwritten; choose another --out.",
        ),
    },
    "new_version.no_folder": {
        "nl": ("de map {path} bestaat niet", "maak de map eerst aan, of kies met --out een bestaande map."),
        "en": (
            "the folder {path} does not exist",
            "create it first, or choose an existing folder with --out.",
        ),
    },
    "diff.different_covenants": {
        "nl": (
            "de bestanden zijn versies van verschillende convenanten (‘{old}’ en ‘{new}’)",
            "vergelijk twee versies van hetzelfde convenant (covenant.id).",
        ),
        "en": (
            "the files are versions of different covenants (‘{old}’ and ‘{new}’)",
            "compare two versions of the same covenant (covenant.id).",
        ),
    },
    "diff.facts_failed": {
        "nl": (
            "de feiten uit {facts} zijn niet door te rekenen met de {which_nl} versie ({rules})",
            "de meldingen hieronder zeggen waarom; vaak vraagt de nieuwe versie een feit dat nog ontbreekt.",
        ),
        "en": (
            "the facts in {facts} cannot be evaluated with the {which} version ({rules})",
            "the messages below say why; often the new version asks for a fact that is still missing.",
        ),
    },
    "new_version.not_written": {
        "nl": (
            "er is niets geschreven: {path} zou niet in orde zijn (zie hieronder)",
            "los de melding(en) hieronder op en probeer het opnieuw.",
        ),
        "en": (
            "nothing was written: {path} would not be valid (see below)",
            "resolve the message(s) below and try again.",
        ),
    },
    # --- batch evaluation of scenario files (convenant batch) ---
    "batch.cell_too_long": {
        "nl": (
            "een cel in rij {row} is langer dan {limit} tekens",
            "een cel bevat een getal, een datum of een korte naam; controleer de aanhalingstekens in "
            'deze rij (een vergeten afsluitend " maakt van de rest van het bestand één cel).',
        ),
        "en": (
            "a cell in row {row} is longer than {limit} characters",
            "a cell holds a number, a date or a short name; check the quotes in this row (a missing "
            'closing " makes the rest of the file one cell).',
        ),
    },
    "batch.csv_unreadable": {
        "nl": (
            'rij {row} is geen geldige CSV (een losse " of een NUL-teken)',
            "sla de tabel opnieuw op als CSV (UTF-8) en controleer deze rij.",
        ),
        "en": (
            'row {row} is not valid CSV (a stray " or a NUL character)',
            "save the table again as CSV (UTF-8) and check this row.",
        ),
    },
    "batch.file_type": {
        "nl": ("het bestandstype ‘{suffix}’ van {path} wordt niet ondersteund", "gebruik {allowed}."),
        "en": ("the file type ‘{suffix}’ of {path} is not supported", "use {allowed}."),
    },
    "batch.no_header": {
        "nl": (
            "{path} heeft geen kopregel met kolomnamen",
            "zet op de eerste regel de namen van de kolommen: scenario, jaar en de feiten.",
        ),
        "en": (
            "{path} has no header row with column names",
            "put the column names on the first row: scenario, jaar and the facts.",
        ),
    },
    "batch.no_sheet": {
        "nl": ("het werkblad ‘{sheet}’ bestaat niet in {path}", "kies een van: {sheets}."),
        "en": ("the sheet ‘{sheet}’ does not exist in {path}", "choose one of: {sheets}."),
    },
    "batch.unknown_column": {
        "nl": (
            "onbekende kolom ‘{column}’",
            "{suggestion}Een kolom heet naar een feit uit het regelbestand (macrobudget_bw), naar een "
            "feit en een CBS-code (inwoners.GM0106), of is scenario of jaar.",
        ),
        "en": (
            "unknown column ‘{column}’",
            "{suggestion}A column is named after a fact of the rule file (macrobudget_bw), a fact and a "
            "CBS code (inwoners.GM0106), or is scenario or jaar.",
        ),
    },
    "batch.duplicate_column": {
        "nl": ("de kolom ‘{column}’ staat twee keer in de kopregel", "laat één kolom staan."),
        "en": ("the column ‘{column}’ appears twice in the header", "keep one column."),
    },
    "batch.missing_column": {
        "nl": (
            "kolom ontbreekt: {column} ({label})",
            "voeg de kolom toe: elk scenario heeft dit feit nodig.",
        ),
        "en": ("column missing: {column} ({label})", "add the column: every scenario needs it."),
    },
    "batch.long_columns": {
        "nl": (
            "een scenariobestand in lange vorm mist de kolom(men) {columns}",
            "gebruik de kolommen scenario, feit en waarde, en eventueel gemeente en jaar.",
        ),
        "en": (
            "a scenario file in long layout lacks the column(s) {columns}",
            "use the columns scenario, feit and waarde, and optionally gemeente and jaar.",
        ),
    },
    "batch.duplicate_fact": {
        "nl": ("het feit ‘{fact}’ staat twee keer in dit scenario", "laat één regel staan."),
        "en": ("the fact ‘{fact}’ appears twice in this scenario", "keep one row."),
    },
    "batch.year_conflict": {
        "nl": ("dit scenario noemt twee jaren: {first} en {second}", "geef één jaar per scenario."),
        "en": ("this scenario names two years: {first} and {second}", "give one year per scenario."),
    },
    "batch.no_year": {
        "nl": ("het jaar ontbreekt", "vul de kolom jaar in of geef het jaar met --jaar."),
        "en": ("the year is missing", "fill in the column jaar or give the year with --jaar."),
    },
    "batch.bad_year": {
        "nl": ("‘{value}’ is geen jaartal", "schrijf het jaar als vier cijfers, bijvoorbeeld 2024."),
        "en": ("‘{value}’ is not a year", "write the year as four digits, e.g. 2024."),
    },
    "batch.too_many_cells": {
        "nl": (
            "deze regel heeft meer cellen dan de kopregel ({count} kolommen)",
            "staat er een komma als decimaalteken? Schrijf bedragen met een punt: 1234.50.",
        ),
        "en": (
            "this row has more cells than the header ({count} columns)",
            "is there a decimal comma? Write amounts with a decimal point: 1234.50.",
        ),
    },
    "batch.too_few_cells": {
        "nl": (
            "deze regel heeft {found} cellen, de kopregel {count} kolommen",
            "een ontbrekende cel is niet hetzelfde als een lege cel: vul de regel aan "
            "(een lege cel schrijft u als twee scheidingstekens achter elkaar, ;; of ,,).",
        ),
        "en": (
            "this row has {found} cells, the header {count} columns",
            "a missing cell is not an empty cell: complete the row "
            "(an empty cell is two separators in a row, ;; or ,,).",
        ),
    },
    "batch.percent_cell": {
        "nl": (
            "de cel is opgemaakt als percentage (Excel toont {shown}), maar dit feit is een {unit}",
            "geef de cel de opmaak Getal of Standaard en vul het bedoelde getal in.",
        ),
        "en": (
            "the cell is formatted as a percentage (Excel shows {shown}), but this fact is a {unit}",
            "give the cell the Number or General format and enter the number you mean.",
        ),
    },
    "batch.formula_without_value": {
        "nl": (
            "de formule {formula} heeft geen opgeslagen uitkomst: open het bestand in Excel en sla het op",
            "het bestand is nooit in Excel (of LibreOffice) doorgerekend en opgeslagen; na opslaan staat de "
            "uitkomst van elke formule erin. Het programma rekent zelf geen formules uit en leest zo'n "
            "cel nooit als leeg.",
        ),
        "en": (
            "the formula {formula} has no saved result: open the file in Excel and save it",
            "the file was never calculated and saved in Excel (or LibreOffice); once saved, every "
            "formula's result is stored. The program does not calculate formulas and never reads such a "
            "cell as empty.",
        ),
    },
    "batch.unknown_rule": {
        "nl": ("het regelbestand heeft geen regel ‘{rule}’ die batch kan uitvoeren", "kies uit: {known}."),
        "en": ("the rule file has no rule ‘{rule}’ that batch can output", "choose from: {known}."),
    },
    "batch.same_file": {
        "nl": ("het uitvoerbestand {path} is het scenariobestand zelf", "kies een ander uitvoerbestand."),
        "en": ("the output file {path} is the scenario file itself", "choose another output file."),
    },
    "batch.out_exists": {
        "nl": (
            "het uitvoerbestand {path} bestaat al",
            "kies een andere naam, of geef --overwrite om een eerder uitkomstenbestand van ‘convenant "
            "batch’ te vervangen; er is niets geschreven.",
        ),
        "en": (
            "the output file {path} exists already",
            "choose another name, or give --overwrite to replace an earlier results file of ‘convenant "
            "batch’; nothing was written.",
        ),
    },
    "batch.out_not_results": {
        "nl": (
            "het bestand {path} bestaat al en is geen uitkomstenbestand van ‘convenant batch’ (de "
            "kopregel begint niet met {header})",
            "kies een andere naam; batch vervangt, ook met --overwrite, alleen zijn eigen uitkomsten. Er "
            "is niets geschreven.",
        ),
        "en": (
            "the file {path} exists and is not a results file of ‘convenant batch’ (its header does not "
            "start with {header})",
            "choose another name; even with --overwrite, batch replaces only its own results. Nothing was "
            "written.",
        ),
    },
    "batch.out_is_folder": {
        "nl": ("het uitvoerbestand {path} is een map", "geef met --out een bestandsnaam, zoals {example}."),
        "en": ("the output file {path} is a folder", "give a file name with --out, such as {example}."),
    },
    "batch.empty": {
        "nl": ("{path} bevat geen scenario's", "zet onder de kopregel één regel per scenario."),
        "en": ("{path} holds no scenarios", "put one row per scenario below the header."),
    },
    # batch: a scenario checked as a fact file (engine.scenarios.facts_of) gives no values for a
    # municipality of its year, or for a row of a sheet (the fact-file words name sections)
    "batch.municipality_missing": {
        "nl": (
            "het scenario geeft geen waarden voor {name} ({code})",
            "vul de kolommen van {code} ({facts}), of die van al haar voorgangers.",
        ),
        "en": (
            "the scenario gives no values for {name} ({code})",
            "fill in the columns of {code} ({facts}), or those of all its predecessors.",
        ),
    },
    # convenant init: a workspace for one's own rule files
    "workspace.not_empty": {
        "nl": (
            "de map {path} bestaat al en is niet leeg",
            "kies een nieuwe of lege map; convenant init overschrijft niets.",
        ),
        "en": (
            "the folder {path} exists and is not empty",
            "choose a new or empty folder; init overwrites nothing.",
        ),
    },
    "workspace.not_a_folder": {
        "nl": ("{path} is een bestand, geen map", "kies een nieuwe of lege map."),
        "en": ("{path} is a file, not a folder", "choose a new or empty folder."),
    },
    "workspace.unwritable": {
        "nl": (
            "de werkmap {path} kan niet worden geschreven ({reason})",
            "kies een map waarin u mag schrijven.",
        ),
        "en": ("the workspace {path} cannot be written ({reason})", "choose a folder you may write in."),
    },
    "batch.row_missing": {
        "nl": ("het scenario geeft geen waarden voor de rij ‘{row}’", "vul de kolommen {fact}.{row}.…"),
        "en": ("the scenario gives no values for the row ‘{row}’", "fill in the columns {fact}.{row}.…"),
    },
}

LABELS = {
    "nl": {
        "error": "fout",
        "warning": "waarschuwing",
        "field": "veld",
        "article": "artikel",
        "todo": "wat te doen",
        "related": "eerder",
        "in_rule": "in de regel ‘{name}’",
        "also": "ook",
        "more": "en nog {count}",
        "internal": "interne fout",
    },
    "en": {
        "error": "error",
        "warning": "warning",
        "field": "field",
        "article": "article",
        "todo": "what to do",
        "related": "first",
        "in_rule": "in the rule ‘{name}’",
        "also": "also",
        "more": "and {count} more",
        "internal": "internal error",
    },
}

_TYPE_WORDS = {
    "nl": {
        "string": "tekst",
        "number": "een getal",
        "integer": "een geheel getal",
        "decimal": "een getal met decimalen",
        "boolean": "ja/nee (true/false)",
        "object": "een blok met velden",
        "array": "een lijst",
        "null": "niets",
    },
    "en": {
        "string": "text",
        "number": "a number",
        "integer": "a whole number",
        "decimal": "a number with decimals",
        "boolean": "yes/no (true/false)",
        "object": "a block of fields",
        "array": "a list",
        "null": "nothing",
    },
}


def language(explicit: str | None = None) -> str:
    lang = explicit or os.environ.get("CONVENANT_LANG", "nl")
    return lang if lang in LANGUAGES else "nl"


def _word(value: Any, lang: str) -> str:
    if isinstance(value, Kind):
        return UNIT_NAMES[lang][value]
    if isinstance(value, Citation):
        return value.formal(lang)
    if isinstance(value, date):
        return dutch_date(value, lang)
    if isinstance(value, Fraction):
        return percent_text(value, lang=lang)
    if isinstance(value, list | tuple):
        words = [_word(v, lang) for v in value]
        if len(words) < 2:
            return words[0] if words else "—"
        return ", ".join(words[:-1]) + (" en " if lang == "nl" else " and ") + words[-1]
    if value is None:
        return "—"
    return str(value)


def _arguments(problem: Problem, lang: str) -> dict[str, str]:
    args = {k: _word(v, lang) for k, v in problem.args.items()}
    raw = problem.args
    if "suggestion" in raw:
        s = raw["suggestion"]
        args["suggestion"] = (f"Bedoelt u ‘{s}’? " if lang == "nl" else f"Did you mean ‘{s}’? ") if s else ""
    if "suggestions" in raw:
        s = raw["suggestions"]
        quoted = [f"‘{x}’" for x in s]
        args["suggestions"] = (
            (
                f"Bedoelt u {' of '.join(quoted)}? "
                if lang == "nl"
                else f"Did you mean {' or '.join(quoted)}? "
            )
            if s
            else ""
        )
    if "expected" in raw and isinstance(raw["expected"], list):
        words = [_TYPE_WORDS[lang].get(t, str(t)) for t in raw["expected"]]
        or_word = " of " if lang == "nl" else " or "
        args["expected"] = or_word.join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)
    if "got" in raw:
        args["got"] = _TYPE_WORDS[lang].get(raw["got"], raw["got"])
    if "hint" in raw:
        hints = {
            "quote": "Zet de waarde tussen aanhalingstekens. " if lang == "nl" else "Quote the value. ",
            "unquote": "Haal de aanhalingstekens weg. " if lang == "nl" else "Remove the quotes. ",
        }
        args["hint"] = hints.get(raw["hint"] or "", "")
    if "whose" in raw:
        args["whose_text"] = (
            "" if not raw["whose"] else (f" voor {raw['whose']}" if lang == "nl" else f" for {raw['whose']}")
        )
    if "versions" in raw:
        until = " t/m " if lang == "nl" else " to "
        args["versions"] = "".join(
            f"\n      - versie {v} ({_word(a, lang)}{until}{_word(b, lang)}): {p}"
            if lang == "nl"
            else f"\n      - version {v} ({_word(a, lang)}{until}{_word(b, lang)}): {p}"
            for p, v, a, b in raw["versions"]
        )
    if "allowed" in raw:  # a list of choices, or the choices already written out
        allowed = raw["allowed"]
        args["allowed"] = allowed if isinstance(allowed, str) else ", ".join(str(a) for a in allowed)
    return args


# Jinja's syntax errors in the words of the one who wrote the template (Jinja writes English).
_JINJA_SYNTAX: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (
        re.compile(r"unexpected end of template, expected '(?P<a>[^']+)'"),
        {
            "nl": "het sjabloon houdt op waar nog ‘{a}’ moet staan",
            "en": "the template ends where ‘{a}’ must still come",
        },
    ),
    (
        re.compile(r"Unexpected end of template\..*innermost block that needs to be closed is '(?P<a>\w+)'"),
        {
            "nl": "het blok {{% {a} %}} wordt nergens gesloten met {{% end{a} %}}",
            "en": "the block {{% {a} %}} is never closed with {{% end{a} %}}",
        },
    ),
    (
        re.compile(r"expected token '(?P<a>[^']+)', got '(?P<b>[^']*)'"),
        {"nl": "hier staat ‘{b}’ waar {a} moet komen", "en": "‘{b}’ stands where {a} must come"},
    ),
    (
        re.compile(r"Encountered unknown tag '(?P<a>\w+)'"),
        {"nl": "onbekende opdracht {{% {a} %}}", "en": "unknown tag {{% {a} %}}"},
    ),
    (
        re.compile(r"unexpected char '(?P<a>.+?)'"),
        {"nl": "onverwacht teken ‘{a}’", "en": "unexpected character ‘{a}’"},
    ),
    (
        re.compile(r"unexpected '(?P<a>[^']+)'"),
        {"nl": "onverwacht ‘{a}’", "en": "unexpected ‘{a}’"},
    ),
]
_JINJA_WORDS = {
    "nl": {"end of print statement": "}}", "end of statement block": "%}", "name": "een naam"},
    "en": {"end of print statement": "}}", "end of statement block": "%}", "name": "a name"},
}


# PyYAML's syntax errors, in words (PyYAML writes English).
_YAML_SYNTAX: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (
        re.compile(r"tab character|character '\\t'"),
        {"nl": "een tab; spring in met spaties", "en": "a tab; indent with spaces"},
    ),
    (
        re.compile(r"did not find expected ',' or '\]'"),
        {"nl": "een lijst [ … ] wordt niet gesloten met ]", "en": "a list [ … ] is not closed with ]"},
    ),
    (
        re.compile(r"did not find expected ',' or '\}'"),
        {"nl": "een blok { … } wordt niet gesloten met }", "en": "a block { … } is not closed with }"},
    ),
    (
        re.compile(r"did not find expected node content"),
        {"nl": "hier ontbreekt een waarde", "en": "a value is missing here"},
    ),
    (
        re.compile(r"mapping values are not allowed"),
        {
            "nl": "een dubbele punt waar geen sleutel kan staan (zet tekst met ‘: ’ tussen aanhalingstekens)",
            "en": "a colon where no key can be (text with ‘: ’ must be quoted)",
        },
    ),
    (
        re.compile(r"could not find expected ':'"),
        {"nl": "hier ontbreekt de dubbele punt na een sleutel", "en": "the colon after a key is missing"},
    ),
    (
        re.compile(r"found unexpected end of stream|found unexpected end of"),
        {"nl": "een aanhalingsteken wordt niet gesloten", "en": "a quote is not closed"},
    ),
    (
        re.compile(r"expected <block end>|did not find expected key|expected <document start>"),
        {"nl": "de inspringing klopt niet", "en": "the indentation is wrong"},
    ),
    (
        re.compile(r"found character '(?P<a>.)' that cannot start any token|cannot start any token"),
        {
            "nl": "een teken waarmee geen waarde kan beginnen (zet de tekst tussen aanhalingstekens)",
            "en": "a character no value can start with (quote the text)",
        },
    ),
]


def yaml_syntax(text: str, lang: str) -> str:
    """PyYAML's syntax message in words; text PyYAML writes that is not known here is kept."""
    for pattern, words in _YAML_SYNTAX:
        if pattern.search(text):
            return words[lang]
    return text


def jinja_syntax(text: str, lang: str) -> str:
    """Jinja's syntax message in words; text Jinja writes that is not known here is kept."""
    for pattern, words in _JINJA_SYNTAX:
        found = pattern.search(text)
        if found:
            parts = {k: _JINJA_WORDS[lang].get(v, v) for k, v in found.groupdict().items()}
            return words[lang].format(**parts)
    return text


def message(problem: Problem, lang: str = "nl") -> tuple[str, str]:
    """(what is wrong, what to do) for one problem."""
    entry = CATALOGUE.get(problem.code)
    if entry is None:
        return problem.code, ", ".join(f"{k}={v}" for k, v in problem.args.items())
    what, todo = entry[lang]
    args = _arguments(problem, lang)
    if problem.code == "template.syntax":
        args["message"] = jinja_syntax(str(problem.args.get("message", "")), lang)
    if problem.code == "yaml.syntax":
        tab = problem.args.get("found") == "\t"
        args["detail"] = yaml_syntax("tab character" if tab else str(problem.args.get("detail", "")), lang)
    return what.format_map(_Default(args)), todo.format_map(_Default(args)).strip()


class _Default(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


_SOURCE_LIMIT = 64 * 1024 * 1024  # never read more than this to show one line
_SHOWN = 120  # a longer source line is shown as a window of this many characters around the fault


def _source_line(path: str, line: int) -> str | None:
    try:
        raw = read_bytes(Path(path), path, _SOURCE_LIMIT)
    except ConvenantError:
        return None
    lines = raw.decode("utf-8-sig", errors="replace").splitlines()  # a byte-order mark is no text
    return lines[line - 1] if 0 < line <= len(lines) else None


def _window(text: str, column: int) -> tuple[str, int]:
    """A long line cut to the part around `column` (1-based), with the column in the cut."""
    if len(text) <= _SHOWN:
        return text, column
    start = max(0, min(column - 1 - _SHOWN // 3, len(text) - _SHOWN))
    cut = ("…" if start else "") + text[start : start + _SHOWN] + ("…" if start + _SHOWN < len(text) else "")
    return cut, column - start + (1 if start else 0)


ALSO_SHOWN = 4  # further facts a message names, before "en nog …"


def render(
    problem: Problem, lang: str = "nl", source: Callable[[str, int], str | None] = _source_line
) -> str:
    """One problem as a boxed message with the source excerpt and a caret under the fault; a
    failure while evaluating shows the rule file's expression below the fact that caused it."""
    words = LABELS[lang]
    what, todo = message(problem, lang)
    out = [f"{words[problem.severity]}: {what}"]
    rules = [p for p in problem.places if p.what == "rule"]
    shown = [loc for loc in (problem.location, *(p.location for p in rules)) if loc and loc.line]
    width = max((len(str(loc.line)) for loc in shown), default=1)
    if problem.location is not None:
        out += _excerpt(problem.location, source, width)
    for place in rules:
        out += _excerpt(place.location, source, width, words["in_rule"].format(name=place.name))
    if problem.field:
        out.append(f"   = {words['field']}: {problem.field}")
    facts = [p.location for p in problem.places if p.what == "fact"]
    if facts:
        out.append(f"   = {words['also']}: {_also(facts, words)}")
    if problem.article:
        out.append(f"   = {words['article']}: {problem.article.formal(lang)}")
    if problem.related:
        out.append(f"   = {words['related']}: {problem.related}")
    if todo:
        out.append(f"   = {words['todo']}: {todo}")
    return "\n".join(out)


def _excerpt(
    loc: Location, source: Callable[[str, int], str | None], width: int, label: str | None = None
) -> list[str]:
    """`--> file:line:column`, the line itself and a caret under the fault."""
    out = [f"  --> {loc}" + (f" ({label})" if label else "")]
    text = source(loc.path, loc.line) if loc.line else None
    if text is not None and loc.line is not None and loc.column is not None:
        text, column = _window(text, loc.column)  # a very long line: the part around the fault
        caret = max(1, min(loc.length, len(text) - column + 1, _SHOWN))
        gutter = " " * max(width, len(str(loc.line)))
        out += [
            f" {gutter} |",
            f" {loc.line:>{len(gutter)}} | {text}",
            f" {gutter} | {' ' * (column - 1)}{'^' * caret}",
        ]
    return out


def _also(facts: list[Location], words: dict[str, str]) -> str:
    """Further facts that caused a failure, as file:line:column (editors open them there)."""
    shown = ", ".join(str(loc) for loc in facts[:ALSO_SHOWN])
    more = len(facts) - ALSO_SHOWN
    return shown + (" " + words["more"].format(count=more) if more > 0 else "")


def render_all(problems: Iterable[Problem], lang: str = "nl") -> str:
    return "\n\n".join(render(p, lang) for p in problems)
