"""annotate: read a news article closely and annotate it in class."""
