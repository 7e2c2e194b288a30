"""``python -m verify``: see :mod:`verify.cli`."""
from .cli import entry

entry()
