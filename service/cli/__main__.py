"""`python -m service.cli`: the same as the `newsdesk` command."""

import sys

from . import main

sys.exit(main())
