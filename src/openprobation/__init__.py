"""OpenProbation: case management and public protection for probation services."""

__version__ = "0.1.0"
