"""``python -m autograd``: the ``chainrule`` command."""

import sys

from autograd.cli import main

sys.exit(main())
