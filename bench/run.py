#!/usr/bin/env python3
"""`make bench`: measures the appliance through nginx next to a trivial FastCGI responder's ceiling.

Starts nginx and the release binaries on loopback, creates its own accounts and sessions, runs
bounded wrk scenarios (and a small threaded client for full sign-ins), prints one table and writes
bench/results.json. Every load is bounded in time; everything started is stopped.
"""
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(os.environ.get("APPLIANCE_BIN", ROOT / ".build/release/appliance"))
CEILING = Path(os.environ.get("CEILING_BIN", ROOT / ".build/release/fcgi-ceiling"))
DURATION = int(os.environ.get("BENCH_SECONDS", "6"))
# Each wrk scenario alternates with the ceiling in this many slices of DURATION / SLICES seconds.
SLICES = int(os.environ.get("BENCH_SLICES", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "64"))
KEEPALIVE = int(os.environ.get("BENCH_KEEPALIVE", "8"))
TICKETS = int(os.environ.get("BENCH_TICKETS", "60000"))
PASSWORD = "Quiet-River-Stone-42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid, field="VmRSS"):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


class PeakRSS:
    """Samples a process's resident memory while a scenario runs."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def wrk(url, headers=(), duration=DURATION, connections=CONNECTIONS, paths=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    env = dict(os.environ)
    if paths:
        command += ["-s", str(ROOT / "bench/paths.lua")]
        env.update(PATHS=str(paths), THREADS="2")
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 30, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(p):
        match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    if paths and non2xx:
        # The list ran out before the time did, and the requests past its end answered 404. Counting only the real
        # ones over the whole duration understates the rate: the bench prints a warning, and BENCH_TICKETS fixes it.
        total = int(re.search(r"(\d+) requests in", out).group(1))
        rps = rps * (total - int(non2xx.group(1))) / total
    return {"rps": round(rps, 1), "p50_ms": round(percentile(50), 3), "p99_ms": round(percentile(99), 3),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(0) if errors else ""}


class Stack:
    """nginx in front of one FastCGI process, both on loopback."""

    def __init__(self, workdir, command, socket_path):
        self.workdir, self.port = workdir, free_port()
        conf = subprocess.run([str(ROOT / "scripts/nginx-dev.sh"), str(workdir / "nginx"), str(self.port), str(socket_path), "1", "off", str(KEEPALIVE)],
                              check=True, capture_output=True, text=True).stdout.strip()
        self.started = time.monotonic()
        self.app = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(workdir / "app.log", "ab"))
        self.nginx = subprocess.Popen(["nginx", "-p", str(workdir / "nginx"), "-c", conf, "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=open(workdir / "nginx.log", "ab"))
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, path):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + path, timeout=1).status_code == 200:
                    return (time.monotonic() - self.started) * 1000
            except requests.RequestException:
                pass
            time.sleep(0.002)
        raise RuntimeError("not ready: " + str(self.workdir))

    def stop(self):
        for proc in (self.nginx, self.app):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def sign_in(base, email, ip):
    session = requests.Session()
    session.headers["X-Forwarded-For"] = ip
    html = session.get(base + "/login?change=1").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    response = session.post(base + "/login", data={"email": email, "password": PASSWORD, "method": "password", "csrf": csrf},
                            allow_redirects=False)
    assert response.status_code == 303, response.status_code
    return session


def split_paths(path, parts):
    """The path list cut into `parts` files in order, one per slice of a scenario: each ticket is used once."""
    lines = path.read_text().splitlines(keepends=True)
    size = -(-len(lines) // parts)
    files = []
    for i in range(parts):
        part = path.with_name(f"{path.stem}.{i}{path.suffix}")
        part.write_text("".join(lines[i * size:(i + 1) * size]))
        files.append(part)
    return files


def make_tickets(base, cookie, service, count, workdir):
    """Service tickets made the way a browser gets them (/login?service=… with an SSO session), by wrk in rounds
    of a few seconds until there are `count`, written as validation paths for wrk."""
    from urllib.parse import quote
    out = workdir / "issued"
    url = f"{base}/login?service={quote(service, safe='')}"
    tickets = []
    for _ in range(20):
        for part in workdir.glob("issued.*"):
            part.unlink()
        run = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", "-d4s", "--timeout", "5s", "-s", str(ROOT / "bench/tickets.lua"),
                              "-H", f"Cookie: {cookie}", "-H", "X-Forwarded-For: 10.6.0.1", url],
                             capture_output=True, text=True, timeout=60, env=dict(os.environ, TICKETS_OUT=str(out)))
        tickets += [line for part in sorted(workdir.glob("issued.*")) for line in part.read_text().split()]
        if len(tickets) >= count:
            break
    if len(tickets) < count:
        raise RuntimeError(f"only {len(tickets)} of {count} tickets issued: {run.stdout} {run.stderr}")
    path = workdir / "tickets.txt"
    path.write_text("".join(f"/serviceValidate?service={quote(service, safe='')}&ticket={t}\n" for t in tickets))
    return path


class LeanClient:
    """A keep-alive HTTP/1.1 client with a cookie jar of its own, far cheaper per request than `requests`: on a
    2-core machine the load client's CPU is taken from the hashing being measured."""

    def __init__(self, base, ip):
        import http.client
        from urllib.parse import urlparse
        self.conn = http.client.HTTPConnection(urlparse(base).hostname, urlparse(base).port, timeout=30)
        self.ip, self.cookies = ip, {}

    def request(self, method, path, form=None):
        from urllib.parse import urlencode
        headers = {"X-Forwarded-For": self.ip, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), data


