"""Differential fuzzing of random VSLA programs (see program_fuzz.py): a short
fixed-seed batch. The shrunk programs of the failure families it found are in
test_compiler_regressions.py.

A longer run: .venv/bin/python test/python/program_fuzz.py --seed 1 --count 500 --jobs 2
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import program_fuzz  # noqa: E402

SEED = 20250
COUNT = int(os.environ.get("VSLA_PROGRAM_FUZZ_COUNT", "40"))


def test_random_programs_match_the_reference():
    """Random programs: eager, jit (several shapes, one compile) and, for every fourth
    program, the gradient agree with the NumPy reference. Each program runs in a worker
    process, so a crash is reported as that program's failure."""
    progs = [program_fuzz.generate(SEED, i) for i in range(COUNT)]
    grads = [i % 4 == 0 for i in range(COUNT)]
    results = program_fuzz.run_programs(progs, grads, jobs=1)
    failures = []
    for i, r in enumerate(results):
        for f in r["fails"][:1]:
            failures.append(f"program {i} ({f['stage']} {f['kind']}): {f['detail'][:200]}\n"
                            + progs[i].source())
    assert not failures, (f"{len(failures)} of {COUNT} programs failed; shrink one with "
                          f"program_fuzz.py --seed {SEED} --count {COUNT}\n\n"
                          + "\n".join(failures))
