"""Resolution like Piston: name or alias, npm range, newest wins across runtimes, exact error."""

import pytest
from semantic_version import Version

from bastion.protocol.errors import InvalidJob, UnknownRuntime
from bastion.protocol.exec import File, Runtime
from bastion.sandbox.runtimes import RuntimeDef, RuntimeRegistry


def rt(
    name: str, language: str, version: str, *aliases: str, runtime: str | None = None
) -> RuntimeDef:
    return RuntimeDef(
        name=name,
        language=language,
        version=Version(version),
        aliases=aliases,
        runtime=runtime,
        run_template=("/bin/true",),
        test=File(name="t", content=""),
    )


@pytest.fixture
def registry() -> RuntimeRegistry:
    return RuntimeRegistry(
        [
            rt("python", "python", "3.11.2", "py", "py3", "python3"),
            rt("python312", "python", "3.12.1", "py", "py3", "python3"),
            rt("python2", "python2", "2.7.18", "py2"),
            rt("deno", "javascript", "1.32.3", "deno-js", runtime="deno"),
            rt("node", "javascript", "20.20.2", "node-js", "js", runtime="node"),
            rt("go-rc", "go", "1.21.0-rc.2", "golang"),
            rt("go", "go", "1.19.8", "golang"),
        ]
    )


@pytest.mark.parametrize(
    ("language", "version", "expected"),
    [
        ("python", "*", "python312"),  # newest wins
        ("py", "*", "python312"),  # aliases resolve too
        ("python3", "3.11", "python"),
        ("python", "3.11.2", "python"),
        ("python", "~3.11", "python"),
        ("python", "<3.12", "python"),
        ("py2", "2.x", "python2"),
        ("javascript", "*", "node"),  # across runtimes: node 20 is newer than deno 1.32
        ("javascript", "1.x", "deno"),
        ("js", "20", "node"),
        ("deno-js", "*", "deno"),  # an alias only deno has
        ("golang", "*", "go"),  # pre-releases are skipped unless asked for
        ("go", "1.21.0-rc.2", "go-rc"),
    ],
)
def test_resolve(registry: RuntimeRegistry, language: str, version: str, expected: str) -> None:
    assert registry.resolve(language, version).name == expected


@pytest.mark.parametrize(
    ("language", "version"),
    [
        ("python", "4.x"),
        ("python", "latest"),  # not a range: unknown, as in Piston
        ("Python", "*"),  # case-sensitive, as in Piston
        ("cobol", "*"),
        ("py2", "3"),  # the alias exists, not at that version
        ("", "*"),
    ],
)
def test_unknown_runtimes_raise_pistons_message(
    registry: RuntimeRegistry, language: str, version: str
) -> None:
    with pytest.raises(UnknownRuntime) as caught:
        registry.resolve(language, version)
    assert str(caught.value) == f"{language}-{version} runtime is unknown"
    assert isinstance(caught.value, InvalidJob)
    assert caught.value.field == "language"


def test_listing_is_by_language_then_newest(registry: RuntimeRegistry) -> None:
    listed = [(r.language, r.version) for r in registry.listing()]
    assert listed == [
        ("go", "1.21.0-rc.2"),
        ("go", "1.19.8"),
        ("javascript", "20.20.2"),
        ("javascript", "1.32.3"),
        ("python", "3.12.1"),
        ("python", "3.11.2"),
        ("python2", "2.7.18"),
    ]
    assert registry.listing()[2] == Runtime(
        language="javascript", version="20.20.2", aliases=("node-js", "js"), runtime="node"
    )
    assert len(registry) == 7
    assert "python-3.11.2" in repr(registry)


def test_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="repeated: py"):
        RuntimeRegistry([rt("py", "python", "3.11.2"), rt("py", "python", "3.12.0")])


def test_an_empty_registry_knows_nothing() -> None:
    with pytest.raises(UnknownRuntime):
        RuntimeRegistry().resolve("python")
