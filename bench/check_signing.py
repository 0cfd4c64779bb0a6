"""What signing adds to filing a check record: CPU per record for the SM2 signature, the SM3
digest and Merkle leaf, and SM2 verification, beside the baseline the filing did before (one
SHA-256 of the content), in the same run on a check-record-sized content (4 KB of JSON).

CPU time (process_time), not wall time, so other load on a shared machine does not count.
Run: .venv/bin/python bench/check_signing.py [--n 500]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from credit.checks import merkle
from credit.checks.signing import ALGORITHM, Signer, sha256_hex, sm3_hex, verify


def cpu_ms(fn: Callable[[], object], n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    n = parser.parse_args().n
    signer = Signer.generate()
    content = json.dumps({"result": "x" * 4000}).encode()
    signature = signer.sign(content)
    public = signer.public_key.hex()
    rows = {
        "baseline: SHA-256 of the content": cpu_ms(lambda: sha256_hex(content), n),
        "SM3 digest + Merkle leaf hash": cpu_ms(
            lambda: (sm3_hex(content), merkle.leaf_hash(content)), n
        ),
        "SM2 sign (gmssl-pyx)": cpu_ms(lambda: signer.sign(content), n),
        "SM2 verify (gmssl-pyx)": cpu_ms(lambda: verify(ALGORITHM, public, content, signature), n),
    }
    for name, ms in rows.items():
        print(f"{name:40s} {ms:8.3f} ms CPU per record")


if __name__ == "__main__":
    main()
