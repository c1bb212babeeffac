"""``python -m govmon`` is the ``govmon`` command."""

from govmon.cli import main

main()
