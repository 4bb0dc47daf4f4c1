"""``python -m eukg``: the command line."""

from eukg.cli import main

main()
