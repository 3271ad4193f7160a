"""A worker process that tries wrong passwords, for the throttling test in tests/test_accounts.py.

``python -m tests.login_worker INSTANCE DATABASE_URL EMAIL TRIES START`` opens its own app on the
shared database, waits until the file START exists (so that the processes begin together), tries
TRIES wrong passwords for EMAIL, and prints one JSON line: how many were checked (refused as a
wrong password) and how many were refused as locked out.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from gi_registry import create_app
from gi_registry.services.accounts import LOCKED_OUT, Throttle, attempt_login
from gi_registry.services.unit import unit_of_work


def main(instance: str, url: str, email: str, tries: str, start: str) -> dict:
    app = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": url, "SECRET_KEY": "test-secret"})
    counts = {"checked": 0, "locked": 0}
    with app.app_context():
        while not Path(start).exists():
            time.sleep(0.01)
        for _ in range(int(tries)):
            with unit_of_work(actor="worker") as work:
                attempt = attempt_login(work, email, "wrong-password", Throttle())
            counts["locked" if attempt.refusal == LOCKED_OUT else "checked"] += 1
    return counts


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
