import sys

from transforms.cli import main

sys.exit(main())
