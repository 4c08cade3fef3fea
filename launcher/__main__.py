"""``python -m launcher ...``: the same commands as ``singlewindow``."""

from launcher.cli import main

main()
