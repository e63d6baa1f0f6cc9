"""The package version (a module of its own, so that any part of gaitload can name it without
importing the package's top level)."""

__version__ = "0.1.0"
