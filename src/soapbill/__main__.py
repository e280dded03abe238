"""
Run the ``soapbill`` command: ``python -m soapbill``.
"""

import sys

from soapbill.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess
    sys.exit(main())
