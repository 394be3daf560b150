import sys

from renlayer_core.cli import main

sys.exit(main())
