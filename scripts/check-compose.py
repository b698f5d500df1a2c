#!/usr/bin/env python3
"""Checks deploy/compose/compose.yaml for what checkov has no policy for (it has no Compose
framework): every VideoGenX container runs read-only, as UID 10001, with all capabilities
dropped and no-new-privileges; every long-running service has a health check; every depends_on
names a condition; published ports bind to loopback; secrets come from the env file or compose
secrets, never literals; the volumes are named. Exits non-zero naming each problem.
"""
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
compose = yaml.safe_load((ROOT / "deploy" / "compose" / "compose.yaml").read_text())
problems = []
one_shot = {"minio-bucket", "migrate"}
secret_words = ("PASSWORD", "SECRET", "TOKEN")
expected = {"postgres", "redis", "minio", "api", "worker", "prometheus", "grafana", "alertmanager", "jaeger"}
missing = expected - set(compose["services"])
if missing:
    problems.append(f"services missing: {sorted(missing)}")
for name, service in compose["services"].items():
    image = str(service.get("image", ""))
    if image.endswith(":latest") or (":" not in image and "build" not in service):
        problems.append(f"{name}: image {image!r} has no pinned tag")
    if image.startswith("videogenx"):
        if service.get("read_only") is not True:
            problems.append(f"{name}: not read_only")
        if service.get("user") != "10001:10001":
            problems.append(f"{name}: does not run as 10001:10001")
        if service.get("cap_drop") != ["ALL"]:
            problems.append(f"{name}: capabilities not dropped")
        if "no-new-privileges:true" not in service.get("security_opt", []):
            problems.append(f"{name}: no-new-privileges not set")
    if name not in one_shot and "healthcheck" not in service:
        problems.append(f"{name}: no healthcheck")
    for dependency, condition in (service.get("depends_on") or {}).items():
        if not isinstance(condition, dict) or "condition" not in condition:
            problems.append(f"{name}: depends_on {dependency} without a condition")
    for port in service.get("ports", []):
        if not str(port).startswith("127.0.0.1:"):
            problems.append(f"{name}: port {port} is published beyond loopback")
    environment = service.get("environment") or {}
    for key, value in environment.items():
        if any(word in key for word in secret_words) and not key.endswith("_FILE") and value not in ("false", "true"):
            problems.append(f"{name}: {key} is set literally; put it in .env or a secret")
for volume in compose.get("volumes", {}):
    if not volume.isidentifier():
        problems.append(f"volume {volume!r} is not a plain name")
if problems:
    sys.exit("check-compose:\n  " + "\n  ".join(problems))
print(f"check-compose: {len(compose['services'])} services ok")
