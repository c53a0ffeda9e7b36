#!/usr/bin/env python3
"""tierzero alert action tierzero_revoke_sessions: see tierzero_responder.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tierzero_responder  # noqa: E402

if __name__ == "__main__":
    sys.exit(tierzero_responder.main(sys.argv))
