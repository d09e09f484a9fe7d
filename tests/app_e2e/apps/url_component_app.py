"""A component served by another origin (a dev server, `declare_component(url=...)`)."""

import os

import bastion as st
import bastion.components.v1 as components

echo = components.declare_component("echo_url", url=os.environ["BASTION_E2E_COMPONENT_URL"])
value = echo(greeting="remote", key="remote", default=None)
st.write(f"url component value: {value}")
st.write("url ready")
