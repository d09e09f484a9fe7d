"""st.latex: a math expression, rendered to MathML on the server."""

from __future__ import annotations

from bastion.app import markup
from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.app.widgets import help_html
from bastion.protocol.app import Markdown


def latex(body: object, *, help: str | None = None) -> DeltaGenerator:
    if hasattr(body, "_repr_latex_") and not isinstance(body, str):
        body = str(body._repr_latex_()).strip().strip("$")  # sympy expressions, as Streamlit
    if not isinstance(body, str):
        raise InvalidArgument("latex", "body", "a str (LaTeX) or a sympy expression", body)
    try:
        html = markup.latex(body)
    except markup.LatexError as e:
        raise InvalidArgument(
            "latex", "body", "valid LaTeX math", body, f"The converter said {e}."
        ) from None
    return emit(
        "latex", Markdown(body_html=html, kind="latex", help_html=help_html(help, "latex")), body
    )
