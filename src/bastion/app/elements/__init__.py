"""The st.* elements: one module per family, each a set of functions over `container.emit()`."""
