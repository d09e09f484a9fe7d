"""`bastion.components`: Streamlit's `streamlit.components` namespace (only `v1` exists)."""

from bastion.components import v1 as v1

__all__ = ["v1"]
