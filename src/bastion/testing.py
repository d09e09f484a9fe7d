"""`from bastion.testing import AppTest`: the one import a Streamlit test suite changes."""

from bastion.app.testing import AppTest as AppTest

__all__ = ["AppTest"]
