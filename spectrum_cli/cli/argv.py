"""Global options anywhere: `spectrum bill list -o csv` means `spectrum -o csv bill list`.

The root command's options (-o, --query, -p, ...) may come before or after the command path.
The command line is read once, as the parser will read it: the path through the command tree,
each option with as many values as it takes, and `--` ending the options. Every root option
found after the first command word moves, with its values, to just before that word. A value
is never mistaken for an option (`support ticket create --body -o` keeps its body), and when a
command has an option of the same name as a root option, the root option wins.

A short option's value may follow it (`-o json`), be joined to it (`-ojson`) or come after `=`
(`-o=json`, read as `-ojson`; the parser alone would read the value as `=json`). A root option
left without its value at the end of the line is read alone, so that the parser says it needs
one rather than taking the command's name for its value.
"""

from __future__ import annotations

from typing import Any

HELP = ("-h", "--help")
Unit = tuple[list[str], bool]  # tokens that stay together, and whether they are a root option


def option_arity(command: Any, *, help: bool = True) -> dict[str, int]:
    """Each option name of ``command`` and how many values it takes (0 for a flag); -h and
    --help are every command's own."""
    arity = dict.fromkeys(HELP if help else (), 0)
    for param in command.params:
        if param.param_type_name != "option":
            continue
        takes = 0 if param.is_flag or param.count else param.nargs
        arity.update(dict.fromkeys(param.opts, takes))
        arity.update(dict.fromkeys(param.secondary_opts, 0))
    return arity


def _long(args: list[str], i: int, own: dict[str, int], root: dict[str, int]) -> list[Unit]:
    """`--name`, `--name=value` or `--name VALUE...` at ``args[i]``."""
    token = args[i]
    name, has_value, _ = token.partition("=")
    is_root = name in root
    takes = (root if is_root else own).get(name, 0)
    values = [] if has_value else args[i + 1 : i + 1 + takes]
    return [([token, *values], is_root)]


def _short(args: list[str], i: int, own: dict[str, int], root: dict[str, int]) -> list[Unit]:
    """A cluster of short options at ``args[i]`` (`-vv`, `-ojson`, `-vo json`), one unit per
    letter; from an unknown letter on, the rest stays as it is, for the parser to refuse."""
    token, units = args[i], []
    for at in range(1, len(token)):
        name, rest = "-" + token[at], token[at + 1 :]
        if name not in root and name not in own:
            return [*units, (["-" + token[at:]], False)]
        is_root = name in root
        takes = (root if is_root else own)[name]
        if takes and rest:
            value = rest[1:] if rest.startswith("=") and len(rest) > 1 else rest
            return [*units, ([name + value], is_root)]
        if takes:
            return [*units, ([name, *args[i + 1 : i + 1 + takes]], is_root)]
        units.append(([name], is_root))
    return units


def _option(
    args: list[str], i: int, own: dict[str, int], root: dict[str, int]
) -> tuple[list[Unit], int]:
    """The units of the option at ``args[i]``, and the index of the token after them."""
    units = (_long if args[i].startswith("--") else _short)(args, i, own, root)
    values = sum(len(tokens) - 1 for tokens, _ in units if len(tokens) > 1)
    return units, i + 1 + values


def _lacks_value(tokens: list[str], root: dict[str, int]) -> bool:
    """Whether a root option's unit has fewer values than the option takes (it ends the line)."""
    return len(tokens) <= root.get(tokens[0], 0)


def _is_option(token: str) -> bool:
    return token.startswith("-") and token not in ("-", "--")


def global_options_first(root_command: Any, args: list[str]) -> list[str]:
    """``args`` with every root option after the first command word moved before it."""
    root = option_arity(root_command, help=False)
    command, kept, moved = root_command, [], []
    path_at: int | None = None  # where in ``kept`` the command path starts
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            kept += args[i:]
            break
        if _is_option(token):
            at_root = command is root_command
            units, i = _option(args, i, option_arity(command), {} if at_root else root)
            for tokens, is_root in units:
                (moved if is_root else kept).extend(tokens)
                if is_root and _lacks_value(tokens, root):  # only the root options, alone
                    return kept[: len(kept) if path_at is None else path_at] + moved
            continue
        subcommands = getattr(command, "commands", None)
        if subcommands is not None:
            if token not in subcommands:  # an unknown command: the parser says so
                kept += args[i:]
                break
            path_at = len(kept) if path_at is None else path_at
            command = subcommands[token]
        kept.append(token)
        i += 1
    if path_at is None:
        return kept
    return kept[:path_at] + moved + kept[path_at:]
