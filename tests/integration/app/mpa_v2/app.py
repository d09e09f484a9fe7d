import bastion as st


def settings() -> None:
    st.title("Settings")
    st.checkbox("Dark", key="dark")


with st.sidebar:
    team = st.selectbox("Team", ["red", "blue"], key="team")

nav = st.navigation(
    {
        "Main": [st.Page("home.py", title="Home", icon="🏠", default=True)],
        "Tools": [
            st.Page("pages/report.py", title="Report", url_path="report"),
            st.Page(settings, icon="⚙️"),
        ],
    },
    position="sidebar",
    expanded=True,
)
st.caption(f"team {team}")
nav.run()
