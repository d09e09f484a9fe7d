import bastion as st


def first() -> None:
    st.header("First section page")


def second() -> None:
    st.header("Second section page")


st.navigation(
    {"One": [st.Page(first, icon="🥇")], "Two": [st.Page(second, url_path="two")]},
    position="top",
).run()
