"""Schemathesis hook: signs every request to /api/v1/video and /api/v1/webhooks with the API key
in $VIDEOGENX_KEY_FILE, exactly as the server checks it (README "Authentication"):
lowercase hex HMAC-SHA256 of METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(SHA256(body))."""

import hashlib
import hmac
import json
import os
import secrets
import time

import requests
import schemathesis

with open(os.environ["VIDEOGENX_KEY_FILE"], encoding="utf-8") as handle:
    KEY = json.load(handle)
BASE_URL = os.environ["VIDEOGENX_BASE_URL"]
TRANSPORT_ARGUMENTS = ("method", "url", "headers", "params", "data", "json", "files", "cookies")


@schemathesis.hook
def before_call(context, case, kwargs):
    if not case.path.startswith(("/api/v1/video", "/api/v1/webhooks")):
        return
    arguments = case.as_transport_kwargs(base_url=BASE_URL)
    prepared = requests.Request(**{name: arguments[name] for name in TRANSPORT_ARGUMENTS if name in arguments}).prepare()
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    timestamp = str(int(time.time()))
    nonce = secrets.token_urlsafe(18)
    canonical = "\n".join([prepared.method, prepared.path_url, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    signature = hmac.new(KEY["secret"].encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()
    case.headers = {
        **(case.headers or {}),
        "X-Api-Key": KEY["key_id"],
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": signature,
    }
