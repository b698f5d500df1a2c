#!/usr/bin/env python3
"""The fault drill (make drill) against the one-machine cluster of scripts/cluster.sh.

Bounded traffic — TASKS short clips from 3 users, each with a callback to a local receiver,
submitted across both api nodes with an Idempotency-Key (a retried submission must never make
a second task) — while, in turn: a worker is kill -9'd mid-render (then restarted), the other is
SIGSTOPped past its lease and resumed, an api node is killed and restarted, PostgreSQL is
restarted, Redis is restarted, and the S3 server is stopped (SIGSTOP) for 20 s.

Ends with one line
  drill: N accepted, N succeeded, 0 lost, 0 duplicated, 0 unexpected 5xx, callbacks N/N
and exits non-zero on any loss, duplicate (a second task for one submission, two completions
for a task, a stray result object), unexpected 5xx (anything but 503, the documented "retry"),
or a missing/duplicated callback. Writes the full report (timeline of faults, the tasks each
hit, latencies) to --report. Standard library only, except boto3 (.venv-s3) to list the bucket.
"""
import argparse
import http.server
import json
import os
import pathlib
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts"))
from request_signing import signed_headers  # noqa: E402

TERMINAL = {"succeeded", "failed", "cancelled"}
USERS = ["drill-ana", "drill-bo", "drill-cy"]


def env_file(path):
    values = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key] = value.strip("'")
    return values


