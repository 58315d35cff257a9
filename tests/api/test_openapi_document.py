"""The OpenAPI document is written when it is first read, not while the app is built
(api/openapi.py): it still lists every operation, and it is the same for every app of the
process, whichever reads it first and however many threads read it at once."""

from __future__ import annotations

import re
import threading

from api.app import API_PREFIX, create_app

DOC = f"{API_PREFIX}/openapi.json"


def _read_doc(app) -> bytes:  # type: ignore[no-untyped-def]
    resp = app.test_client().get(DOC)
    assert resp.status_code == 200
    return resp.get_data()


def test_every_operation_of_the_api_is_in_the_document(settings):  # type: ignore[no-untyped-def]
    app = create_app(settings)
    paths = app.test_client().get(DOC).get_json()["paths"]
    smorest = app.extensions["flask-smorest"]["blp_name_to_api"]
    routed = {(re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.endpoint.split(".", 1)[0] in smorest
              for method in rule.methods or ()}
    documented = {(path, method) for path, item in paths.items() for method in item
                  if method != "parameters"}
    assert len(smorest) > 20 and len(documented) > 90
    # HEAD and OPTIONS are Flask's own answers unless a view documents them (the uploads').
    assert {op for op in routed if op[1] not in ("head", "options")} <= documented <= routed


def test_the_document_is_the_same_whichever_app_reads_it_first(settings):  # type: ignore[no-untyped-def]
    first, second = create_app(settings), create_app(settings)
    assert _read_doc(second) == _read_doc(first) == _read_doc(second)


def test_threads_reading_a_new_apps_document_at_once_all_get_it_whole(settings):  # type: ignore[no-untyped-def]
    expected = _read_doc(create_app(settings))
    app = create_app(settings)
    start = threading.Barrier(4)
    read: list[bytes] = []

    def reader() -> None:
        start.wait()
        read.append(_read_doc(app))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert read == [expected] * 4
