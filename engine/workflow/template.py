"""`convenant template COVENANT YEAR --out feiten.xlsx`: an Excel workbook to fill in one year's facts.

The workbook is for the rule-file version in force that year (or the one given with --rules):

- "Feiten": the covenant, the year, the illustrative flag, the evaluation date and a description,
  then one row per fact with one value for the year (a fact per column: a row per column);
- "Gemeenten": the year's municipalities (CBS code and name) with one column per fact per
  municipality (a fact per row and column: a column per column of the sheet);
- "Rijen": the rows of a sheet that are no municipality (Groningen: Buiten Prov. Groningen, …);
- "Casussen": one row per case, for facts per case.

Each fact has its Dutch label, unit, article and whether it is required; its cells have Excel's
data validation (whole numbers, amounts with two decimals, dates, ja/nee) and a number format. A
row of identifiers (the names a YAML fact file uses) lets `engine.source.workbook` read the
filled-in workbook back into a fact file's data; the fact checker then checks it as one.

The command never overwrites a file: not an earlier template, not a filled-in workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant import words
from convenant.check import registry
from convenant.core import messages
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.output import refuse_file_as_folder, refuse_rules_directory
from convenant.core.paths import display_path
from convenant.core.units import Kind
from convenant.language.model import CASE, MUNICIPALITY, FactDecl, RuleFile
from convenant.language.parties import in_year
from convenant.source import workbook as layout
from convenant.source.spreadsheets import save_workbook

# Rows of a sheet of members above the data: labels, unit, article, required, identifiers.
LABEL_ROW, UNIT_ROW, ARTICLE_ROW, REQUIRED_ROW, NAMES_ROW = 1, 2, 3, 4, 5
FIRST_DATA_ROW = 6
CASE_ROWS = 50  # empty rows with validation on the sheet of cases
LABEL_CHARS, LINE_HEIGHT = 66, 13  # a wrapped label: about this many characters per line of this height

NUMBER_FORMATS = {
    Kind.MONEY: "#,##0.00",
    Kind.COUNT: "0",
    Kind.DATE: "yyyy-mm-dd",
    Kind.PERCENTAGE: "0.00##%",
    Kind.TEXT: "@",
}
REQUIRED_FILL, NOT_FOR_FILL, HEADER_FILL, NAMES_COLOUR = "FFF2CC", "D9D9D9", "DDEBF7", "808080"


@dataclass(frozen=True)
class Made:
    path: str
    covenant: str
    year: int
    version: str
    facts: int
    members: int


@dataclass(frozen=True)
class Column:
    decl: FactDecl
    member: str | None  # the column of a fact per row and column (or of a scalar per column)
    member_label: str | None

    @property
    def name(self) -> str:
        return f"{self.decl.name}.{self.member}" if self.member else self.decl.name

    @property
    def label(self) -> str:
        return f"{self.decl.label} — {self.member_label}" if self.member_label else self.decl.label


def check_target(out: Path) -> None:
    """Where the workbook may go: a new .xlsx file in a folder that exists, outside the rules."""
    shown = display_path(out)
    if out.suffix.lower() != layout.XLSX:
        expected = words.say("cli.expected.xlsx_suffix", messages.language())
        raise ConvenantError(
            [Problem("usage.bad_value", {"value": shown, "name": "--out", "expected": expected})]
        )
    refuse_rules_directory(out)
    refuse_file_as_folder(out)
    if out.exists() or out.is_symlink():
        raise ConvenantError([Problem("workbook.out_exists", {"path": shown})])
    if not out.parent.is_dir():
        raise ConvenantError([Problem("output.no_folder", {"path": display_path(out.parent)})])


def write_template(
    covenant: str, year: int, out: Path, lang: str = "nl", rules_file: Path | None = None
) -> Made:
    check_target(out)
    rules = (
        registry.in_force(covenant, year)
        if rules_file is None
        else registry.chosen(rules_file, covenant, year)
    )
    registry.check_first_year(rules, year)
    book, count, members = build(rules, year, lang)
    save_workbook(book, out)
    c = rules.covenant
    return Made(display_path(out), c.id, year, c.version, count, members)


# --- which fact goes where (as engine.check.facts.FactChecker places them) ---------------------


def _with_parties(rules: RuleFile, per: str | None) -> bool:
    return per == MUNICIPALITY or (per in rules.sets and rules.sets[per].parties)


def _over(rules: RuleFile, name: str | None) -> list[tuple[str, str]]:
    declared = rules.sets.get(name) if name else None
    return [(m.id, m.label) for m in declared.extra] if declared else []


def _columns(rules: RuleFile, decl: FactDecl, over: str | None) -> list[Column]:
    if over is None:
        return [Column(decl, None, None)]
    return [Column(decl, member, label) for member, label in _over(rules, over)]


def build(rules: RuleFile, year: int, lang: str) -> tuple[Any, int, int]:
    """The workbook, the number of facts in it and the number of municipalities."""
    import openpyxl
    from openpyxl.worksheet.properties import PageSetupProperties

    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.title = layout.FACTS_SHEET
    scalars = [d for d in rules.facts.values() if d.per != CASE and not _with_parties(rules, d.per)]
    per_member = [d for d in rules.facts.values() if d.per != CASE and _with_parties(rules, d.per)]
    cases = [d for d in rules.facts.values() if d.per == CASE]
    _facts_sheet(sheet, rules, year, lang, scalars)
    parties = in_year(rules, year).members
    municipalities = [(m.code, m.name, m.role) for m in parties]
    _members_sheet(book, layout.MUNICIPALITIES_SHEET, rules, lang, per_member, municipalities, True)
    extras = list(dict.fromkeys((m.id, m.label) for s in rules.sets.values() if s.parties for m in s.extra))
    if extras:
        rows = [(member, label, None) for member, label in extras]
        _members_sheet(book, layout.ROWS_SHEET, rules, lang, per_member, rows, False)
    if cases:
        _cases_sheet(book, rules, lang, cases)
    for each in book.worksheets:  # printed (or as PDF): landscape, every column on the page
        each.page_setup.orientation = "landscape"
        each.page_setup.fitToWidth, each.page_setup.fitToHeight = 1, 0
        each.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    return book, len(rules.facts), len(parties)


# --- cells ------------------------------------------------------------------------------------


def _say(key: str, lang: str, **args: Any) -> str:
    return words.say(f"workbook.{key}", lang, **args)


def _decimal(value: Fraction) -> str:
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def _required(decl: FactDecl, lang: str) -> str:
    if decl.sum_of is not None:
        return _say("sum_of", lang, fact=decl.sum_of)
    if decl.has_default:
        from convenant.core.units import display

        return _say("default", lang, value=display(decl.kind, decl.default, lang))
    if decl.required_with is not None:
        return _say("required_with", lang, fact=decl.required_with)
    if decl.optional_per_member or decl.sparse:
        return _say("some_members", lang)
    return _say("required" if decl.required else "optional", lang)


def _unit(decl: FactDecl, lang: str) -> str:
    try:
        return _say(f"unit.{decl.kind.value}", lang)
    except words.UnknownWord:
        from convenant.core.units import UNIT_NAMES

        return str(UNIT_NAMES[lang][decl.kind])


def _is_required(decl: FactDecl) -> bool:
    return decl.required and not decl.has_default and decl.sum_of is None


def _validation(decl: FactDecl, lang: str, first: str) -> Any:
    """Excel's data validation for the cells of a fact, `first` the top-left one of its range."""
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = decl.kind
    minimum = "" if decl.minimum is None else _decimal(Fraction(decl.minimum))
    shown = (
        _say("invalid.minimum", lang, value=minimum.replace(".", words.say("number.decimal", lang)))
        if minimum
        else ""
    )
    if kind is Kind.MONEY:
        formula = f"AND(ISNUMBER({first}),ROUND({first},2)={first}" + (
            f",{first}>={minimum})" if minimum else ")"
        )
        rule = DataValidation(type="custom", formula1=formula)
    elif kind is Kind.COUNT:
        rule = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1=minimum or "-999999999999"
        )
    elif kind in (Kind.PERCENTAGE, Kind.RATIO):
        low = (
            _decimal(Fraction(decl.minimum or 0) / (100 if kind is Kind.PERCENTAGE else 1))
            if minimum
            else "-1E+15"
        )
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=low)
    elif kind is Kind.DATE:
        rule = DataValidation(
            type="date", operator="between", formula1="DATE(1900,1,1)", formula2="DATE(2200,12,31)"
        )
    elif kind is Kind.BOOLEAN:
        yes, no = words.say("units.yes", lang), words.say("units.no", lang)
        rule = DataValidation(type="list", formula1=f'"{yes},{no}"')
    else:
        return None
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.errorTitle = _say("invalid.title", lang)
    rule.error = _say(
        f"invalid.{kind.value}", lang, **({} if kind in (Kind.DATE, Kind.BOOLEAN) else {"minimum": shown})
    )
    return rule


