"""botocore's own S3 SigV4 signatures for a table of requests: the reference the Swift signer is
checked against. Reads a JSON list on stdin, each case:
  {"method", "url" (path already encoded as sent), "params": [[name, value], ...] (not encoded),
   "headers": {name: value}, "body_hex" (signed payload) or "unsigned": true (https only),
   "timestamp": "YYYYmmddTHHMMSSZ", "region",
   "access_key", "secret_key", "token" (or null), "expires" (presigned when present)}
and prints a JSON list: the Authorization header, or the presigned URL's X-Amz-Signature."""
import datetime
import json
import sys
import types
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

answers = []
for case in json.load(sys.stdin):
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    when = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    headers = dict(case.get("headers", {}))
    request = AWSRequest(method=case["method"], url=case["url"], headers=headers, params=[tuple(p) for p in case.get("params") or []])
    if case.get("body_hex") is not None:
        request.data = bytes.fromhex(case["body_hex"])
    if case.get("unsigned"):
        # S3 over https may leave the body unsigned (UNSIGNED-PAYLOAD), as a streamed upload does.
        request.context["client_config"] = types.SimpleNamespace(s3={"payload_signing_enabled": False})
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        if case.get("expires") is not None:
            S3SigV4QueryAuth(credentials, "s3", case["region"], expires=case["expires"]).add_auth(request)
            answers.append(parse_qs(urlsplit(request.url).query)["X-Amz-Signature"][0])
        else:
            S3SigV4Auth(credentials, "s3", case["region"]).add_auth(request)
            answers.append(request.headers["Authorization"])
print(json.dumps(answers))
