"""Packaging hook: a wheel (as pre-commit or `pip install git+…` builds it) carries the ontology,
the shapes and the named queries inside the package, so `eukg validate` works without a
checkout. An editable install reads them from the repository instead."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = ("ontology", "shapes", "queries")


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for folder in RESOURCES:
            target = Path(self.build_lib) / "eukg" / "resources" / folder
            target.mkdir(parents=True, exist_ok=True)
            for source in sorted((root / folder).glob("*")):
                if source.suffix in (".ttl", ".rq", ".md"):
                    (target / source.name).write_bytes(source.read_bytes())


setup(cmdclass={"build_py": BuildWithResources})
