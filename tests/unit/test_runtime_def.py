"""`RuntimeDef`: file placement, argv expansion, version templating, protocol view."""

import pytest
from semantic_version import Version

from bastion.protocol.exec import File, Limits, Runtime
from bastion.sandbox.runtimes import RuntimeDef, build_runtime
from bastion.sandbox.runtimes.decl import parse_declaration

C_LIKE = """
language = "c"
aliases = ["gcc", "gcc{major}"]
runtime = "gcc"
packages = ["gcc"]
extension = ".c"
sources = [".c"]
host_paths = ["/etc/toy-{major}.{minor}"]
[env]
TOY_HOME = "/usr/lib/toy-{version}"
[version]
command = ["/usr/bin/gcc", "-dumpfullversion"]
pattern = '^(\\S+)'
[compile]
argv = ["/usr/bin/gcc", "-o", "a.out", "{sources}", "-lm"]
limits = { max_processes = 128, wall_time_ms = 20_000 }
[run]
argv = ["./a.out", "{args}"]
[test]
file = "test.c"
code = "int main(){puts(\\"OK\\");}"
"""


@pytest.fixture
def c() -> RuntimeDef:
    decl = parse_declaration(C_LIKE, name="c", source="c.toml")
    return build_runtime(decl, Version("12.2.0"), {"/usr/bin/gcc": "/usr/bin/gcc-12"})


def test_version_placeholders_and_resolved_binaries_are_filled(c: RuntimeDef) -> None:
    assert c.aliases == ("gcc", "gcc12")
    assert c.host_paths == ("/etc/toy-12.2",)
    assert c.env == {"TOY_HOME": "/usr/lib/toy-12.2.0"}
    assert c.compile_template == ("/usr/bin/gcc-12", "-o", "a.out", "{sources}", "-lm")
    assert c.compiled


def test_limit_overrides_become_protocol_limits(c: RuntimeDef) -> None:
    assert c.compile_limits == Limits(max_processes=128, wall_time_ms=20_000)
    assert c.run_limits == Limits()


@pytest.mark.parametrize(
    ("given", "placed"),
    [
        (["file0.code"], ("file0.code.c",)),  # Piston's default name gets the extension
        (["main.c", "util.h"], ("main.c", "util.h")),
        (["main", "util.h", "x.c"], ("main.c", "util.h", "x.c")),  # only the main file
        (["main", "main.c"], ("main", "main.c")),  # taken: leave it to the compiler to complain
        ([], ()),
    ],
)
def test_the_main_file_gains_the_extension_it_lacks(
    c: RuntimeDef, given: list[str], placed: tuple[str, ...]
) -> None:
    assert c.place_files(given) == placed


def test_sources_expand_to_matching_files_main_first(c: RuntimeDef) -> None:
    argv = c.compile_argv(["main.c", "util.h", "util.c", "data.txt"])
    assert argv == ("/usr/bin/gcc-12", "-o", "a.out", "main.c", "util.c", "-lm")


def test_args_follow_the_program_unchanged(c: RuntimeDef) -> None:
    assert c.run_argv(["main.c"], ["-v", "two words", ""]) == ("./a.out", "-v", "two words", "")


def test_file_names_cannot_pass_as_options(c: RuntimeDef) -> None:
    argv = c.compile_argv(["-fplugin=evil.c"])
    assert argv is not None
    assert "./-fplugin=evil.c" in argv
    assert "-fplugin=evil.c" not in argv


def test_main_and_stem_substitute_inside_elements() -> None:
    rt = RuntimeDef(
        name="ts",
        language="typescript",
        version=Version("4.8.4"),
        compile_template=("/usr/bin/node", "tsc.js", "{files}"),
        run_template=("/usr/bin/node", "{stem}.js", "--file={main}", "{args}"),
        sources=(".ts",),
        extension=".ts",
        test=File(name="test.ts", content=""),
    )
    files = rt.place_files(["file0.code", "lib.ts"])
    assert files == ("file0.code.ts", "lib.ts")
    assert rt.compile_argv(files) == ("/usr/bin/node", "tsc.js", "file0.code.ts", "lib.ts")
    run = rt.run_argv(files, ["x"])
    assert run == ("/usr/bin/node", "file0.code.js", "--file=file0.code.ts", "x")


def test_interpreted_runtimes_have_no_compile_step() -> None:
    rt = RuntimeDef(
        name="py",
        language="python",
        version=Version("3.11.2"),
        run_template=("/usr/bin/python3", "{main}", "{args}"),
        test=File(name="test.py", content='print("OK")'),
    )
    assert rt.compile_argv(["a.py"]) is None
    assert rt.place_files(["file0.code"]) == ("file0.code",)  # no extension declared: untouched
    with pytest.raises(ValueError, match="at least one file"):
        rt.run_argv([])


def test_protocol_view(c: RuntimeDef) -> None:
    assert c.to_protocol() == Runtime(
        language="c", version="12.2.0", aliases=("gcc", "gcc12"), runtime="gcc", compiled=True
    )
    assert c.test == File(name="test.c", content='int main(){puts("OK");}')