def password_signins(base, emails, seconds, service):
    """Full sign-ins for a CAS service, as a browser and the service do them: load the form, post the e-mail, post the
    password (→ a ticket in the redirect), and validate the ticket; from more clients than cores, so hashing never waits."""
    from urllib.parse import quote
    begun = time.monotonic()
    count, lock, stop = [0], threading.Lock(), begun + seconds
    latencies, failures = [], [0]
    login = "/login?service=" + quote(service, safe="")

    def worker(index):
        email = emails[index]
        while time.monotonic() < stop:
            started = time.monotonic()
            client = LeanClient(base, f"10.9.{index}.1")
            _, _, html = client.request("GET", login + "&change=1")
            csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
            client.request("POST", login, {"email": email, "service": service, "csrf": csrf})
            status, location, _ = client.request(
                "POST", login, {"email": email, "password": PASSWORD, "method": "password", "service": service, "csrf": csrf})
            ticket = (location or "").partition("ticket=")[2]
            validator = LeanClient(base, "10.9.250.1")
            _, _, answer = validator.request("GET", f"/serviceValidate?service={quote(service, safe='')}&ticket={ticket}")
            with lock:
                if status == 303 and ticket and "authenticationSuccess" in answer:
                    count[0] += 1
                    latencies.append((time.monotonic() - started) * 1000)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(emails))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    # Sign-ins begun before the stop finish after it: the rate is over the time until the last one ended.
    elapsed = time.monotonic() - begun
    return {"rps": round(count[0] / elapsed, 1), "count": count[0], "elapsed_s": round(elapsed, 2), "latencies": latencies,
            "failed": failures[0]}


def symbol_order_coverage():
    """The share of linking/symbol-order.txt that the binary still defines. The list names the functions a server
    runs, so that the linker puts them together; names change with the code they name, and functions that lost
    their place are spread out again (more resident memory, slower start) until `make symbol-order` records them."""
    listed = (ROOT / "linking/symbol-order.txt").read_text().split()
    symbols = subprocess.run(["nm", "--defined-only", str(BIN)], capture_output=True, text=True, check=True).stdout
    defined = {line.rsplit(" ", 1)[-1] for line in symbols.splitlines()}
    return round(sum(name in defined for name in listed) / max(len(listed), 1), 3)


