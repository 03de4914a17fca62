"""`python -m pipeline` runs the command-line interface."""

from .cli import run

run()
