"""AppTest: headless app testing with the API of `streamlit.testing.v1`."""

from bastion.app.testing.app_test import AppTest as AppTest

__all__ = ["AppTest"]
