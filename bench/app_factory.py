"""What building an app costs once the process has built one (the tests build one per test):
`create_app` as it is, its OpenAPI document written only when first read, against the same
with the document read at once (what every app cost while the document was written as each
blueprint was registered), in the same run. CPU seconds per app: the lower of two medians of
KT1_BENCH_RUNS apps (default 30), the two kinds interleaved, after a warm-up app. Prints one
JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask

from api.app import API_PREFIX, create_app
from inspection.config import Settings

RUNS = int(os.environ.get("KT1_BENCH_RUNS", "30"))


def cpu_median(build: Callable[[], Flask]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.process_time()
        build()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    instance = Path(tempfile.mkdtemp(prefix="kt1-bench-app-"))
    settings = Settings(env="test", instance_path=instance, database_url="sqlite://",
                        media_url=(instance / "media").as_uri())

    def documented() -> Flask:
        app = create_app(settings)
        app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec  # noqa: B018 (writes it)
        return app

    warm = create_app(settings)  # imports every blueprint; the document is written below
    document = warm.test_client().get(f"{API_PREFIX}/openapi.json").get_data()
    deferred, eager = [], []
    for _ in range(2):  # interleaved, so that a busy machine weighs on both alike
        deferred.append(cpu_median(lambda: create_app(settings)))
        eager.append(cpu_median(documented))
    same = create_app(settings).test_client().get(f"{API_PREFIX}/openapi.json").get_data()
    assert same == document, "the document differs between two apps of one process"
    result = {"bench": "app_factory", "runs": RUNS,
              "create_app_cpu_s": round(min(deferred), 4),
              "with_document_cpu_s": round(min(eager), 4),
              "with_document_over_create_app_ratio": round(min(eager) / min(deferred), 2),
              "document_bytes": len(document)}
    print(f"create_app: {result['create_app_cpu_s']} s of CPU; with its OpenAPI document "
          f"written: {result['with_document_cpu_s']} s "
          f"({result['with_document_over_create_app_ratio']}x)", flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
