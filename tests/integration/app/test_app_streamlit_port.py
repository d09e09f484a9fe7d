"""Streamlit-style AppTest suites port by changing one import: tests written the way Streamlit's
documentation writes them, against scripts written the way Streamlit users write them."""

from __future__ import annotations

from pathlib import Path

from bastion.testing import AppTest

PASSWORD_APP = """
import hmac
import bastion as st

def check_password():
    def password_entered():
        if hmac.compare_digest(st.session_state["password"], st.secrets["password"]):
            st.session_state["password_correct"] = True
            del st.session_state["password"]
        else:
            st.session_state["password_correct"] = False

    if st.session_state.get("password_correct", False):
        return True
    st.text_input("Password", type="password", on_change=password_entered, key="password")
    if "password_correct" in st.session_state:
        st.error("😕 Password incorrect")
    return False

if not check_password():
    st.stop()

st.button("Click me")
st.write("Secret content")
"""


def test_password_gate(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(PASSWORD_APP)
    at = AppTest.from_file(str(script))
    at.secrets["password"] = "streamlit"
    at.run()
    at.text_input("password").input("balloon").run()
    assert at.error[0].value == "😕 Password incorrect"
    at.text_input("password").input("streamlit").run()
    assert at.session_state["password_correct"]
    assert not at.error
    assert at.markdown.values == ["Secret content"]
    assert at.button[0].label == "Click me"


def test_counter_with_number_input_and_button() -> None:
    def app() -> None:
        import bastion as st

        beans = st.number_input("Beans", 0, 10)
        if "count" not in st.session_state:
            st.session_state.count = 0
        if st.button("Add"):
            st.session_state.count += beans
        st.markdown(f"Beans counted: {st.session_state.count}")

    at = AppTest.from_function(app).run()
    at.number_input[0].increment().run()
    at.button[0].click().run()
    assert at.markdown[0].value == "Beans counted: 1"
    at.number_input[0].set_value(5).run()
    at.button[0].click().run()
    assert at.markdown[0].value == "Beans counted: 6"


def test_dashboard_layout() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.set_page_config(page_title="Dash", layout="wide")
        st.sidebar.header("Filters")
        region = st.sidebar.selectbox("Region", ["EU", "US"], key="region")
        show = st.sidebar.checkbox("Show raw data")
        kpi1, kpi2 = st.columns(2)
        kpi1.metric("Revenue", "1.2M", "+4%")
        kpi2.metric("Users", 1234, -12)
        tab_a, tab_b = st.tabs(["Summary", "Details"])
        tab_a.write(f"Region: {region}")
        with tab_b:
            with st.expander("Raw", expanded=show):
                st.json({"region": region})
        """
    ).run()
    assert at.sidebar.header[0].value == "Filters"
    at.sidebar.selectbox("region").select("US").run()
    assert at.tabs[0].markdown[0].value == "Region: US"
    assert [m.label for m in at.metric] == ["Revenue", "Users"]
    assert at.get("metric")[1].value == "1234"
    assert at.expander[0].proto.expanded is False
    at.sidebar.checkbox[0].check().run()
    assert at.expander[0].proto.expanded is True