def main():
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run `make test-deps` or install it")
    work = Path(tempfile.mkdtemp(prefix="appliance-bench-"))
    results = {"machine": {"cores": os.cpu_count(), "platform": platform.platform(), "cpu": platform.processor() or platform.machine(),
                           "duration_s": DURATION, "slices": SLICES, "connections": CONNECTIONS,
                           "workers": WORKERS, "upstream_keepalive": KEEPALIVE}, "scenarios": {}}
    started = []
    try:
        # The ceiling stays up: it is measured again just before each scenario, and each ratio is to that neighbouring
        # figure. A virtual machine's speed drifts within minutes; a single ceiling at the start made ratios drift too.
        ceiling = Stack(work / "ceiling", [str(CEILING), str(work / "ceiling.sock"), str(WORKERS)], work / "ceiling.sock")
        started.append(ceiling)
        ceiling.wait("/")

        def hash_rate():
            out = subprocess.run([str(BIN), "passwords", "hash-rate", "--seconds", "2"], capture_output=True, text=True, check=True).stdout
            return float(out.split()[0])

        data = work / "app"
        data.mkdir()
        config = data / "appliance.toml"
        subprocess.run([str(BIN), "init", "--config", str(config), "--templates", str(ROOT / "templates"), "--share", str(ROOT / "share"),
                        "--captcha", "off"], check=True, capture_output=True)
        config.write_text(config.read_text().replace('socket = "appliance.sock"', f'socket = "appliance.sock"\nsocket_mode = "0666"\nworkers = {WORKERS}')
                          + '\n[[service]]\nname = "bench"\nprotocol = "cas"\nmatch = "https://app.example.org/*"\n')
        stack = Stack(data, [str(BIN), "serve", "--config", str(config)], data / "appliance.sock")
        started.append(stack)
        results["startup_ms"] = round(stack.wait("/healthz"), 1)
        time.sleep(1)
        results["idle_rss_mb"] = round(rss_mb(stack.app.pid), 1)

        emails = [f"bench{i}@example.org" for i in range(6)]
        for email in emails:
            subprocess.run([str(BIN), "user", "add", email, "--first-name", "Bench", "--last-name", "Mark", "--config", str(config)],
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        session = sign_in(stack.base, emails[0], "10.8.0.1")
        signed_in_at = time.monotonic()
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)

        tickets = make_tickets(stack.base, cookie, "https://app.example.org/home", TICKETS, data)
        # The sign-in's Argon2 memory (19 MiB) goes back to the system once unused for 10 s, checked every 5 s: the
        # first scenario's peak RSS is only its own after that.
        time.sleep(max(0.0, signed_in_at + 16 - time.monotonic()))
        slice_seconds = max(1, DURATION // SLICES)
        ticket_slices = split_paths(tickets, SLICES)
        scenarios = {
            "login_page": lambda i: wrk(stack.base + "/login", headers=["X-Forwarded-For: 10.7.0.1"], duration=slice_seconds),
            "session_check": lambda i: wrk(stack.base + "/account", headers=[f"Cookie: {cookie}"], duration=slice_seconds),
            "service_validate": lambda i: wrk(stack.base, paths=ticket_slices[i], duration=slice_seconds),
        }
        ceilings = []
        for name, run in scenarios.items():
            # The scenario and the ceiling take turns in short slices, and the ratio is of their sums: this virtual
            # machine's speed drifts within seconds, and a ceiling measured once before the scenario drifted with it.
            references, slices = [], []
            with PeakRSS(stack.app.pid) as peak:
                for i in range(SLICES):
                    references.append(wrk(ceiling.base + "/", duration=slice_seconds)["rps"])
                    slices.append(run(i))
            reference = sum(references) / SLICES
            ceilings.append(reference)
            figures = {"rps": round(sum(f["rps"] for f in slices) / SLICES, 1),
                       "p50_ms": sorted(f["p50_ms"] for f in slices)[SLICES // 2], "p99_ms": max(f["p99_ms"] for f in slices),
                       "non_2xx": sum(f["non_2xx"] for f in slices), "peak_rss_mb": round(peak.peak, 1),
                       "reference": round(reference, 1)}
            figures["ratio"] = round(figures["rps"] / reference, 3)
            results["scenarios"][name] = figures
        # Sign-ins take turns with the hash rate in the same way.
        rates, rounds = [], []
        with PeakRSS(stack.app.pid) as peak:
            for _ in range(SLICES):
                rates.append(hash_rate())
                rounds.append(password_signins(stack.base, emails, slice_seconds, "https://app.example.org/signed-in"))
        reference = results["hash_rate_per_s"] = round(sum(rates) / SLICES, 1)
        latencies = sorted(latency for r in rounds for latency in r["latencies"])
        figures = {"rps": round(sum(r["count"] for r in rounds) / sum(r["elapsed_s"] for r in rounds), 1),
                   "p50_ms": round(latencies[len(latencies) // 2], 1), "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
                   "failed": sum(r["failed"] for r in rounds), "peak_rss_mb": round(peak.peak, 1), "reference": reference}
        figures["ratio"] = round(figures["rps"] / reference, 3)
        results["scenarios"]["password_signin"] = figures
        results["ceiling_rps"] = sorted(ceilings)[len(ceilings) // 2]
    finally:
        for running in started:
            running.stop()
        shutil.rmtree(work, ignore_errors=True)

    results["symbol_order_coverage"] = symbol_order_coverage()
    (ROOT / "bench").mkdir(exist_ok=True)
    (ROOT / "bench/results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nceiling (trivial FastCGI responder, median): {results['ceiling_rps']:.0f} req/s   "
          f"Argon2id hash rate: {results['hash_rate_per_s']:.1f}/s   idle RSS: {results['idle_rss_mb']} MB   "
          f"start to first answer: {results['startup_ms']} ms\n")
    print(f"{'scenario':<18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'reference':>11}{'ratio':>8}{'peak RSS MB':>13}")
    for name, f in results["scenarios"].items():
        print(f"{name:<18}{f['rps']:>10.1f}{f['p50_ms']:>10.2f}{f['p99_ms']:>10.2f}{f['reference']:>11.1f}{f['ratio']:>8.2f}"
              f"{f['peak_rss_mb']:>13.1f}")
    if results["symbol_order_coverage"] < 0.9:
        print(f"\nwarning: the binary defines only {results['symbol_order_coverage']:.0%} of the functions in "
              "linking/symbol-order.txt, so those a server runs are spread out again: run `make symbol-order`")
    for name, f in results["scenarios"].items():
        if name == "service_validate" and f["non_2xx"]:
            print(f"\nwarning: {name} used up its {TICKETS} tickets before the time was up, so its rate is understated; "
                  "raise BENCH_TICKETS")
    print("\n(reference: the ceiling, or for password_signin the Argon2id hash rate, measured in turns with the scenario; ratio: to it)"
          "\nwritten to bench/results.json")


if __name__ == "__main__":
    main()
