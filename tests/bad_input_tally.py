"""Count how the helpers on the import path answer the round-two bad-input table: clear, silent or unhelpful.

* clear: the expected error type, and the message names the parameter, file or value (the table's pattern);
* silent: no error at all (a result computed from bad input);
* unhelpful: another error, or a message that does not name what is wrong.

Run from the repository: ``python tests/bad_input_tally.py`` (add ``-v`` to list every case). To tally an older
checkout, put its folder first: ``PYTHONPATH=<old checkout> python tests/bad_input_tally.py`` (the table is read
from this file's folder).
"""

from __future__ import annotations

import re
import sys
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parent))


def verdict(call, error, pattern) -> tuple[str, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except error as caught:
        if re.search(pattern, str(caught)):
            return "clear", ""
        return "unhelpful", f"{type(caught).__name__}: {str(caught)[:150]}"
    except Exception as caught:  # noqa: BLE001 (any other error is the finding)
        return "unhelpful", f"{type(caught).__name__}: {str(caught)[:150]}"
    return "silent", "no error"


def main() -> None:
    import bad_input_cases as table

    import helpers

    print(f"helpers from {Path(helpers.__file__).parent.parent}")
    tally = Counter()
    cases = table.CASES + getattr(table, "PENDING_ELSEWHERE", [])
    for case_id, call, error, pattern in cases:
        outcome, detail = verdict(call, error, pattern)
        tally[outcome] += 1
        if "-v" in sys.argv and outcome != "clear":
            print(f"  {outcome:9} {case_id}: {detail}")
    accepted = 0
    accepting = table.ACCEPTED + getattr(table, "ACCEPTED_PENDING_ELSEWHERE", [])
    for case_id, call, check in accepting:
        try:
            ok = bool(check(call()))
        except Exception as caught:  # noqa: BLE001
            ok = False
            if "-v" in sys.argv:
                print(f"  refused   {case_id}: {type(caught).__name__}: {str(caught)[:150]}")
        accepted += ok
    total = len(cases)
    print(f"{total} bad inputs: {tally['clear']} clear, {tally['silent']} silent, {tally['unhelpful']} unhelpful; "
          f"{accepted} of {len(accepting)} numpy scalars accepted as numbers")


if __name__ == "__main__":
    main()
