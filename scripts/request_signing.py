"""VideoGenX request signing for the project's Python tools (the fuzz hook, the fault drill):
lowercase hex HMAC-SHA256 of METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(SHA256(body)), sent
in X-Api-Key / X-Timestamp / X-Nonce / X-Signature, exactly as the server checks it
(README "Authentication"). Standard library only."""

import hashlib
import hmac
import secrets
import time


def signed_headers(key, method, path_url, body=b""):
    """The four authentication headers for one request with `key` ({"key_id", "secret"})."""
    timestamp, nonce = str(int(time.time())), secrets.token_urlsafe(18)
    canonical = "\n".join([method, path_url, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    signature = hmac.new(key["secret"].encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()
    return {"X-Api-Key": key["key_id"], "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": signature}
