"""
Run the ``soapbill`` command: ``python -m soapbill``.
"""

import sys

from soapbill.cli import main

if __name__ == "__main__":
    sys.exit(main())
