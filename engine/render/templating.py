"""Jinja, the one way: sandboxed, `StrictUndefined`, autoescaped for HTML; template faults as
problems with the template's file and line.

Two kinds of template are loaded through one environment per output format:

- `engine/…`: the shared layouts in `engine/render/templates/` (explanation, letter, one per primitive,
  and `markup/<format>.j2`, the macros that make one template serve Markdown and HTML);
- `rules/…`: the sentence templates legal staff own, one per rule, in the folder beside the rule
  file (`rules/assen/2024-v1.6.templates/<rule>.j2`).

A misspelt variable is caught twice: statically (every branch, `find_unknown`) and when the
template is rendered (`render`), both reported as `template.unknown_variable` at file:line.

Every rendering has a budget (`_BudgetedEnvironment`), so that a sentence template cannot make
the program run for hours or fill the memory: `range()` gives at most MAX_RANGE numbers, all loops
of one rendering together make at most MAX_ITERATIONS turns, no value made inside a template
(by `*`, `+`, `~`, `%`, a filter or a method) holds more than MAX_TEXT characters, and one rendering
writes at most MAX_OUTPUT characters. A sentence template may not include, import or extend
another template (`template.include`), so it cannot include itself either.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import hashlib
import importlib.util
import marshal
import os
import re
import stat
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import (
    BytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
)
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from convenant.core import identity
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path, on_disk
from convenant.core.reading import read_bytes

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FORMATS = ("md", "html")
SUFFIX = ".j2"
MAX_TEMPLATE_BYTES = 256 * 1024  # a sentence is a few lines; the largest layout is under 20 kB
MAX_RANGE = 10_000  # numbers one range() may give
MAX_ITERATIONS = 1_000_000  # loop turns in one rendering (the Groningen explanation needs ~10^4)
MAX_TEXT = 5_000_000  # characters (or items) in one value made inside a template
MAX_OUTPUT = 50_000_000  # characters one rendering writes (the Groningen explanation: ~0.6 million)
_MAX_POWER_BITS = 4096  # 10**1000 is allowed, 10**10**9 is not
_NAMED = re.compile(r"No (?P<kind>filter|test) named '(?P<name>[^']+)'")
_UNDEFINED = re.compile(r"'(?P<name>[^']+)' is undefined|has no attribute '(?P<attr>[^']+)'")


def sentence_dir(rule_file: Path | str) -> Path:
    """Where the sentence templates of a rule file live: `<file without .yaml>.templates/` (beside
    the file the rule file's shown name stands for, `paths.on_disk`)."""
    path = on_disk(rule_file)
    return path.with_name(path.stem + ".templates")


class BudgetExceeded(TemplateRuntimeError):
    """A rendering went over one of its limits: `what` names the limit, `limit` its size."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} > {limit}")
        self.what, self.limit = what, limit


class _Refused(TemplateSyntaxError):
    """A sentence template uses include, import or extends."""


class _Budget:
    """What one rendering has used so far."""

    def __init__(self) -> None:
        self.iterations = 0


_BUDGET: contextvars.ContextVar[_Budget] = contextvars.ContextVar("template_budget")


def _weight(value: Any, limit: int = MAX_TEXT) -> int:
    """About how many characters `value` is as text; counting stops once past `limit`."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        total = len(value)
        for item in value.items() if isinstance(value, dict) else value:
            if total > limit:
                break
            if isinstance(item, str):  # most items: counted here, without a call
                total += len(item)
            else:
                total += _weight(item, limit - total) if isinstance(item, (list, tuple, dict)) else 8
        return total
    return 0


def _capped(value: Any) -> Any:
    if _weight(value) > MAX_TEXT:
        raise BudgetExceeded("text", MAX_TEXT)
    return value


def _small_numbers(args: Iterable[Any]) -> None:
    """A width, a count or a length given to a filter or a method must fit in the text limit."""
    for arg in args:
        if isinstance(arg, int):
            if abs(arg) > MAX_TEXT:
                raise BudgetExceeded("text", MAX_TEXT)
        elif (
            isinstance(arg, str)
            and len(arg) >= 7
            and any(int(run) > MAX_TEXT for run in _LONG_RUN.findall(arg))
        ):
            raise BudgetExceeded("text", MAX_TEXT)  # a format such as '%1000000000s'


_LONG_RUN = re.compile(r"[0-9]{7,}")  # a number that may be more than MAX_TEXT


def _budgeted_filter(function: Callable[..., Any], name: str = "") -> Callable[..., Any]:
    # the value filtered is data (a path may hold '38412000'); only the arguments after it are widths
    # or counts, except for `format`, whose value is the format ('%999999999s'). A filter that is
    # passed the context or eval context gets the value second.
    skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1
    skip -= name == "format"

    @functools.wraps(function)  # keeps jinja_pass_arg, so the context still reaches the filter
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _capped(args)
        _small_numbers([*args[skip:], *kwargs.values()])
        return _capped(function(*args, **kwargs))

    return wrapper


def _budget_iter(iterable: Any) -> Iterator[Any]:
    """Every {% for %} loops through this: it counts the turns of the whole rendering."""
    budget = _BUDGET.get(None)
    for item in iterable:
        if budget is not None:
            budget.iterations += 1
            if budget.iterations > MAX_ITERATIONS:
                raise BudgetExceeded("iterations", MAX_ITERATIONS)
        yield item


def _budget_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise BudgetExceeded("range", MAX_RANGE)
    return numbers


class _BudgetedEnvironment(SandboxedEnvironment):
    """The sandbox with a render budget (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    budget_iter = staticmethod(_budget_iter)
    budget_text = staticmethod(_capped)

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_capped, **options)
        self.filters = {name: _budgeted_filter(f, name) for name, f in self.filters.items()}
        self.globals["range"] = _budget_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if right * max(abs(left), 1).bit_length() > _MAX_POWER_BITS and abs(left) > 1:
                raise BudgetExceeded("power", _MAX_POWER_BITS)
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                    if max(_weight(seq), 1) * times > MAX_TEXT:
                        raise BudgetExceeded("text", MAX_TEXT)
        if operator == "+":
            if _weight(left) + _weight(right) > MAX_TEXT:
                raise BudgetExceeded("text", MAX_TEXT)
        if operator == "%" and isinstance(left, str):
            _small_numbers([left, *(right if isinstance(right, tuple) else (right,))])
        return _capped(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, (str, list, dict)):  # 'x'.ljust(10**9), '{:>999999999}'.format(1)
            _capped(args)
            _small_numbers([owner if isinstance(owner, str) else "", *args, *kwargs.values()])
        return _capped(super().call(__context, __obj, *args, **kwargs))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if name and name.startswith("rules/"):
            for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
                raise _Refused(type(node).__name__.lower(), node.lineno, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("budget_iter"), [loop.iter], [], None, None)
        for concat in tree.find_all(nodes.Concat):
            concat.nodes = [
                nodes.Call(nodes.EnvironmentAttribute("budget_text"), [part], [], None, None)
                for part in concat.nodes
            ]
        return tree


class _Loader(FileSystemLoader):
    """A template folder read like every other input: a regular UTF-8 file of bounded size."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            if not (path.exists() or path.is_symlink()):
                continue
            raw = read_bytes(path, display_path(path), MAX_TEMPLATE_BYTES)
            try:
                text = raw.decode("utf-8-sig")  # a byte-order mark (Notepad) is not part of the text
            except UnicodeDecodeError as error:
                line = raw[: error.start].count(b"\n") + 1
                where = Location(display_path(path), line, 1)
                raise ConvenantError([Problem("file.not_utf8", {}, where)]) from None

            # by content, not modification time: a file rewritten within the clock's resolution (an
            # editor's quick save, a test) must not keep its old compiled template. Asked at every
            # use of the template; a file that cannot be read is not up to date (its message is
            # never shown here, so the name is the plain path, not display_path's resolved one)
            def uptodate(path: Path = path, raw: bytes = raw) -> bool:
                try:
                    return read_bytes(path, str(path), MAX_TEMPLATE_BYTES) == raw
                except ConvenantError:
                    return False

            return text, str(path), uptodate
        raise TemplateNotFound(template)


def environment_names(kind: str) -> list[str]:
    """The names of the filters or tests a template may use."""
    env = environment("md", None)
    return list(env.filters if kind == "filter" else env.tests)


@lru_cache(maxsize=32)  # bounded: a server making letters again reads sentences from a new folder each time
def environment(fmt: str, sentences: Path | None) -> SandboxedEnvironment:
    """The environment for one output format; HTML is autoescaped, Markdown is not."""
    loaders: dict[str, Any] = {"engine": _Loader(TEMPLATES_DIR)}
    if sentences is not None:
        loaders["rules"] = _Loader(sentences)
    env = _BudgetedEnvironment(
        loader=PrefixLoader(loaders),
        bytecode_cache=_compiled_templates(fmt),
        undefined=StrictUndefined,
        autoescape=fmt == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.globals["format"] = fmt
    return env


# --- compiled templates kept between processes -----------------------------------------------------
# Compiling the templates (Jinja's parser and code generator, and the budget's rewriting above) took
# 0.3-0.4 s of every process that renders. Jinja keeps the compiled code of a template when given a
# bytecode cache; this one keeps it in `$XDG_CACHE_HOME/convenant/jinja/` (core.identity.cache_dir),
# one file per template: the marshalled code object behind a header of the Python's bytecode magic
# and the sha1 of the template's source (Jinja's own checksum; no pickle is read), named by the sha256
# of the engine's identity (its version and files: this module's rewriting included), Jinja's
# version, the output format (autoescaping differs) and the template's name and file. An edited
# template has another checksum and is compiled again; a new engine has other names. The code still
# runs in the sandboxed environment (every attribute and call goes through it, as when compiled
# here). A folder that is not the user's own, or is writable by others, is not used (its code would
# run here); one that cannot be made or written only means compiling again. Only text is made by
# templates: no amount is decided by them.

_KEEP_COMPILED = 2_000  # templates kept; a register's reproductions read sentences from new folders


class _CompiledTemplates(BytecodeCache):
    def __init__(self, folder: str, prefix: str) -> None:
        self.folder, self.prefix = folder, prefix
        self.head = b"convenant-jinja\0" + importlib.util.MAGIC_NUMBER

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self.prefix}\0{name}\0{filename}".encode()).hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, f"{key}.jinja")

    def load_bytecode(self, bucket: Bucket) -> None:
        head = self.head + bucket.checksum.encode() + b"\0"
        try:
            with open(self._path(bucket.key), "rb") as file:
                data = file.read()
        except OSError:
            return
        if data.startswith(head):
            try:
                bucket.code = marshal.loads(data[len(head) :])
            except (EOFError, ValueError, TypeError):
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None or not _own_folder(self.folder):
            return
        code = marshal.dumps(bucket.code)
        identity.keep(self._path(bucket.key), self.head + bucket.checksum.encode() + b"\0" + code)


def _own_folder(folder: str) -> bool:
    """Whether `folder` is (made) the user's own and writable by no one else."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
    except OSError:
        return False
    owner = getattr(os, "getuid", None)  # not on Windows
    mine = owner is None or info.st_uid == owner()
    return mine and stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o022


def _compiled_templates(fmt: str) -> BytecodeCache | None:
    folder = identity.cache_dir("jinja")
    if not _own_folder(folder):
        return None
    identity.prune(folder, keep=_KEEP_COMPILED)  # past it, the older half: compiled again when used
    prefix = f"{identity.engine_identity()}\0{jinja2.__version__}\0{fmt}"
    return _CompiledTemplates(folder, hashlib.sha256(prefix.encode()).hexdigest())


def _location(filename: str | None, line: int | None, word: str | None = None) -> Location:
    path = display_path(Path(filename)) if filename else "<template>"
    column, length = 1, 1
    if filename and line and word:
        try:
            text = Path(filename).read_text(encoding="utf-8-sig").splitlines()[line - 1]
        except (OSError, IndexError):
            text = ""
        found = _find_name(text, word)
        if found is not None:
            column, length = found + 1, len(word)
    return Location(path, line, column if line else None, length)


_JINJA_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _find_name(line: str, name: str) -> int | None:
    """Where `name` is read inside a {{ … }} or {% … %} on this line (0-based), if it is."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    for span in _JINJA_SPAN.finditer(line):
        hit = word.search(line, span.start(), span.end())
        if hit:
            return hit.start()
    return None


def _frame_location(error: BaseException, name: str | None = None) -> Location:
    """The template file and line where a rendering failed: the innermost frame of a sentence
    template when there is one (the file legal staff can open), else of a shared layout."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(SUFFIX)]
    own = [f for f in frames if not Path(f.filename).resolve().is_relative_to(TEMPLATES_DIR)]
    frame = (own or frames)[-1] if frames else None
    return _location(frame.filename if frame else None, frame.lineno if frame else None, name)


_UNSAFE = re.compile(r"attribute '(?P<attr>[^']+)'|^(?P<call>.+?) is not safely callable")


def _problem_of(error: BaseException, known: Iterable[str]) -> Problem:
    if isinstance(error, _Refused):
        return Problem("template.include", {"what": error.message}, _location(error.filename, error.lineno))
    named = _NAMED.search(error.message or "") if isinstance(error, TemplateSyntaxError) else None
    if named and isinstance(error, TemplateSyntaxError):  # an unknown filter or test, found compiling
        kind = named["kind"]
        known_names = sorted(environment_names(kind))
        close = difflib.get_close_matches(named["name"], known_names, n=1)
        return Problem(
            f"template.unknown_{kind}",
            {"name": named["name"], "known": known_names, "suggestion": close[0] if close else None},
            _location(error.filename, error.lineno, named["name"]),
        )
    if isinstance(error, TemplateSyntaxError):
        return Problem(
            "template.syntax",
            {"message": error.message or str(error)},
            _location(error.filename, error.lineno),
        )
    if isinstance(error, BudgetExceeded):
        return Problem(f"template.budget_{error.what}", {"limit": error.limit}, _frame_location(error))
    if isinstance(error, RecursionError):
        return Problem("template.too_deep", {}, _frame_location(error))
    if not isinstance(error, TemplateError):  # 1/0, int('x'), a float overflow: the template's fault
        if isinstance(error, ZeroDivisionError):
            return Problem("template.division_by_zero", {}, _frame_location(error))
        message = f"{type(error).__name__}: {error}"
        return Problem("template.error", {"message": message}, _frame_location(error))
    if isinstance(error, SecurityError):
        unsafe = _UNSAFE.search(error.message or "")
        unsafe_name = (unsafe["attr"] or unsafe["call"]) if unsafe else "?"
        return Problem("template.unsafe", {"name": unsafe_name}, _frame_location(error, unsafe_name))
    match = _UNDEFINED.search(error.message or "")
    name = (match["name"] or match["attr"]) if match else None
    where = _frame_location(error, name)
    if isinstance(error, UndefinedError) and name:
        return _unknown(name, known, where)
    return Problem("template.error", {"message": error.message or str(error)}, where)


def render(fmt: str, sentences: Path | None, name: str, context: Mapping[str, Any]) -> str:
    """Render one template within its budget; a fault becomes a ConvenantError naming the
    template's file and line."""
    env = environment(fmt, sentences)
    token = _BUDGET.set(_Budget())
    try:
        parts: list[str] = []
        written = 0
        for part in env.get_template(name).generate(context):
            written += len(part)
            if written > MAX_OUTPUT:
                raise BudgetExceeded("output", MAX_OUTPUT)
            parts.append(part)
        return "".join(parts)
    except TemplateNotFound as error:
        raise ConvenantError([Problem("template.not_found", {"name": error.name})]) from None
    except ConvenantError:
        raise
    except Exception as error:  # RecursionError included: a macro that calls itself
        raise ConvenantError([_problem_of(error, context)]) from None
    finally:
        _BUDGET.reset(token)


def find_unknown(fmt: str, sentences: Path | None, name: str, known: Iterable[str]) -> list[Problem]:
    """Every variable a template reads, in any branch, that is neither given nor set in it."""
    env = environment(fmt, sentences)
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    try:
        tree = env.parse(source, name, filename)
        unknown = meta.find_undeclared_variables(tree) - (set(known) | set(env.globals))
    except TemplateSyntaxError as error:  # an unknown filter is found here too
        error.filename = filename
        return [_problem_of(error, known)]
    except RecursionError:
        return [Problem("template.too_deep", {}, _location(filename, None))]
    problems = []
    for word in sorted(unknown):
        line = min(n.lineno for n in tree.find_all(nodes.Name) if n.name == word and n.ctx == "load")
        problems.append(_unknown(word, known, _location(filename, line, word)))
    return problems


def _unknown(name: str, known: Iterable[str], where: Location) -> Problem:
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1)
    args = {"name": name, "known": names, "suggestion": close[0] if close else None}
    return Problem("template.unknown_variable", args, where)


def folder_sha256(folder: Path | None) -> str | None:
    """One hash over a folder of templates (names and contents), for the reproducibility block."""
    if folder is None:
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        content = read_bytes(path, display_path(path), MAX_TEMPLATE_BYTES)
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str, fmt: str) -> str:
    """No trailing spaces, no runs of blank lines in Markdown, exactly one final newline."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    if fmt == "md":
        lines = _BLANK_RUNS.sub("\n\n", lines)
    return lines.strip("\n") + "\n"
