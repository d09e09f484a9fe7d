"""`st.secrets`: values from `.bastion/secrets.toml`, read lazily, never sent to the browser.

Files, later ones win: ``~/.bastion/secrets.toml``, ``./.bastion/secrets.toml``, and
``<script dir>/.bastion/secrets.toml``. Unlike Streamlit, nothing is exported to ``os.environ``.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from bastion.app.errors import AppError


class SecretsError(AppError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class AttrDict(Mapping[str, Any]):
    """A read-only mapping that also allows attribute access (`st.secrets.db.password`)."""

    __slots__ = ("_data", "_where")

    def __init__(self, data: Mapping[str, Any], where: str = "st.secrets") -> None:
        self._data = data
        self._where = where

    def __getitem__(self, key: str) -> Any:
        try:
            value = self._data[key]
        except KeyError:
            raise SecretsError(
                f"{self._where} has no key {key!r}. Add it to .bastion/secrets.toml "
                f"(keys present: {', '.join(sorted(self._data)) or 'none'})."
            ) from None
        if isinstance(value, Mapping):
            return AttrDict(value, f"{self._where}[{key!r}]")
        return value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except SecretsError as e:
            raise AttributeError(str(e)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(keys={sorted(self._data)})"  # never print the values

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.to_dict() if isinstance(v, AttrDict) else v) for k, v in self.items()}


class Secrets(AttrDict):
    def __init__(self, paths: list[Path] | None = None, values: Mapping[str, Any] | None = None):
        super().__init__({})
        self._paths = paths or []
        self._loaded = values is not None
        if values is not None:
            self._data = dict(values)
        self._lock = threading.Lock()

    @classmethod
    def for_script(cls, script_dir: str | None) -> Secrets:
        paths = [
            Path.home() / ".bastion" / "secrets.toml",
            Path.cwd() / ".bastion" / "secrets.toml",
        ]
        if script_dir:
            paths.append(Path(script_dir) / ".bastion" / "secrets.toml")
        unique: list[Path] = []
        for p in paths:
            if p.resolve() not in {u.resolve() for u in unique}:
                unique.append(p)
        return cls(unique)

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> None:
        if self._loaded:
            return  # another thread loaded them meanwhile
        data: dict[str, Any] = {}
        found = False
        for path in self._paths:
            if path.is_file():
                found = True
                try:
                    data.update(tomllib.loads(path.read_text(encoding="utf-8")))
                except tomllib.TOMLDecodeError as e:
                    raise SecretsError(f"{path}: not valid TOML: {e}") from None
        if not found:
            where = " or ".join(str(p) for p in self._paths) or "(no paths)"
            raise SecretsError(f"No secrets found. Create a secrets file at {where}.")
        self._data = data
        self._loaded = True

    def __getitem__(self, key: str) -> Any:
        self._load()
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        self._load()
        return super().__iter__()

    def __len__(self) -> int:
        self._load()
        return super().__len__()

    def __contains__(self, key: object) -> bool:
        self._load()
        return key in self._data
