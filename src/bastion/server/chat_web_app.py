"""The page of `bastion chat --web`: a Bastion app over this tab's `ChatWorker` (chat_web.py).

Each run renders the transcript; while a turn runs, the run keeps redrawing it in place as chunks
arrive, and reruns itself when the turn needs a decision (a block waits for approval) or ends.
What the browser can do: send a message, answer the block waiting for approval (run, edit, skip,
always for this session), stop the turn. Everything else (model, work dir, network, limits) is
the operator's, fixed when the server started.
"""

from pathlib import Path

import bastion as st
from bastion.app import context, media
from bastion.app.container import DeltaGenerator
from bastion.server.chat_web import SERVICE, ChatWorker, Entry, View, WebChat

_STATUS = {
    "ok": "✅ finished",
    "error": "❌ exited with an error",
    "timeout": "⏱️ stopped: time limit",
    "killed": "💥 killed (signal or memory limit)",
    "interrupted": "⏹️ stopped",
    "declined": "⏭️ skipped",
    "refused": "🚫 not run",
    "failed": "⚠️ the sandbox could not run it",
}
_SHOWN_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp")
POLL_S = 0.05  # how long a redraw loop waits for news before checking for a rerun or stop

run_ctx = context.get("bastion chat --web")
session = run_ctx.session
web: WebChat = session.runtime.services[SERVICE]

st.set_page_config(page_title="Bastion chat", page_icon="💬")
st.title("Bastion chat")

if not web.configured:
    st.error("No model is configured, so there is nobody to chat with yet.")
    st.code(web.how_to_configure, language=None)
    st.stop()

settings = web.settings
st.caption(
    f"Model `{settings.model}` · work dir `{settings.workdir}` · network "
    f"{'**on**' if settings.network else 'off'} · code runs in the Bastion sandbox"
)
for warning in web.warnings:
    st.warning(warning)
if settings.auto_run:
    st.warning("Auto-run is on (the operator's choice): blocks run without asking.")

worker, created = web.worker(session.id)
if created:
    sid = session.id
    session.on_close.append(lambda: web.end_session(sid))


def show_entry(entry: Entry) -> None:
    if entry.type == "message":
        st.markdown(entry.content if entry.done else entry.content + "▏")
    elif entry.type == "code":
        st.caption(f"{entry.format or 'code'}")
        st.code(entry.content, language=entry.format)
    elif entry.type == "console":
        if entry.format == "notice":
            st.caption(entry.content)
        elif entry.content or entry.done:
            st.code(entry.content or "(no output)", language=None)
        if entry.done and entry.status:
            st.caption(_STATUS.get(entry.status, entry.status))
    elif entry.type == "image":
        # Rich outputs are files on the host that the executor wrote; raster images are shown
        # from the media store (same origin, nosniff), anything else (HTML, SVG) only listed.
        if entry.format in _SHOWN_IMAGES and Path(entry.content).is_file():
            url = media.add(Path(entry.content), entry.format)
            st.markdown(f"![{entry.format} output]({url})")
        st.caption(f"🖼️ {entry.format} output saved to {entry.content}")


def split(entries: tuple[Entry, ...]) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """(history up to the last user message, the current turn's entries after it)."""
    last = max((i for i, e in enumerate(entries) if e.role == "user"), default=-1)
    return entries[: last + 1], entries[last + 1 :]


def show(entries: tuple[Entry, ...], area: DeltaGenerator) -> None:
    with area.container():
        group: list[Entry] = []
        for entry in [*entries, None]:
            if entry is not None and entry.role != "user":
                group.append(entry)
                continue
            if group:
                with st.chat_message("assistant"):
                    for item in group:
                        show_entry(item)
                group = []
            if entry is not None:
                with st.chat_message("user"):
                    st.markdown(entry.content)


def approval(worker: ChatWorker, view: View) -> None:
    request = view.pending
    if request is None:
        return
    cid = request.call_id
    st.info(f"Run this **{request.language}** block in the sandbox?")
    run, skip, always, stop = st.columns(4)
    run.button("Run", key=f"run-{cid}", type="primary", on_click=worker.answer, args=(cid, "run"))
    skip.button("Skip", key=f"skip-{cid}", on_click=worker.answer, args=(cid, "skip"))
    always.button(
        "Always (this session)", key=f"always-{cid}", on_click=worker.answer, args=(cid, "always")
    )
    stop.button("Stop the turn", key="stop", on_click=worker.stop)
    with st.expander("Edit before running"):
        st.text_area("Code", value=request.code, key=f"edit-{cid}", height=200)

        def run_edited() -> None:
            worker.answer(cid, "edit", st.session_state[f"edit-{cid}"])

        st.button("Run edited code", key=f"edited-{cid}", on_click=run_edited)


view = worker.view()
history, current = split(view.entries)
show(history, st.empty())
live = st.empty()  # the current turn: the only part redrawn while it streams
show(current, live)
# The approval or the Stop button: one slot, written at the same position by every run, so a
# run that goes on while the turn streams replaces what the last run showed there rather than
# leaving a stale copy beside it.
controls = st.empty()
if view.pending is not None:
    with controls.container():
        approval(worker, view)
elif view.running:
    controls.button("Stop the turn", key="stop", on_click=worker.stop)

prompt = st.chat_input(
    "Busy…" if view.running else "Ask for something to be done", disabled=view.running
)
if prompt and worker.send(prompt):
    st.rerun()

if view.running and view.pending is None:
    # Redraw the transcript in place as the turn streams; rerun for a decision or the end.
    while True:
        worker.wait_change(view.version, POLL_S)
        latest = worker.view()
        if latest.pending is not None or not latest.running:
            st.rerun()
        if latest.version != view.version:
            view = latest
            show(split(view.entries)[1], live)
        else:
            context.get("bastion chat --web")  # an interrupt point: a click or Stop reruns
