"""The `st` namespace: complete, sorted, lazy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import bastion
from bastion.app.api import ELEMENTS, OTHERS


def test_all_is_sorted_and_complete() -> None:
    assert bastion.__all__ == sorted(bastion.__all__)
    assert set(bastion.__all__) == {*ELEMENTS, *OTHERS, "__version__"}


def test_every_name_resolves() -> None:
    for name in bastion.__all__:
        assert getattr(bastion, name) is not None, name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="not_a_thing"):
        bastion.not_a_thing  # noqa: B018


def test_importing_bastion_or_the_sandbox_does_not_load_the_app_runtime() -> None:
    code = (
        "import sys, bastion, bastion.sandbox\n"
        "loaded = [m for m in sys.modules if m.startswith('bastion.app')]\n"
        "assert not loaded, loaded\n"
        "assert 'markdown_it' not in sys.modules and 'nh3' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_testing_module_reexports_apptest() -> None:
    from bastion.app.testing import AppTest as Inner
    from bastion.testing import AppTest

    assert AppTest is Inner


ROOT = Path(bastion.__file__).parent


def test_the_stub_declares_exactly_the_public_names() -> None:
    tree = ast.parse((ROOT / "__init__.pyi").read_text())
    declared = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert declared == set(bastion.__all__)


def test_the_root_package_imports_no_part() -> None:
    """`import bastion` from inside the sandbox must not make the sandbox depend on the app."""
    tree = ast.parse((ROOT / "__init__.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported <= {"bastion._version", "importlib", "typing"}


def test_the_app_package_exports_what_an_adapter_needs() -> None:
    import bastion.app as app

    assert app.__all__ == sorted(app.__all__)
    for name in app.__all__:
        assert getattr(app, name) is not None
