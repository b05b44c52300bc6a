"""``python -m gdlab.cli``: the same as the ``gdlab`` command."""

from . import main

main()
