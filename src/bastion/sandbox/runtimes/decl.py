"""What a runtime data file declares, parsed and checked strictly (`defs/*.toml`).

A declaration is static: it says where the toolchain should be and how to drive it, not whether it
is installed. `detect.py` turns declarations into `RuntimeDef`s for the toolchains that are present.

One TOML file per runtime; the file's stem is the declaration's name (later directories override
earlier ones by name, so an operator can replace or add runtimes). Fields:

    language = "c"               Piston's language name
    aliases = ["gcc"]            Piston's aliases; may use {major} {minor} {patch}
    runtime = "gcc"              Piston's providing package, only where it lists one
    packages = ["gcc"]           Debian packages that provide the toolchain (the fix when missing)
    extension = ".c"             appended to the main file's name when it has none of `sources`
    sources = [".c"]             which job files {sources} expands to
    requires = ["/usr/bin/gcc"]  extra paths that must exist (absolute argv paths are checked too)
    host_paths = []              paths bound read-only in the box besides /usr (may be templated)
    [env]                        environment set in the box for both stages
    [version]                    command = argv printing the version; pattern: group 1 = version
    [compile] / [run]            argv = template; [compile.limits] / [run.limits] = Limits overrides
    [test]                       file = name; code = a program printing exactly "OK"

Templates: ``{main}`` (the main file) and ``{stem}`` (it without its extension) may appear inside an
element; ``{sources}``, ``{files}`` and ``{args}`` must be whole elements and expand to several.
``{version}``, ``{major}``, ``{minor}``, ``{patch}`` are filled at detection. ``${...}`` is left
alone so a shell wrapper can use its own variables.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import msgspec

from bastion.protocol.errors import BastionError
from bastion.protocol.exec import Limits

JOB_SCALARS = frozenset({"main", "stem"})
JOB_LISTS = frozenset({"sources", "files", "args"})
VERSION_FIELDS = frozenset({"version", "major", "minor", "patch"})
_PLACEHOLDER = re.compile(r"(?<!\$)\{(\w+)\}")


class RuntimeDefinitionError(BastionError):
    """A runtime data file is malformed; the message names the file, the field and the fix."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"runtime definition {source}: {problem}")
        self.source = source
        self.problem = problem


class StageDecl(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    argv: tuple[str, ...]
    # Overrides of the policy's defaults, in the protocol's names and units (ms, bytes).
    limits: Limits = Limits()


class VersionDecl(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    command: tuple[str, ...]
    pattern: str


class TestDecl(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    file: str
    code: str


class RuntimeDecl(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    name: str = ""  # filled from the file's stem
    language: str
    aliases: tuple[str, ...] = ()
    runtime: str | None = None
    packages: tuple[str, ...] = ()
    extension: str | None = None
    sources: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    host_paths: tuple[str, ...] = ()
    env: dict[str, str] = msgspec.field(default_factory=dict)
    version: VersionDecl
    compile: StageDecl | None = None
    run: StageDecl
    test: TestDecl


def parse_declaration(text: str, *, name: str, source: str) -> RuntimeDecl:
    """Parse one TOML declaration; `source` names it in errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuntimeDefinitionError(source, f"not valid TOML: {exc}") from None
    raw["name"] = name
    _check_limit_names(raw, source)
    try:
        decl = msgspec.convert(raw, RuntimeDecl)
    except msgspec.ValidationError as exc:
        raise RuntimeDefinitionError(source, str(exc)) from None
    _check(decl, source)
    return decl


def _check_limit_names(raw: dict[str, object], source: str) -> None:
    """`Limits` is a protocol type that tolerates unknown fields; a typo here must not pass."""
    for stage in ("compile", "run"):
        table = raw.get(stage)
        limits = table.get("limits") if isinstance(table, dict) else None
        for key in limits if isinstance(limits, dict) else ():
            if key not in Limits.__struct_fields__:
                known = ", ".join(Limits.__struct_fields__)
                raise RuntimeDefinitionError(
                    source, f"{stage}.limits: unknown field `{key}`; known: {known}"
                )


def _check(decl: RuntimeDecl, source: str) -> None:
    try:
        re.compile(decl.version.pattern)
    except re.error as exc:
        raise RuntimeDefinitionError(source, f"version.pattern is not a regex: {exc}") from None
    if re.compile(decl.version.pattern).groups < 1:
        raise RuntimeDefinitionError(source, "version.pattern needs a group capturing the version")
    if not decl.version.command or not decl.run.argv:
        raise RuntimeDefinitionError(source, "version.command and run.argv must not be empty")
    if decl.compile is not None and not decl.compile.argv:
        raise RuntimeDefinitionError(source, "compile.argv must not be empty (omit [compile])")
    if decl.extension is not None and decl.extension not in decl.sources:
        raise RuntimeDefinitionError(
            source, f"extension {decl.extension!r} must be one of sources {list(decl.sources)}"
        )
    stages = [("run.argv", decl.run.argv)]
    if decl.compile is not None:
        stages.append(("compile.argv", decl.compile.argv))
    for where, argv in stages:
        for element in argv:
            for field in _PLACEHOLDER.findall(element):
                if field in JOB_LISTS and element != "{" + field + "}":
                    raise RuntimeDefinitionError(
                        source, f"{where}: {{{field}}} must be a whole element, got {element!r}"
                    )
                if field not in JOB_SCALARS | JOB_LISTS | VERSION_FIELDS:
                    raise RuntimeDefinitionError(source, _unknown(where, field))
    templated = [
        ("aliases", decl.aliases),
        ("host_paths", decl.host_paths),
        ("requires", decl.requires),
        ("env", tuple(decl.env.values())),
        ("version.command", decl.version.command),
    ]
    for where, values in templated:
        for value in values:
            for field in _PLACEHOLDER.findall(value):
                if field not in VERSION_FIELDS:
                    raise RuntimeDefinitionError(source, _unknown(where, field))


def _unknown(where: str, field: str) -> str:
    known = ", ".join(sorted(JOB_SCALARS | JOB_LISTS | VERSION_FIELDS))
    return f"{where}: unknown placeholder {{{field}}}; known: {known}"


def builtin_dir() -> Path:
    """The declarations shipped with Bastion."""
    return Path(str(resources.files(__package__ or "bastion.sandbox.runtimes") / "defs"))


def load_declarations(dirs: Iterable[Path] | None = None) -> tuple[RuntimeDecl, ...]:
    """Read every ``*.toml`` in `dirs` (default: the built-in ones); later dirs override by name."""
    by_name: dict[str, RuntimeDecl] = {}
    for directory in [builtin_dir()] if dirs is None else dirs:
        if not directory.is_dir():
            raise RuntimeDefinitionError(str(directory), "is not a directory")
        for path in sorted(directory.glob("*.toml")):
            text = path.read_text(encoding="utf-8")
            by_name[path.stem] = parse_declaration(text, name=path.stem, source=str(path))
    return tuple(by_name[name] for name in sorted(by_name))
