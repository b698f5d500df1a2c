"""Schemathesis hook: signs every request to /api/v1/ (result downloads aside) with the API key
in $VIDEOGENX_KEY_FILE, exactly as the server checks it (scripts/request_signing.py)."""

import json
import os
import sys

import requests
import schemathesis

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from request_signing import signed_headers  # noqa: E402

with open(os.environ["VIDEOGENX_KEY_FILE"], encoding="utf-8") as handle:
    KEY = json.load(handle)
BASE_URL = os.environ["VIDEOGENX_BASE_URL"]
TRANSPORT_ARGUMENTS = ("method", "url", "headers", "params", "data", "json", "files", "cookies")


@schemathesis.hook
def before_call(context, case, kwargs):
    # Every API route takes a signed key, but result downloads (their own presigned signature).
    if not case.path.startswith("/api/v1/") or case.path.startswith("/api/v1/objects/"):
        return
    arguments = case.as_transport_kwargs(base_url=BASE_URL)
    prepared = requests.Request(**{name: arguments[name] for name in TRANSPORT_ARGUMENTS if name in arguments}).prepare()
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    case.headers = {**(case.headers or {}), **signed_headers(KEY, prepared.method, prepared.path_url, body)}
