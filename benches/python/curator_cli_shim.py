"""Runs Debian's curator_cli 5.8.1 unchanged, with the two things click 8.1 (Debian 12) took away put back:
`click.get_terminal_size` (curator calls it at import: AttributeError otherwise) and the underscore command
names (click 7+ registers `show-snapshots`, which curator then looks up as an action and rejects).
usage: python3 curator_cli_shim.py [curator_cli arguments], e.g. --host H --port P show_snapshots --repository R"""
import shutil
import sys

import click

click.get_terminal_size = shutil.get_terminal_size

from curator.singletons import cli  # noqa: E402

for name in list(cli.commands):
    cli.commands.setdefault(name.replace("-", "_"), cli.commands[name])
sys.argv[0] = "curator_cli"
cli(obj={})
