"""The one factory every Typer app of the CLI is built with, the group that maps errors, and the
rules every help page follows (kept here so that each command gets them without asking):

- an example is never re-wrapped: a paragraph that is indented, or has a line starting with
  `$ ` or `spectrum `, is printed as written, whatever the terminal width;
- prose is wrapped at spaces only: never inside a `code span` or at a hyphen (`--dry-run`);
- a value's metavar is a word (SCOPE, DATE, FILE), never a type or a dump of its choices, which
  are listed in the help instead; counters and flags show no default;
- a group lists each command with its first sentence, whole.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

# The last word of an option's name, when it does not name its value well.
METAVAR_WORDS = {
    "output": "FORMAT",
    "from": "DATE",
    "to": "DATE",
    "on": "DATE",
    "within": "DURATION",
    "in": "DURATION",
    "after": "SECONDS",
    "timeout": "SECONDS",
    "by": "PERIOD",
    "match": "ETAG",
    "limit": "N",
    "times": "N",
    "body": "TEXT",
    "input": "FILE",
}
EXAMPLE_STARTS = ("$ ", "spectrum ")
SUMMARY_LIMIT = 10_000  # a group's list shows each command's first sentence, never cut with ...
_NO_BREAK = {" ": "\x00", "-": "\x01"}  # stand-ins the wrapper cannot break at
_CODE_SPAN = re.compile(r"`[^`\n]+`")


def is_example(paragraph: str) -> bool:
    """A paragraph printed as written: an indented block, or a command line."""
    return any(
        line[:1].isspace() or line.startswith(EXAMPLE_STARTS) for line in paragraph.split("\n")
    )


def _no_break(text: str) -> str:
    """Prose the wrapper may break at spaces only, and not inside a `code span`."""
    text = _CODE_SPAN.sub(lambda m: m.group(0).replace(" ", _NO_BREAK[" "]), text)
    return text.replace("-", _NO_BREAK["-"])


def _prepare(text: str) -> str:
    """Help text for click's wrapper: examples marked as not to be re-wrapped (`\\b`)."""
    paragraphs = text.split("\n\n")
    return "\n\n".join("\b\n" + p if is_example(p) else _no_break(p) for p in paragraphs)


class SpectrumFormatter(_click.HelpFormatter):
    """Click's help formatter, with the rules of the module docstring for text and options."""

    def write_text(self, text: str) -> None:
        super().write_text(_prepare(text))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(first, _prepare(second)) for first, second in rows]
        super().write_dl(rows, col_max, col_spacing)

    def getvalue(self) -> str:
        text = super().getvalue()
        for plain, stand_in in _NO_BREAK.items():
            text = text.replace(stand_in, plain)
        return text


class SpectrumContext(typer.Context):
    formatter_class = SpectrumFormatter


def metavar(param: Any) -> str | None:
    """The word shown for a parameter's value; None for a flag or a counter."""
    if param.metavar:
        return str(param.metavar)
    if param.param_type_name == "argument":
        return str(param.name).upper()
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    word = max(param.opts, key=len).lstrip("-").rsplit("-", 1)[-1]
    if param.type_descriptor.is_path and word not in ("dir", "directory"):
        return "DIR" if param.type_descriptor.path_type == "dir" else "FILE"
    return METAVAR_WORDS.get(word, word.upper())


def _choices(param: Any) -> list[str]:
    descriptor = param.type_descriptor
    if not descriptor.is_choice:
        return []
    return [str(getattr(choice, "value", choice)) for choice in descriptor.choices or ()]


def _default(param: Any, ctx: Any) -> str | None:
    """The default worth showing: none for counters, plain flags and unset values."""
    if isinstance(param.show_default, str):
        return param.show_default
    if not (param.show_default or ctx.show_default) or getattr(param, "count", False):
        return None
    value = param.get_default(ctx, call=False)
    if getattr(param, "is_flag", False):
        if value is None or not param.secondary_opts:
            return None
        return (param.opts if value else param.secondary_opts)[0].lstrip("-")
    if value is None or callable(value) or value == []:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(getattr(v, "value", v)) for v in value)
    return str(getattr(value, "value", value))


