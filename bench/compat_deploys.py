"""Deploy-outcome corpus: how many models of tests/fixtures/compat/ get the deploy outcome Camunda 7 gives.

Run from the repository root:
    .venv/bin/python bench/compat_deploys.py [--differences] [--source camunda-engine]

Each file is deployed unchanged over /engine-rest on a fresh SQLite database (and its deployment deleted
again) and compared with expected.yaml: refused when Camunda refuses it, else deployed with one process
definition per executable process. Prints N of M equal per source and in total; `--differences` lists the
files that differ, with Camunda's outcome, Alur's, and the helper whose work is expected to close the gap.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.compat import corpus  # noqa: E402
from tests.support import make_app  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--differences", action="store_true", help="list every file whose outcome differs")
    args.add_argument("--source", help="only files under this folder of the corpus")
    opts = args.parse_args(argv)
    entries = [e for e in corpus.load_manifest() if not opts.source or e.path.startswith(opts.source + "/")]
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), rest_auth=False, timer_min_cycle_seconds=1.0)
        client = app.test_client()
        total: Counter[str] = Counter()
        equal: Counter[str] = Counter()
        differences = []
        for entry in entries:
            source = entry.path.split("/", 1)[0]
            outcome = corpus.deploy(client, entry.path)
            total[source] += 1
            if corpus.matches(entry, outcome):
                equal[source] += 1
            else:
                differences.append((entry, outcome))
        app.extensions["alur"].db.dispose()
    for source in sorted(total):
        print(f"{source:24} {equal[source]:4} of {total[source]:4} deploy outcomes equal to Camunda 7's")
    print(f"{'total':24} {sum(equal.values()):4} of {sum(total.values()):4}")
    if opts.differences:
        for entry, outcome in differences:
            camunda = f"refused: {entry.refused}" if entry.refused else "deploys"
            alur = f"deploys ({outcome.definitions} definitions)" if outcome.deployed else outcome.message
            owner = entry.owner or (f"known difference: {entry.known_difference}" if entry.known_difference
                                    else "UNEXPECTED")
            print(f"\n{entry.path}\n  Camunda: {camunda}\n  Alur:    {alur[:300]}\n  [{owner}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
