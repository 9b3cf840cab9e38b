"""The Jupyter widgets: ``ClaimHighlighter``, ``ReaderNotes`` and ``ClassView``.

Imported on first use from :mod:`annotate` (``annotate.ClaimHighlighter``), so
the command line and the Sphinx extension never load a widget library.
"""