def _value_cells(sheet: Any, decl: FactDecl, lang: str, cells: list[str]) -> None:
    """Number format, fill and validation for the cells one fact's values go in."""
    from openpyxl.styles import PatternFill

    if not cells:
        return
    fill = PatternFill("solid", fgColor=REQUIRED_FILL) if _is_required(decl) else None
    for ref in cells:
        cell = sheet[ref]
        cell.number_format = NUMBER_FORMATS.get(decl.kind, "General")
        if fill is not None:
            cell.fill = fill
    rule = _validation(decl, lang, cells[0])
    if rule is not None:
        sheet.add_data_validation(rule)
        rule.add(f"{cells[0]}:{cells[-1]}" if len(cells) > 1 else cells[0])


def _names_row(sheet: Any, row: int, count: int) -> None:
    from openpyxl.styles import Font

    for column in range(1, count + 1):
        sheet.cell(row, column).font = Font(size=8, color=NAMES_COLOUR)


def _heading(cell: Any) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    cell.alignment = Alignment(wrap_text=True, vertical="top")


# --- sheets -----------------------------------------------------------------------------------


def _facts_sheet(sheet: Any, rules: RuleFile, year: int, lang: str, scalars: list[FactDecl]) -> None:
    from openpyxl.styles import Alignment, Font

    c = rules.covenant
    sheet["A1"] = _say("title", lang, covenant=c.title, year=year)
    sheet["A1"].font = Font(bold=True, size=14)
    shown = "/".join(Path(rules.path).parts[-2:])  # groningen/2021.yaml, wherever the rules are
    sheet["A2"] = _say("rules", lang, path=shown, version=c.version, start=c.valid_from, end=c.valid_until)
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells("A2:G2")
    sheet.row_dimensions[2].height = 45
    value = layout.VALUE_COLUMN
    header_values: dict[str, Any] = {
        "covenant": c.id,
        "year": year,
        "illustrative": words.say("units.no", lang),
    }
    row = 4
    for key in layout.HEADER_KEYS:
        sheet.cell(row, layout.FACT_COLUMN, key).font = Font(size=8, color=NAMES_COLOUR)
        sheet.cell(row, 3, _say(f"header.{key}", lang)).font = Font(bold=True)
        cell = sheet.cell(row, value, header_values.get(key))
        if key == "evaluation_date":
            cell.number_format = NUMBER_FORMATS[Kind.DATE]
            rule = _validation(
                FactDecl("evaluation_date", "", Kind.DATE, None, c.period_article), lang, cell.coordinate
            )
            sheet.add_data_validation(rule)
            rule.add(cell.coordinate)
        elif key == "illustrative":
            rule = _validation(
                FactDecl("illustrative", "", Kind.BOOLEAN, None, c.period_article), lang, cell.coordinate
            )
            sheet.add_data_validation(rule)
            rule.add(cell.coordinate)
        elif key == "year":
            cell.number_format = "0"
        row += 1
    row += 1
    for index, heading in enumerate(words.word("workbook.columns", lang), start=1):
        _heading(sheet.cell(row, index, heading))
    row += 1
    names = (layout.FACT_KEY, "kolom", "omschrijving", "waarde", "eenheid", "artikel", "verplicht")
    for index, name in enumerate(names, start=1):
        sheet.cell(row, index, name)
    _names_row(sheet, row, len(names))
    sheet.freeze_panes = sheet.cell(row + 1, 1)
    row += 1
    for decl in scalars:
        over = decl.by or decl.per
        cells = []
        for fact in _columns(rules, decl, over):
            sheet.cell(row, layout.FACT_COLUMN, decl.name)
            sheet.cell(row, layout.MEMBER_COLUMN, fact.member)
            sheet.cell(row, 3, fact.label)
            sheet.row_dimensions[row].height = LINE_HEIGHT * max(1, -(-len(fact.label) // LABEL_CHARS))
            sheet.cell(row, 5, _unit(decl, lang))
            sheet.cell(row, 6, decl.article.formal(lang))
            sheet.cell(row, 7, _required(decl, lang))
            for index in range(1, 8):
                sheet.cell(row, index).alignment = Alignment(wrap_text=index == 3, vertical="top")
            cells.append(sheet.cell(row, value).coordinate)
            row += 1
        _value_cells(sheet, decl, lang, cells)
    for letter, width in zip("ABCDEFG", (28, 15, 62, 15, 18, 22, 24), strict=True):
        sheet.column_dimensions[letter].width = width


def _describe_columns(sheet: Any, columns: list[Column], lang: str, first: tuple[str, str]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for index, heading in enumerate(first, start=1):
        _heading(sheet.cell(LABEL_ROW, index, heading))
    describe = words.word("workbook.member_rows", lang)
    for row, text in zip((UNIT_ROW, ARTICLE_ROW, REQUIRED_ROW), describe[1:], strict=True):
        sheet.cell(row, 2, text).font = Font(italic=True)
    for index, column in enumerate(columns, start=layout.FIRST_FACT_COLUMN):
        decl = column.decl
        _heading(sheet.cell(LABEL_ROW, index, column.label))
        sheet.cell(UNIT_ROW, index, _unit(decl, lang))
        sheet.cell(ARTICLE_ROW, index, decl.article.formal(lang))
        sheet.cell(REQUIRED_ROW, index, _required(decl, lang)).alignment = Alignment(wrap_text=True)
        sheet.cell(NAMES_ROW, index, column.name)
        sheet.column_dimensions[get_column_letter(index)].width = 20
    sheet.row_dimensions[LABEL_ROW].height = 90
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 26
    _names_row(sheet, NAMES_ROW, layout.FIRST_FACT_COLUMN - 1 + len(columns))
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, layout.FIRST_FACT_COLUMN)


def _members_sheet(
    book: Any,
    title: str,
    rules: RuleFile,
    lang: str,
    decls: list[FactDecl],
    members: Sequence[tuple[str, str, str | None]],
    parties: bool,
) -> None:
    from openpyxl.styles import PatternFill

    def applies(decl: FactDecl, member: str, role: str | None) -> bool:
        if parties:
            return not decl.roles or role in decl.roles
        declared = rules.sets.get(decl.per or "")
        return declared is not None and member in declared.extra_ids()

    wanted = [d for d in decls if any(applies(d, m, r) for m, _, r in members)]
    columns = [c for d in wanted for c in _columns(rules, d, d.by)]
    sheet = book.create_sheet(title)
    key = layout.CODE_KEY if parties else layout.ROW_KEY
    first = (
        (_say("code", lang), _say("municipality", lang))
        if parties
        else (_say("row", lang), _say("row", lang))
    )
    _describe_columns(sheet, columns, lang, first)
    sheet.cell(NAMES_ROW, 1, key)
    sheet.cell(NAMES_ROW, 2, "naam")
    grey = PatternFill("solid", fgColor=NOT_FOR_FILL)
    for offset, (member, name, _) in enumerate(members):
        row = FIRST_DATA_ROW + offset
        sheet.cell(row, 1, member)
        sheet.cell(row, 2, name)
    for index, column in enumerate(columns, start=layout.FIRST_FACT_COLUMN):
        cells = []
        for offset, (member, _, role) in enumerate(members):
            cell = sheet.cell(FIRST_DATA_ROW + offset, index)
            if applies(column.decl, member, role):
                cells.append(cell.coordinate)
            else:
                cell.fill = grey
                if parties and column.decl.roles:
                    cell.value = None
        # one validation per run of cells that take the fact (a grey cell takes none)
        for run in _runs(sheet, cells):
            _value_cells(sheet, column.decl, lang, run)


def _runs(sheet: Any, cells: list[str]) -> list[list[str]]:
    """Cells of one column, split where a row does not take the fact."""
    runs: list[list[str]] = []
    last = None
    for ref in cells:
        row = sheet[ref].row
        if last is None or row != last + 1:
            runs.append([])
        runs[-1].append(ref)
        last = row
    return runs


def _cases_sheet(book: Any, rules: RuleFile, lang: str, decls: list[FactDecl]) -> None:
    columns = [c for d in decls for c in _columns(rules, d, d.by)]
    sheet = book.create_sheet(layout.CASES_SHEET)
    _describe_columns(sheet, columns, lang, (_say("case", lang), _say("case_description", lang)))
    sheet.cell(NAMES_ROW, 1, layout.CASE_KEY)
    sheet.cell(NAMES_ROW, 2, layout.CASE_DESCRIPTION)
    sheet.column_dimensions["B"].width = 50
    for index, column in enumerate(columns, start=layout.FIRST_FACT_COLUMN):
        cells = [sheet.cell(FIRST_DATA_ROW + i, index).coordinate for i in range(CASE_ROWS)]
        _value_cells(sheet, column.decl, lang, cells)
