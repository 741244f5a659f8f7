"""``python -m pybridge._octpy DIR``: serve Octave's ``py.`` requests over DIR's FIFOs."""

import sys

from .server import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
