"""`bastion chat`'s terminal interface: rendering, the approval prompt, magic commands, Ctrl-C.

Markdown and code are rendered with rich; program output streams live, stripped of terminal
escapes. Before each block the code is shown and the user answers run / edit / skip / always.
Ctrl-C stops the running block (or the model's reply), never the program; Ctrl-D quits.
Without a terminal (piped stdin) the same prompts read plain lines, so it can be scripted.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax

from bastion.interpreter.errors import InterpreterError
from bastion.interpreter.interpreter import Interpreter, data_dir
from bastion.protocol.chat import Approval, Chunk, CodeRequest

HELP = """\
Magic commands:
  %reset          forget the conversation and restart the sandbox session
  %undo           remove your last message and everything after it
  %save [path]    save the conversation as JSON (default: the history file)
  %load path      resume a saved conversation (sandbox variables are not restored)
  %tokens         token counts: last request (from the endpoint) and next request (estimate)
  %help           this help
Before each code block: r = run, e = edit, s = skip, a = always run (this session only).
Ctrl-C stops the running block; Ctrl-D (or %exit) quits."""

_LEXERS = {"shell": "bash", "python": "python", "javascript": "javascript"}


class LineInput:
    """Reads lines: prompt_toolkit with history on a terminal, plain lines otherwise."""

    def __init__(self, stdin: TextIO, history_file: Path | None) -> None:
        self.stdin = stdin
        self.session: Any = None
        if stdin.isatty():
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import FileHistory, InMemoryHistory

            history: Any = InMemoryHistory()
            if history_file is not None:
                history_file.parent.mkdir(parents=True, exist_ok=True)
                history = FileHistory(str(history_file))
            self.session = PromptSession(history=history)

    def read(self, prompt: str, default: str = "", multiline: bool = False) -> str:
        """Raises EOFError at the end of input."""
        if self.session is not None:
            return str(self.session.prompt(prompt, default=default, multiline=multiline))
        if multiline:
            print(f"{prompt}(end with a line holding a single '.')", flush=True)
            lines: list[str] = []
            while (line := self._line()) != ".":
                lines.append(line)
            return "\n".join(lines)
        print(prompt, end="", flush=True)
        return self._line()

    def _line(self) -> str:
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")


class Terminal:
    def __init__(
        self,
        interp: Interpreter,
        *,
        console: Console | None = None,
        stdin: TextIO | None = None,
        history_file: Path | None = None,
    ) -> None:
        self.interp = interp
        self.console = console or Console(highlight=False)
        self.input = LineInput(stdin or sys.stdin, history_file)
        if interp.approve is None and not interp.settings.auto_run:
            interp.approve = self.ask_approval

    # -- approval ------------------------------------------------------------------------

    def ask_approval(self, request: CodeRequest) -> Approval:
        self.console.print(
            Panel(
                Syntax(request.code, _LEXERS.get(request.language, "text"), word_wrap=True),
                title=f"run {request.language}?",
                title_align="left",
            )
        )
        while True:
            try:
                answer = self.input.read("Run it? [r]un / [e]dit / [s]kip / [a]lways: ").strip()
            except (EOFError, KeyboardInterrupt):
                return Approval(action="skip")
            choice = answer[:1].lower()
            if choice == "r" or answer.lower() in ("y", "yes"):
                return Approval(action="run")
            if choice == "s" or answer.lower() in ("n", "no"):
                return Approval(action="skip")
            if choice == "a":
                return Approval(action="always")
            if choice == "e":
                try:
                    if self.input.session is not None:
                        self.console.print("Edit the code; Esc then Enter to run it.")
                    code = self.input.read("edit> ", default=request.code, multiline=True)
                except (EOFError, KeyboardInterrupt):
                    return Approval(action="skip")
                return Approval(action="edit", code=code)
            self.console.print("Answer r, e, s or a.")

    # -- the session ---------------------------------------------------------------------

    def run(self, warnings: tuple[str, ...] = ()) -> int:
        s = self.interp.settings
        self.console.print(
            f"[bold]Bastion chat[/] · model {_escape(s.model)} · work dir "
            f"{_escape(str(Path(s.workdir).resolve()))} · network {'ON' if s.network else 'off'} · "
            f"{'auto-run ON' if s.auto_run else 'asks before running code'} · %help"
        )
        for warning in warnings:
            self.console.print(f"[yellow]{_escape(warning)}[/]", soft_wrap=True)
        while True:
            try:
                line = self.input.read("> ")
            except KeyboardInterrupt:
                continue
            except EOFError:
                return 0
            if not line.strip():
                continue
            if line.strip().startswith("%"):
                if not self.magic(line.strip()):
                    return 0
                continue
            self.turn(line)

    def turn(self, text: str) -> None:
        def on_sigint(signum: int, frame: FrameType | None) -> None:
            self.interp.stop()

        previous = _install_sigint(on_sigint)
        try:
            self.render(self.interp.chat(text, stream=True))
        except InterpreterError as exc:
            self.console.print(f"[red]{exc}[/]", markup=True)
        finally:
            if previous is not None:
                _install_sigint(previous)

    def render(self, chunks: Iterator[Chunk]) -> None:
        out = self.console
        buffer = ""
        at_line_start = True
        for chunk in chunks:
            if chunk.role == "assistant" and chunk.type == "message":
                if chunk.end:
                    out.print(Markdown(buffer))
                    buffer = ""
                else:
                    buffer += chunk.content
            elif chunk.type == "code":
                if chunk.end:
                    continue  # shown whole in the approval panel, or below when auto-running
                if chunk.start and self.interp.settings.auto_run:
                    out.print(f"[dim]{chunk.format} block:[/]")
                if self.interp.settings.auto_run or self.interp.state.always_approve:
                    out.out(chunk.content, end="", highlight=False)
            elif chunk.type == "console" and chunk.format == "output":
                if chunk.start:
                    out.rule(style="dim")
                    at_line_start = True
                if chunk.content:
                    out.out(chunk.content, end="", highlight=False)
                    at_line_start = chunk.content.endswith("\n")
                if chunk.end:
                    if not at_line_start:
                        out.print()
                    out.rule(f"[dim]{chunk.status}[/]", style="dim")
            elif chunk.type == "console":
                if chunk.content:
                    out.print(f"[yellow]{_escape(chunk.content)}[/]")
            elif chunk.type == "image" and chunk.content:
                out.print(f"[dim]{chunk.format} saved to {_escape(chunk.content)}[/]")
        if buffer:
            out.print(Markdown(buffer))

    # -- magic commands ------------------------------------------------------------------

    def magic(self, line: str) -> bool:
        """Run a % command; False means quit."""
        name, _, arg = line.partition(" ")
        arg = arg.strip()
        handlers: dict[str, Callable[[str], None]] = {
            "%reset": self._reset,
            "%undo": self._undo,
            "%save": self._save,
            "%load": self._load,
            "%tokens": lambda _: self.console.print(
                json.dumps(self.interp.token_report(), indent=2)
            ),
            "%help": lambda _: self.console.print(HELP, markup=False),
        }
        if name in ("%exit", "%quit"):
            return False
        handler = handlers.get(name)
        if handler is None:
            self.console.print(f"Unknown command {name!r}.\n{HELP}", markup=False)
            return True
        try:
            handler(arg)
        except InterpreterError as exc:
            self.console.print(f"[red]{_escape(str(exc))}[/]")
        return True

    def _reset(self, _: str) -> None:
        self.interp.reset()
        self.console.print("Conversation reset; the sandbox session starts fresh.")

    def _undo(self, _: str) -> None:
        removed = self.interp.undo()
        self.console.print(f"Removed {removed} messages." if removed else "Nothing to undo.")

    def _save(self, arg: str) -> None:
        target = arg or self.interp.history_path
        if target is None:
            target = data_dir() / "conversations" / f"{self.interp.conversation_id}.json"
        self.console.print(f"Saved to {self.interp.save(target)}", markup=False)

    def _load(self, arg: str) -> None:
        if not arg:
            self.console.print("Usage: %load PATH")
            return
        self.interp.load(arg)
        self.console.print(
            f"Loaded {len(self.interp.messages)} messages (sandbox variables start fresh).",
            markup=False,
        )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _install_sigint(handler: Any) -> Any:
    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (tests drive the terminal from a worker)
        return None
