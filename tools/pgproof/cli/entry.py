"""The console script's door, light enough to import at once: a Ctrl-C that arrives while
the command line (click, rich, migra, psycopg2) is still being imported exits 130 with
one sentence, like a Ctrl-C at any later moment, instead of a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from pgproof.cli.main import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("Error: interrupted before anything started; nothing was changed.\n")
        sys.exit(130)
    cli_main()
