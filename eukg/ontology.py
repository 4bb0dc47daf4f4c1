"""The eukg ontology, read from ``ontology/``."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from eukg.config import Settings
from eukg.errors import InputError
from eukg.loader import load_files


def ontology_files(settings: Settings) -> list[Path]:
    """The Turtle files of the ontology, sorted."""
    files = sorted(settings.ontology_dir.glob("*.ttl"))
    if not files:
        raise InputError("no ontology file (*.ttl) found", path=str(settings.ontology_dir))
    return files


def load_ontology(settings: Settings | None = None) -> Graph:
    """The ontology as one graph."""
    loaded = load_files(ontology_files(settings or Settings()))
    return loaded.union()
