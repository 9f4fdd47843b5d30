"""`python -m service.cli`: the `alur` command."""
import sys

from service.cli import main

sys.exit(main())
