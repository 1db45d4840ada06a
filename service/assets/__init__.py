"""Files the service reads at run time, shipped inside the package: prompts, the model
registry and the demo catalogs. In the source tree these are symlinks to the top-level
`prompts/`, `models/` and `data/demo/` folders (still the place to edit them); a built
wheel carries copies. Found with importlib.resources, so an installed package works
from any folder."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def asset(*parts: str) -> Path:
    """The path of a shipped file or folder, e.g. asset("prompts", "blurb.yaml")."""
    return Path(str(files(__package__).joinpath(*parts)))
