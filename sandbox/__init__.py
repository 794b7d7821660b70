"""The integration sandbox: fake institutions integrating over real local HTTP APIs."""

__version__ = "0.1.0"
