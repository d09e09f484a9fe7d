"""Runtime data files: strict parsing, clear errors, overrides, and the shipped set."""

import re
from pathlib import Path

import pytest

from bastion.sandbox.runtimes import RuntimeDefinitionError, load_declarations
from bastion.sandbox.runtimes.decl import builtin_dir, parse_declaration

MINIMAL = """
language = "toy"
aliases = ["ty"]
[version]
command = ["/usr/bin/toy", "--version"]
pattern = 'toy (\\S+)'
[run]
argv = ["/usr/bin/toy", "{main}", "{args}"]
[test]
file = "test.toy"
code = "print OK"
"""


def parse(text: str) -> object:
    return parse_declaration(text, name="toy", source="toy.toml")


def test_a_minimal_declaration_parses_with_defaults() -> None:
    decl = parse_declaration(MINIMAL, name="toy", source="toy.toml")
    assert decl.name == "toy"
    assert decl.language == "toy"
    assert decl.compile is None
    assert decl.run.argv == ("/usr/bin/toy", "{main}", "{args}")
    assert decl.env == {}
    assert decl.run.limits.memory_bytes is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("argv =", "args ="), "Object contains unknown field `args`"),
        (lambda t: t + "\n[run.limits]\nmemory = 5\n", "unknown field `memory`"),
        (lambda t: t.replace('language = "toy"', "language = 3"), "Expected `str`, got `int`"),
        (lambda t: t.replace("[run]", "[run"), "not valid TOML"),
        (lambda t: t.replace("toy (\\S+)", "toy"), "needs a group capturing the version"),
        (lambda t: t.replace("toy (\\S+)", "toy (["), "version.pattern is not a regex"),
        (lambda t: t.replace('"{args}"', '"--{args}"'), "{args} must be a whole element"),
        (lambda t: t.replace('"{main}"', '"{mian}"'), "unknown placeholder {mian}"),
        (lambda t: t.replace('["ty"]', '["ty{main}"]'), "aliases: unknown placeholder {main}"),
        (lambda t: 'extension = ".c"\nsources = [".h"]\n' + t, "must be one of sources"),
        (lambda t: t.replace('argv = ["/usr/bin/toy", "{main}", "{args}"]', "argv = []"), "empty"),
    ],
)
def test_mistakes_are_named_with_the_file_and_field(change: object, message: str) -> None:
    assert callable(change)
    with pytest.raises(RuntimeDefinitionError, match=re.escape(message)) as caught:
        parse(change(MINIMAL))
    assert str(caught.value).startswith("runtime definition toy.toml: ")


def test_shell_variables_are_not_placeholders() -> None:
    text = MINIMAL.replace('"{main}"', '"-c", "echo ${HOME} ${x//a/b}", "{main}"')
    parse(text)


def test_later_directories_override_by_name_and_add(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "toy.toml").write_text(MINIMAL)
    (second / "toy.toml").write_text(MINIMAL.replace('["ty"]', '["ty2"]'))
    (second / "other.toml").write_text(MINIMAL.replace('"toy"', '"other"'))
    decls = load_declarations([first, second])
    assert [(d.name, d.aliases) for d in decls] == [("other", ("ty",)), ("toy", ("ty2",))]


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeDefinitionError, match="is not a directory"):
        load_declarations([tmp_path / "nope"])


def test_every_shipped_declaration_loads_with_a_test_program() -> None:
    decls = load_declarations()
    assert {"python", "javascript", "bash", "c"} <= {d.name for d in decls}
    for decl in decls:
        assert decl.packages, f"{decl.name}: say which Debian package provides it"
        assert "OK" in decl.test.code, decl.name
        assert builtin_dir().joinpath(f"{decl.name}.toml").is_file()


def test_setup_installs_every_shipped_runtime() -> None:
    """scripts/setup's APT_PACKAGES must keep up with the declared runtimes (CI is a fresh box)."""
    setup = Path(__file__).parents[2].joinpath("scripts", "setup").read_text()
    block = re.search(r"APT_PACKAGES=\((.*?)\)", setup, re.DOTALL)
    assert block is not None
    listed = set(block.group(1).split())
    for decl in load_declarations():
        missing = set(decl.packages) - listed
        assert not missing, f"{decl.name}: add {sorted(missing)} to APT_PACKAGES in scripts/setup"
