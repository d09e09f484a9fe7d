"""st.get_option and st.set_option: the running app's configuration."""

from __future__ import annotations

from typing import Any

from bastion.app import context
from bastion.app.config import ConfigError, option_value


def get_option(key: str) -> Any:
    config = context.get("get_option").session.runtime.config
    return option_value(config, key, "st.get_option")


def set_option(key: str, value: Any) -> None:
    option_value(context.get("set_option").session.runtime.config, key, "st.set_option")
    section = key.partition(".")[0]
    raise ConfigError(
        f"st.set_option({key!r}, ...): options are shared by every session of the app, so a "
        "script cannot change them while it runs (one viewer would change the app for all). "
        f"Set it in .bastion/config.toml under [{section}], in a BASTION_{section.upper()}_... "
        f"environment variable, or with `bastion run app.py --{key} VALUE`."
    )
