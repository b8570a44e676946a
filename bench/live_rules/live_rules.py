#!/usr/bin/env python3
"""Driver for bench/live_rules_bench.sh (docs/benchmarks.md, "Live rule changes").

Talks to one gpufleetd (started by the script on a fresh store, paused simulated clock) and
prints one JSON object on stdout. Python 3 standard library only.

  live_rules.py load    URL TOKEN_FILE --jobs N --gpus G --model M
      submits N jobs (each G GPUs of model M, no run time: they run until preempted) for the
      three internal demo tenants, round-robin, on 16 keep-alive connections, then waits
      until the scheduler has placed them all.
  live_rules.py enact   URL TOKEN_FILE CHANGE_FILE
      dry-runs CHANGE_FILE at the next midnight of the service clock (the affected jobs and
      accelerators), schedules it there, then times POST /v1/admin/clock/advance past that
      instant until /metrics counts every affected job preempted.
  live_rules.py dryrun  URL TOKEN_FILE CHANGE_FILE --reps R
      times R dry runs (POST /v1/rules/changes with dry_run true), each on a new connection.
"""

import argparse
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

DAY_MS = 86_400_000
TENANTS = ["llm-training", "chat-inference", "ads-reco"]


class Client:
    def __init__(self, url, token):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.conn = None

    def request(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        headers = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = None
            raise
        if resp.status >= 300:
            raise RuntimeError(f"{method} {path}: {resp.status} {raw[:500]!r}")
        return raw

    def json(self, method, path, body=None):
        return json.loads(self.request(method, path, body))

    def metrics(self):
        out = {}
        for line in self.request("GET", "/metrics").decode().splitlines():
            if line.startswith("#") or not line:
                continue
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
        return out


def metric_sum(metrics, prefix):
    return sum(v for k, v in metrics.items() if k == prefix or k.startswith(prefix + "{"))


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def load(args, token):
    per_thread = [args.jobs // 16 + (1 if t < args.jobs % 16 else 0) for t in range(16)]
    errors = []

    def submit(t):
        c = Client(args.url, token)
        try:
            for i in range(per_thread[t]):
                c.request("POST", "/v1/jobs", {"tenant": TENANTS[(t + i) % 3],
                                               "name": f"live-{t}-{i}", "gpus": args.gpus,
                                               "models": [args.model]})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(str(e))

    began = time.perf_counter()
    threads = [threading.Thread(target=submit, args=(t,)) for t in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        sys.exit("submission failed: " + errors[0])
    submitted = time.perf_counter() - began
    c = Client(args.url, token)
    while True:
        m = c.metrics()
        if metric_sum(m, "gpufleet_queue_depth") == 0 and \
                m.get("gpufleet_placements_total", 0) >= args.jobs:
            break
        if time.perf_counter() - began > 600:
            sys.exit(f"jobs not all placed after 600 s: {metric_sum(m, 'gpufleet_queue_depth')} pending")
        time.sleep(0.2)
    print(json.dumps({"jobs": args.jobs, "gpus": args.gpus, "model": args.model,
                      "submit_s": round(submitted, 2),
                      "all_running_s": round(time.perf_counter() - began, 2)}))


def change_text(path, effective_ms):
    text = open(path, encoding="utf-8").read()
    day = time.strftime("%Y-%m-%d", time.gmtime(effective_ms / 1000))
    return re.sub(r"effective_from: \d{4}-\d{2}-\d{2}", "effective_from: " + day, text)


def next_midnight(c):
    now = c.json("GET", "/v1/admin/clock")["now_ms"]
    return now, (now // DAY_MS + 1) * DAY_MS


def impact_summary(report):
    """What an impact report (compliance::ImpactJson) says, without its long lists."""
    return {"date": report["date"], "assets_checked": report["assets_checked"],
            "became_violation": report["total"]["became_violation"],
            "jobs_losing_placement": report["jobs_losing_placement"],
            "gpus_losing_placement": report["gpus_losing_placement"]}


def models_gpus(c, model):
    for m in c.json("GET", "/v1/models")["models"]:
        if m["id"] == model:
            return m["gpus"]
    return 0


def site_gpus(c, model, country):
    total = 0
    for s in c.json("GET", "/v1/sites")["sites"]:
        if s["country"] != country:
            continue
        for m in s["models"]:
            if m["model"] == model:
                total += m["gpus"]
    return total


def enact(args, token):
    c = Client(args.url, token)
    now, effective = next_midnight(c)
    text = change_text(args.change, effective)
    began = time.perf_counter()
    impact = c.json("POST", "/v1/rules/changes", {"change": text, "name": "h20-licence",
                                                  "effective_at": iso(effective),
                                                  "dry_run": True})
    dry_s = time.perf_counter() - began
    summary = impact_summary(impact)
    view = c.json("POST", "/v1/rules/changes", {"change": text, "name": "h20-licence",
                                                "effective_at": iso(effective)})
    # A change is scheduled ahead of its time: let the rebuild its ledger entry causes finish,
    # and the scheduler's rebuild spacing (4x the last rebuild's cost, at least 1 s) pass,
    # before the clock crosses the effective instant.
    versions = c.metrics().get("gpufleet_fleet_versions_total", 0)
    waited = time.perf_counter()
    while c.metrics().get("gpufleet_fleet_versions_total", 0) == versions and \
            time.perf_counter() - waited < 30:
        time.sleep(0.05)
    time.sleep(args.settle)
    model_before = models_gpus(c, args.model)
    cn_before = site_gpus(c, args.model, "CN")
    m0 = c.metrics()
    pre0 = m0.get("gpufleet_preemptions_total", 0)
    store_key = 'gpufleet_store_commit_seconds_{}{{op="schedule"}}'
    store0 = [m0.get(store_key.format(k), 0) for k in ("sum", "count")]
    passes0 = m0.get("gpufleet_scheduling_pass_seconds_count", 0)
    pass_sum0 = m0.get("gpufleet_scheduling_pass_seconds_sum", 0)
    expected = args.expect_jobs or summary["jobs_losing_placement"]
    by = f"{effective - now + 60_000}ms"  # a minute past the effective instant
    poll = Client(args.url, token)
    poll.metrics()  # the polling connection is open before the clock starts
    t0 = time.perf_counter()
    c.request("POST", "/v1/admin/clock/advance", {"by": by})
    t_ack = time.perf_counter()
    polls = 0
    while True:
        m = poll.metrics()
        polls += 1
        if m.get("gpufleet_preemptions_total", 0) - pre0 >= expected:
            t1 = time.perf_counter()
            break
        if time.perf_counter() - t0 > 120:
            sys.exit(f"only {m.get('gpufleet_preemptions_total', 0) - pre0} of {expected} "
                     "preempted after 120 s")
        time.sleep(0.002)
    m1 = m
    # What the change did, read back after the timed interval.
    model_after = models_gpus(c, args.model)
    cn_after = site_gpus(c, args.model, "CN")
    reasons = {}
    after = ""
    while True:
        q = "/v1/jobs?limit=1000" + (f"&after={after}" if after else "")
        page = c.json("GET", q)
        for j in page["jobs"]:
            r = j.get("last_preemption_reason") or ""
            if "quarantined by CN-BENCH-H20-LICENCE" in r:
                reasons["quarantined_by_change"] = reasons.get("quarantined_by_change", 0) + 1
            elif r:
                reasons["other"] = reasons.get("other", 0) + 1
        if page["next"] is None:
            break
        after = page["next"]
    print(json.dumps({
        "change_id": view.get("id"), "effective_at": iso(effective), "advance_by": by,
        "dry_run_s": round(dry_s, 3), "impact": summary,
        "expected_preemptions": expected,
        "advance_ack_ms": round(1000 * (t_ack - t0), 1),
        "all_preempted_ms": round(1000 * (t1 - t0), 1),
        "polls": polls,
        "preempted": m1.get("gpufleet_preemptions_total", 0) - pre0,
        "passes": m1.get("gpufleet_scheduling_pass_seconds_count", 0) - passes0,
        "pass_seconds": round(m1.get("gpufleet_scheduling_pass_seconds_sum", 0) - pass_sum0, 3),
        # The scheduler's writes in the interval (ApplySchedule, in chunks of 256 decisions).
        "schedule_writes": m1.get(store_key.format("count"), 0) - store0[1],
        "schedule_write_s": round(m1.get(store_key.format("sum"), 0) - store0[0], 3),
        "model_gpus_before_after": [model_before, model_after],
        "cn_model_gpus_before_after": [cn_before, cn_after],
        "job_reasons": reasons,
    }))


def dryrun(args, token):
    c = Client(args.url, token)
    now, effective = next_midnight(c)
    text = change_text(args.change, effective)
    times, summary, size = [], None, 0
    for _ in range(args.reps):
        fresh = Client(args.url, token)
        began = time.perf_counter()
        raw = fresh.request("POST", "/v1/rules/changes", {"change": text, "name": "h20-licence",
                                                          "effective_at": iso(effective),
                                                          "dry_run": True})
        times.append(round(time.perf_counter() - began, 3))
        report = json.loads(raw)
        summary, size = impact_summary(report), len(raw)
    print(json.dumps({"effective_at": iso(effective), "dry_run_s": times,
                      "response_bytes": size, "impact": summary}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["load", "enact", "dryrun"])
    p.add_argument("url")
    p.add_argument("token_file")
    p.add_argument("change", nargs="?")
    p.add_argument("--jobs", type=int, default=12000)
    p.add_argument("--gpus", type=float, default=0.25)
    p.add_argument("--model", default="nvidia-h20-96gb")
    p.add_argument("--expect-jobs", type=int, default=0,
                   help="preemptions to wait for (default: the dry run's jobs_losing_placement)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--settle", type=float, default=3.0,
                   help="seconds between the change's own rebuild and the clock's advance")
    args = p.parse_args()
    token = open(args.token_file, encoding="utf-8").read().strip()
    {"load": load, "enact": enact, "dryrun": dryrun}[args.mode](args, token)


if __name__ == "__main__":
    main()
