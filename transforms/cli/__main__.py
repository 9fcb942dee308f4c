import sys

from transforms.cli import console_main

sys.exit(console_main())