class Log:
    """Thread-safe counters and events of the run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = {}
        self.unexpected = []
        self.events = []
        self.start = time.monotonic()

    def now(self):
        return time.monotonic() - self.start

    def status(self, what, code, detail=""):
        with self.lock:
            self.statuses[code] = self.statuses.get(code, 0) + 1
            if code >= 500 and code != 503:
                self.unexpected.append(f"{self.now():7.1f}s {what}: {code} {detail[:200]}")

    def event(self, text):
        with self.lock:
            self.events.append((self.now(), text))
        print(f"drill {self.now():6.1f}s {text}", flush=True)


class Client:
    """Signed requests (DESIGN §9) to the api nodes, failing over between them."""

    def __init__(self, key, nodes, log):
        self.key, self.nodes, self.log = key, nodes, log

    def request(self, method, path, body=None, headers=None, node=None):
        data = b"" if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            (node or random.choice(self.nodes)) + path, data=data if body is not None else None, method=method,
            headers={**signed_headers(self.key, method, path, data), "Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, {"message": text}


class Receiver(http.server.ThreadingHTTPServer):
    """Records every callback: task id, webhook-id, type."""

    def __init__(self):
        self.deliveries = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(handler):
                body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
                try:
                    payload = json.loads(body)
                    with self.lock:
                        self.deliveries.append((payload["data"]["task_id"], handler.headers.get("webhook-id"), payload["type"]))
                except (ValueError, KeyError):
                    pass
                handler.send_response(200)
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cluster-dir", default=".cluster")
    parser.add_argument("--bin", default=".build/debug/videogenx")
    parser.add_argument("--tasks", type=int, default=60)
    # 0.4 s: submissions outpace the two workers through the first faults, so each fault finds
    # several tasks queued or rendering (at 1.2 s the queue stayed nearly empty: 1-2 in flight).
    parser.add_argument("--interval", type=float, default=0.4, help="seconds between submissions")
    parser.add_argument("--report", default="docs/reliability.md")
    args = parser.parse_args()
    cluster = pathlib.Path(args.cluster_dir).resolve()
    ports, config = env_file(cluster / "ports.env"), env_file(cluster / "cluster.env")
    nodes = [f"http://127.0.0.1:{ports['API_1_PORT']}", f"http://127.0.0.1:{ports['API_2_PORT']}"]
    log = Log()

    def cluster_sh(*words):
        subprocess.run(["bash", "scripts/cluster.sh", *words], check=True, env={**os.environ, "CLUSTER_DIR": str(cluster)},
                       stdout=subprocess.DEVNULL)

    # Keys made with the CLI, in the cluster's store.
    clients = []
    for user in USERS:
        key_file = cluster / f"{user}.json"
        subprocess.run([args.bin, "keys", "create", "--user", user, "--tier", "paid", "--output", str(key_file)],
                       check=True, env={**os.environ, **config}, stdout=subprocess.DEVNULL)
        clients.append(Client(json.loads(key_file.read_text()), nodes, log))

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    callback_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"

    accepted = {}       # task id -> (user, submitted at, idempotency key)
    finished = {}       # task id -> (status, seen at, error)
    submit_latency = []
    plan = [(clients[i % 3], USERS[i % 3], f"drill-{i:03d}-{secrets.token_hex(4)}") for i in range(args.tasks)]
    state_lock = threading.Lock()
    submitting_done = threading.Event()

    def submit_all():
        for index, (client, user, key) in enumerate(plan):
            body = {"text": f"drill clip {index}: a lighthouse at dusk", "priority": 2, "callback_url": callback_url,
                    "params": {"resolution": "720P", "fps": 24, "duration": 1, "steps": 2, "seed": index}}
            began = time.monotonic()
            for attempt in range(40):
                node = nodes[(index + attempt) % 2]
                try:
                    status, reply = client.request("POST", "/api/v1/video/generate", body, {"Idempotency-Key": key}, node=node)
                except OSError as error:  # a node being killed: refused or reset; try the other
                    log.status("submit", 0, str(error))
                    time.sleep(0.5)
                    continue
                log.status("submit", status, json.dumps(reply))
                if status in (200, 202):
                    with state_lock:
                        accepted[reply["data"]["task_id"]] = (user, time.monotonic(), key)
                    submit_latency.append(time.monotonic() - began)
                    break
                if 400 <= status < 500 and status != 429:
                    log.event(f"submission {index} refused: {status} {reply.get('message', '')}")
                    break
                time.sleep(1 if status == 503 else 0.5)
            else:
                log.event(f"submission {index} never accepted")
            time.sleep(args.interval)
        submitting_done.set()

    def poll():
        while True:
            with state_lock:
                pending = [(task, accepted[task][0]) for task in accepted if task not in finished]
            if submitting_done.is_set() and not pending:
                return
            for task, user in pending:
                client = clients[USERS.index(user)]
                try:
                    status, reply = client.request("GET", f"/api/v1/video/task/{task}")
                except OSError as error:
                    log.status("status", 0, str(error))
                    continue
                log.status("status", status, json.dumps(reply))
                if status == 200 and reply["data"]["status"] in TERMINAL:
                    with state_lock:
                        finished[task] = (reply["data"]["status"], time.monotonic(), reply["data"].get("error"))
            time.sleep(1)

    def in_flight():
        with state_lock:
            return sorted(task for task in accepted if task not in finished)

    def running_on(port):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                text = response.read().decode()
        except OSError:
            return 0
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("videogenx_device_running_tasks"))

    def wait_busy(port, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if running_on(port) > 0:
                return True
            time.sleep(0.2)
        return False

    faults = []

    def fault(name, action):
        hit = in_flight()
        began = log.now()
        log.event(f"fault: {name} (tasks in flight: {len(hit)})")
        action()
        faults.append((began, log.now(), name, hit))

    submitter = threading.Thread(target=submit_all, daemon=True)
    poller = threading.Thread(target=poll, daemon=True)
    submitter.start()
    poller.start()
    lease = float(config.get("VIDEOGENX_WORKER_LEASE_SECONDS", "6"))

    busy = wait_busy(ports["WORKER_1_PORT"])
    fault("kill -9 worker-1 mid-render" + ("" if busy else " (it was idle)"),
          lambda: (cluster_sh("kill", "worker-1"), time.sleep(2), cluster_sh("start", "worker-1")))
    busy = wait_busy(ports["WORKER_2_PORT"])
    fault(f"SIGSTOP worker-2 for {lease + 4:.0f} s (lease {lease:.0f} s), then SIGCONT" + ("" if busy else " (it was idle)"),
          lambda: (cluster_sh("pause", "worker-2"), time.sleep(lease + 4), cluster_sh("resume", "worker-2")))
    time.sleep(3)
    fault("kill -9 api-1, restart it", lambda: (cluster_sh("kill", "api-1"), time.sleep(2), cluster_sh("start", "api-1")))
    time.sleep(3)
    fault("restart PostgreSQL", lambda: cluster_sh("restart", "postgres"))
    time.sleep(3)
    fault("restart Redis", lambda: cluster_sh("restart", "redis"))
    time.sleep(3)
    fault("stop the S3 server for 20 s (SIGSTOP), then SIGCONT",
          lambda: (cluster_sh("pause", "s3"), time.sleep(20), cluster_sh("resume", "s3")))

    submitter.join()
    deadline = time.monotonic() + 300
    while poller.is_alive() and time.monotonic() < deadline:
        poller.join(timeout=1)
    time.sleep(6)  # late callbacks (retries back off up to 4 s here)
    log.event("traffic done")

    # Checks.
    succeeded = [task for task, (status, _, _) in finished.items() if status == "succeeded"]
    not_succeeded = {task: finished.get(task, ("still pending", 0, None)) for task in accepted if task not in succeeded}
    lost = len(not_succeeded) + (args.tasks - len(accepted))
    duplicates = []
    for client, user in zip(clients, USERS):
        status, reply = client.request("GET", "/api/v1/video/tasks?limit=100")
        mine = [t["task_id"] for t in reply["data"]["tasks"]]
        expected = [t for t, (u, _, _) in accepted.items() if u == user]
        if sorted(mine) != sorted(expected):
            duplicates.append(f"{user}: the store has {len(mine)} tasks for {len(expected)} accepted submissions")
    by_task = {}
    for task, webhook, kind in receiver.deliveries:
        by_task.setdefault(task, set()).add((webhook, kind))
    for task, deliveries in by_task.items():
        terminal = {webhook for webhook, kind in deliveries if kind.split(".")[-1] in TERMINAL}
        if len(terminal) > 1:
            duplicates.append(f"{task}: {len(terminal)} different terminal callbacks (two completions)")
    import boto3  # .venv-s3
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{ports['S3_PORT']}", region_name="us-east-1",
                      aws_access_key_id=config["AWS_ACCESS_KEY_ID"], aws_secret_access_key=config["AWS_SECRET_ACCESS_KEY"])
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="vgx-cluster", Prefix="videos/"):
        for item in page.get("Contents", []):
            objects.setdefault(item["Key"].split("/")[1], []).append(item["Key"].split("/", 2)[2])
    for task, names in objects.items():
        if task not in accepted:
            duplicates.append(f"stray result objects for unknown task {task}: {names}")
        elif sorted(names) != ["thumbnail.webp", "video.mp4"]:
            duplicates.append(f"{task}: result objects {sorted(names)}")
    missing_objects = [task for task in succeeded if task not in objects]
    called_back = [task for task in succeeded if task in by_task]
    unexpected = list(log.unexpected)

    end_to_end = sorted(finished[t][1] - accepted[t][1] for t in succeeded)
    line = (f"drill: {len(accepted)} accepted, {len(succeeded)} succeeded, {lost} lost, {len(duplicates)} duplicated, "
            f"{len(unexpected)} unexpected 5xx, callbacks {len(called_back)}/{len(succeeded)}")
    ok = (lost == 0 and not duplicates and not unexpected and len(called_back) == len(succeeded) and not missing_objects
          and len(accepted) == args.tasks)

    def pct(values, q):
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    report = [
        "# Reliability: the fault drill", "",
        "`make cluster && make drill && make cluster-down` (scripts/cluster.sh, tools/cluster/drill.py): "
        f"{args.tasks} clips (720P, 1 s, 2 steps) from {len(USERS)} users, each with a callback, submitted one every "
        f"{args.interval:g} s across two api nodes with an Idempotency-Key, on PostgreSQL, Redis and an S3 server (moto), two workers "
        f"(lease {lease:.0f} s), while the faults below happen one after another.", "",
        f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {log.now():.0f} s:", "",
        "```", line, "```", "",
        "## Faults", "", "| start | end | fault | tasks in flight when it began |", "|---:|---:|---|---|",
    ]
    for began, ended, name, hit in faults:
        shown = ", ".join(f"`{t[-8:]}`" for t in hit[:12]) + (f" … ({len(hit)})" if len(hit) > 12 else f" ({len(hit)})")
        report.append(f"| {began:.1f} s | {ended:.1f} s | {name} | {shown if hit else 'none'} |")
    report += [
        "", "## Answers and latencies", "",
        f"- HTTP answers seen by the drill (submissions and status reads; 0 = connection refused or reset while a node was down): "
        + ", ".join(f"{code}: {count}" for code, count in sorted(log.statuses.items())),
        f"- 503 is the documented \"retry\" answer (store unreachable, `Retry-After`); any other 5xx is unexpected: {len(unexpected)}",
        f"- submission latency, retries included: p50 {pct(sorted(submit_latency), 0.5) * 1000:.0f} ms, "
        f"p99 {pct(sorted(submit_latency), 0.99) * 1000:.0f} ms, max {max(submit_latency, default=0) * 1000:.0f} ms",
        f"- accepted → succeeded: p50 {pct(end_to_end, 0.5):.1f} s, p95 {pct(end_to_end, 0.95):.1f} s, max {max(end_to_end, default=0):.1f} s",
        f"- callbacks: {len(receiver.deliveries)} deliveries for {len(by_task)} tasks (retries of one delivery keep its webhook-id)",
        "", "## Timeline", "",
    ] + [f"- {at:.1f} s: {text}" for at, text in log.events]
    if not ok:
        report += ["", "## Problems", ""] + [f"- {p}" for p in duplicates + unexpected] + \
            [f"- {task}: {state}" for task, state in not_succeeded.items()] + [f"- no result objects for {task}" for task in missing_objects]
    pathlib.Path(args.report).write_text("\n".join(report) + "\n")
    print(line, flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
