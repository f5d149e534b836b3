"""The `careerstream` command line: `main` assembles the command groups, one module each."""

from careerstream.cli.main import app, main

__all__ = ["app", "main"]