def _range(param: Any) -> str | None:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if getattr(param, "count", False) or (low is None and high is None):
        return None
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if high is None else f"at most {high}"


def _notes(param: Any, ctx: Any) -> list[str]:
    """What follows the help in brackets: choices, environment variable, default, range."""
    notes = []
    choices = _choices(param)
    if choices:
        notes.append("one of: " + ", ".join(choices))
    envvar = param.envvar if getattr(param, "show_envvar", False) else None
    if envvar:
        notes.append("env var: " + (envvar if isinstance(envvar, str) else ", ".join(envvar)))
    for label, text in (("default", _default(param, ctx)), ("range", _range(param))):
        if text:
            notes.append(f"{label}: {text}")
    if param.required:
        notes.append("required")
    return notes


def help_record(param: Any, ctx: Any) -> tuple[str, str] | None:
    """One row of the Options or Arguments list: names with the metavar, and the help."""
    if getattr(param, "hidden", False):
        return None
    word = metavar(param)
    if param.param_type_name == "argument":
        names = str(word) + ("..." if param.nargs != 1 else "")
    else:
        names = " / ".join(
            _click.formatting.join_options(opts)[0] + (f" {word}" if word else "")
            for opts in (param.opts, param.secondary_opts)
            if opts
        )
    notes = _notes(param, ctx)
    text = (param.help or "") + (f"  [{'; '.join(notes)}]" if notes else "")
    return names, text.strip()


class _HelpRules:
    """The help rules, shared by commands and groups."""

    context_class = SpectrumContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in getattr(self, "params", []):
            if param.param_type_name == "argument" or metavar(param):
                param.metavar = metavar(param)  # the usage line and errors say the same word

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """`[OPTIONS] STATEMENT_ID [WORDS]...`: a required argument bare, an optional one in [ ]."""
        pieces = [self.options_metavar] if self.options_metavar else []  # type: ignore[attr-defined]
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if param.param_type_name == "argument":
                word = metavar(param) if param.required else f"[{metavar(param)}]"
                pieces.append(word + ("..." if param.nargs != 1 else ""))
        if hasattr(self, "subcommand_metavar"):
            pieces.append(self.subcommand_metavar)
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)  # type: ignore[attr-defined]
        records = [(p.param_type_name, help_record(p, ctx)) for p in params]
        for kind, title in (("argument", "Arguments"), ("option", "Options")):
            rows = [record for k, record in records if k == kind and record]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        if hasattr(self, "format_commands"):
            self.format_commands(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(SUMMARY_LIMIT)  # type: ignore[misc]


class SpectrumCommand(_HelpRules, TyperCommand):
    """A command that follows the help rules."""


class SpectrumGroup(_HelpRules, TyperGroup):
    """Turns expected failures anywhere below into one line on stderr and an exit status."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError as exc:
            if not _stdout_closed():
                return self._fail(ctx, exc)  # stderr's reader is gone, not stdout's
            # The reader went away (`spectrum ... | head`): not an error of ours.
            import sys

            from spectrum_cli.cli.output import discard

            discard(sys.stdout)
            raise typer.Exit(0) from None
        except Exception as exc:
            if hasattr(exc, "exit_code") and hasattr(exc, "show"):
                raise  # Click's own usage errors: it prints them and exits 2
            return self._fail(ctx, exc)

    @staticmethod
    def _fail(ctx: Any, exc: Exception) -> Any:
        from spectrum_cli.cli.errors import report

        state = ctx.find_root().obj
        verbose = bool(getattr(state, "verbose", 0))
        stderr = getattr(state, "stderr", None)
        raise typer.Exit(report(exc, stderr, verbose)) from exc


def _stdout_closed() -> bool:
    """Whether nothing reads our stdout any more (a pipe whose reader exited)."""
    import select
    import sys

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # not a file: a test's buffer
        return True


class SpectrumTyper(typer.Typer):
    """A Typer app whose commands follow the help rules unless given a class of their own."""

    def command(self, name: str | None = None, *, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(name, cls=cls or SpectrumCommand, **kwargs)


def new_app(help: str, **kwargs: Any) -> typer.Typer:
    return SpectrumTyper(
        help=help,
        cls=SpectrumGroup,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        **kwargs,
    )
