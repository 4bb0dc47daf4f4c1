"""eukg: a linked-data knowledge graph of EU internal security instruments.

The package holds everything that is not the HTTP service: loading and checking RDF files,
reasoning (materialising the alignment to ELI, CDM and the inverse relations), SHACL validation,
the on-disk store, named queries and the command line.
"""

__version__ = "0.1.0"
