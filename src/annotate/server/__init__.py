"""``annotate serve``: a class annotates together over the W3C Web Annotation Protocol.

>>> from annotate.server import create_app
>>> create_app("sqlite:///:memory:").title
'annotate class server'
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
