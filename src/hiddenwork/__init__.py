"""Hidden Work: helpers for a teaching kit on AI and the human labour it hides.

Import the module you need, one concept each, for example::

    from hiddenwork import datasets, crowd, aggregation

Importing :mod:`hiddenwork` itself loads nothing heavy and has no side effects.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
