"""Runs a peer test script's checks: every check runs even when an earlier one fails.

Prints one line per check (`ok   NAME` or `FAIL NAME` with its traceback), then "N passed, M failed";
returns the exit status (1 when any check failed). Used by sdk_peer_test.py and gateway_sdk_test.py.
"""

import traceback


def run(checks):
    passed = failed = 0
    for name, check in checks:
        try:
            check()
        except Exception:  # noqa: BLE001 - report every failure and keep going
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
