"""Bastion's demo app, `bastion hello`: a multipage gallery.

The first page is a tour of the core (intro.py); every script in `pages/` beside this file is one
more page, one per element family (data, charts, media, inputs, layout, chat, ...). The gallery
lists whatever pages exist: a new family adds its page by adding a file.
"""

from pathlib import Path

import bastion as st

HERE = Path(__file__).parent
# Titles and icons of the families we know; any other page gets a title from its file name.
FAMILIES = {
    "data": ("Data", "📊"),
    "charts": ("Charts", "📈"),
    "media": ("Media", "🖼️"),
    "inputs": ("Inputs", "🎛️"),
    "layout": ("Layout", "🧱"),
    "chat": ("Chat", "💬"),
    "navigation": ("Pages", "🧭"),
}
ORDER = list(FAMILIES)


def _order(path: Path) -> tuple[int, str]:
    return (ORDER.index(path.stem) if path.stem in ORDER else len(ORDER), path.stem)


gallery = []
for path in sorted((HERE / "pages").glob("*.py"), key=_order):
    if path.name.startswith(("_", ".")):
        continue
    title, icon = FAMILIES.get(path.stem, (path.stem.replace("_", " ").capitalize(), None))
    gallery.append(st.Page(path, title=title, icon=icon, url_path=path.stem))

pages = {"Start": [st.Page(HERE / "intro.py", title="Hello", icon="👋", default=True)]}
if gallery:
    pages["Gallery"] = gallery
st.navigation(pages).run()
