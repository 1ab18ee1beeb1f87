"""Command-line interface: ``mobility <command> ...``.

Each command lives in :mod:`mobility.commands` (one module per command family) and is added
to the group below. Errors the user can fix (:class:`~mobility.errors.MobilityError`) become
one line on stderr and exit code 2; nothing else is caught.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import click

from mobility import __version__
from mobility.errors import MobilityError

EXAMPLE = """
\b
Example:
  mobility assign --net SiouxFalls_net.tntp --trips SiouxFalls_trips.tntp -o flows.csv
"""


#: click >= 8.2 raises this (a UsageError) for a bare group: it carries the help text
_NO_ARGS_IS_HELP: type[Exception] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())


class MobilityGroup(click.Group):
    """A click group that turns :class:`MobilityError` and click's usage errors (unknown
    option, missing argument, bad option value) into one stderr line and exit code 2."""

    def main(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)  # type: ignore[call-overload]
        except _NO_ARGS_IS_HELP as exc:
            usage = exc if isinstance(exc, click.UsageError) else click.UsageError(str(exc))
            click.echo(usage.format_message(), err=True)  # the help a bare command asks for
            sys.exit(usage.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "mobility"
            message = " ".join(exc.format_message().split())
            click.echo(f"mobility: error: {message} (see '{where} --help')", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MobilityError as exc:
            message = " ".join(str(exc).split())
            click.echo(f"mobility: error: {message}", err=True)
            ctx.exit(2)


@click.group(cls=MobilityGroup, epilog=EXAMPLE)
@click.version_option(__version__, prog_name="mobility")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or log lines.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """mobility: transport model and project appraisal for hovedstadsområdet."""
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet


#: (module under mobility.commands, command names it defines). Keep heavy imports inside the
#: command functions so that ``mobility --help`` stays fast.
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("model", ("model",)),
    ("assign", ("assign",)),
    ("optimise", ("optimise",)),
    ("network", ("network",)),
    ("rank", ("rank", "compare")),
    ("evaluate", ("evaluate",)),
    ("run", ("run",)),
    ("report", ("report",)),
)


def _register() -> None:
    """Add every command family to the group."""
    import importlib

    for module_name, names in COMMANDS:
        module = importlib.import_module(f"mobility.commands.{module_name}")
        for name in names:
            cli.add_command(getattr(module, name))


_register()


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="mobility")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
