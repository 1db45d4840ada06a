"""The command line (`python -m service`, `llm-recs`): `main.py` holds the app and the
everyday commands, the other modules one group of commands each, `common.py` what they
share."""

from service.cli.main import app, main

__all__ = ["app", "main"]
