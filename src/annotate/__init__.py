"""annotate: read a news article closely and annotate it in class."""

__version__ = "0.1.0"
