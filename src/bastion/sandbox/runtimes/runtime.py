"""`RuntimeDef`: one installed runtime, and how it turns a job's files into compile and run argv.

Pure: built from a declaration plus what detection found (the version, the resolved binaries), it
does no I/O. The sandbox asks it three things per job, in this order:

    names = rt.place_files(job_file_names)   # the names to write in the work dir (main first)
    rt.compile_argv(names)                   # None for interpreted runtimes
    rt.run_argv(names, job.args)

Argv paths are absolute (resolved on the host at detection) or relative to the work dir, which is
the box's current directory. File names never pass through a shell.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bastion.protocol.exec import File, Limits, Runtime
from bastion.sandbox.runtimes.decl import RuntimeDecl
from bastion.sandbox.runtimes.version import Version

_PLACEHOLDER = re.compile(r"(?<!\$)\{(\w+)\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeDef:
    """An installed runtime: Piston's identity (language, version, aliases) plus how to drive it."""

    name: str  # the declaration's name (its file stem), unique per registry
    language: str
    version: Version
    aliases: tuple[str, ...] = ()
    runtime: str | None = None
    compile_template: tuple[str, ...] | None = None
    run_template: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    host_paths: tuple[str, ...] = ()  # bound read-only at the same path in the box, besides /usr
    # Overrides of the policy's defaults (a None field keeps the default).
    compile_limits: Limits = field(default_factory=Limits)
    run_limits: Limits = field(default_factory=Limits)
    extension: str | None = None
    sources: tuple[str, ...] = ()
    test: File
    # The toolchain's files on the host (its version command's paths, resolved) and the Debian
    # packages the declaration names: what `inventory` reports to operators.
    toolchain: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()

    @property
    def compiled(self) -> bool:
        return self.compile_template is not None

    def answers_to(self, language: str) -> bool:
        """Piston's rule: the exact language name or one of its aliases, case-sensitive."""
        return language == self.language or language in self.aliases

    def place_files(self, names: Sequence[str]) -> tuple[str, ...]:
        """The names to write the job's files under: the main file gets `extension` if it lacks one.

        Piston's clients often send ``file0.code``; compilers need ``.c``, Java's source launcher
        ``.java``. Other files keep their names (a header stays ``util.h``). If the new name is
        taken, nothing is renamed and the compiler's own error explains the problem.
        """
        if not names or self.extension is None or names[0].endswith(self.sources):
            return tuple(names)
        placed = names[0] + self.extension
        if placed in names:
            return tuple(names)
        return (placed, *names[1:])

    def compile_argv(self, files: Sequence[str]) -> tuple[str, ...] | None:
        """The compile command for the placed `files` (main first), or None if not compiled."""
        if self.compile_template is None:
            return None
        return _expand(self.compile_template, files, (), self.sources)

    def run_argv(self, files: Sequence[str], args: Sequence[str] = ()) -> tuple[str, ...]:
        """The run command for the placed `files` (main first) and the job's `args`."""
        return _expand(self.run_template, files, args, self.sources)

    def to_protocol(self) -> Runtime:
        return Runtime(
            language=self.language,
            version=str(self.version),
            aliases=self.aliases,
            runtime=self.runtime,
            compiled=self.compiled,
        )


def build_runtime(
    decl: RuntimeDecl, version: Version, binaries: Mapping[str, str] | None = None
) -> RuntimeDef:
    """Instantiate `decl` at `version`; `binaries` maps declared argv[0] paths to resolved ones."""
    resolved = binaries or {}

    def fill(text: str) -> str:
        return fill_version(text, version)

    def command(argv: tuple[str, ...]) -> tuple[str, ...]:
        head = fill(argv[0])
        return (resolved.get(head, head), *(fill(a) for a in argv[1:]))

    return RuntimeDef(
        name=decl.name,
        language=decl.language,
        version=version,
        aliases=tuple(dict.fromkeys(fill(a) for a in decl.aliases)),
        runtime=decl.runtime,
        compile_template=None if decl.compile is None else command(decl.compile.argv),
        run_template=command(decl.run.argv),
        env={key: fill(value) for key, value in decl.env.items()},
        host_paths=tuple(fill(p) for p in decl.host_paths),
        compile_limits=Limits() if decl.compile is None else decl.compile.limits,
        run_limits=decl.run.limits,
        extension=decl.extension,
        sources=decl.sources,
        test=File(name=decl.test.file, content=decl.test.code),
        toolchain=tuple(
            resolved.get(path, path)
            for path in map(fill, decl.version.command)
            if path.startswith("/")
        ),
        packages=decl.packages,
    )


def fill_version(text: str, version: Version) -> str:
    """Replace ``{version}``, ``{major}``, ``{minor}`` and ``{patch}``; leave other braces alone."""
    values = {
        "version": str(version),
        "major": str(version.major),
        "minor": str(version.minor),
        "patch": str(version.patch),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _expand(
    template: tuple[str, ...], files: Sequence[str], args: Sequence[str], sources: tuple[str, ...]
) -> tuple[str, ...]:
    if not files:
        raise ValueError("a job needs at least one file; the first is the main file")
    main = files[0]
    lists = {
        "files": [_safe(f) for f in files],
        "sources": [_safe(f) for f in files if not sources or f.endswith(sources)],
        "args": list(args),  # after the program name: they are the program's, never options to us
    }
    scalars = {"main": _safe(main), "stem": _safe(_stem(main, sources))}
    argv: list[str] = []
    for element in template:
        whole = _PLACEHOLDER.fullmatch(element)
        if whole is not None and whole.group(1) in lists:
            argv.extend(lists[whole.group(1)])
        else:
            argv.append(_PLACEHOLDER.sub(lambda m: scalars.get(m.group(1), m.group(0)), element))
    return tuple(argv)


def _stem(name: str, sources: tuple[str, ...]) -> str:
    for suffix in sources:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return os.path.splitext(name)[0]


def _safe(name: str) -> str:
    """A file name a tool cannot mistake for an option (``-o`` becomes ``./-o``)."""
    return "./" + name if name.startswith("-") else name
