"""`python -m smtsched ...` is the `smtsched` command."""
from .cli import entry_point

entry_point()
