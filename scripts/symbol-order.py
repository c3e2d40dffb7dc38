#!/usr/bin/env python3
"""`make symbol-order`: writes linking/symbol-order.txt, the functions the server runs while it starts, waits and
answers the common requests (sign-in page, a password sign-in, My Account, a service ticket and its validation).

lld puts the listed functions side by side at the start of the binary's code (Package.swift). A running server then
needs a few contiguous megabytes of its 18 MB of code instead of pages spread over all of it: less resident memory
and fewer page faults at start. The list is recorded with callgrind from the release binary (stripped of its DWARF,
which valgrind cannot read); only names defined once in the binary are kept (a name that many objects define
locally would pull all of their code to the front). Functions added later are simply placed after the listed
ones: `make bench` says how much of the list the binary still has, and this script brings it up to date.
"""
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import requests  # noqa: E402

from run import BIN, PASSWORD, ROOT, Stack, sign_in  # noqa: E402

ORDER_FILE = ROOT / "linking/symbol-order.txt"
SERVICE = "https://app.example.org/home"


def executed_functions(profile, binary_name):
    """Names of the functions callgrind saw executing in `binary_name`: its `fn=` blocks under that object. Objects
    and functions are numbered on first mention, which may be as a callee (`cob=`, `cfn=`)."""
    objects, functions, names = {}, {}, set()
    current_object = ""
    pattern = re.compile(r"^(c?)(ob|fn)=\((\d+)\)(?: (.*))?$")
    with open(profile, errors="replace") as lines:
        for line in lines:
            match = pattern.match(line.rstrip("\n"))
            if not match:
                continue
            callee, kind, number, name = match.groups()
            table = objects if kind == "ob" else functions
            if name:
                table[number] = name
            if callee:
                continue
            if kind == "ob":
                current_object = objects[number]
            elif current_object.endswith("/" + binary_name):
                names.add(functions[number].split("'")[0])
    return names


def record(binary, work, answer_requests):
    """Runs the server under callgrind until it has started and waited (and, with `answer_requests`, answered the
    common requests); returns the profile."""
    data = work / ("busy" if answer_requests else "idle")
    data.mkdir()
    config = data / "appliance.toml"
    subprocess.run([str(BIN), "init", "--config", str(config), "--templates", str(ROOT / "templates"), "--share", str(ROOT / "share"),
                    "--captcha", "off"], check=True, capture_output=True)
    config.write_text(config.read_text() + f'\n[[service]]\nname = "sample"\nprotocol = "cas"\nmatch = "{SERVICE}"\n')
    subprocess.run([str(BIN), "user", "add", "sample@example.org", "--first-name", "Sample", "--last-name", "User", "--config", str(config)],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    profile = data / "callgrind.out"
    stack = Stack(data, ["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={profile}", str(binary), "serve",
                         "--config", str(config)], data / "appliance.sock")
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(stack.base + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start under valgrind: " + (data / "app.log").read_text()[-2000:])
            time.sleep(0.5)
        time.sleep(2)  # what the server does once it is up, before any request
        for _ in range(3 if answer_requests else 0):
            requests.get(stack.base + "/login", headers={"X-Forwarded-For": "10.7.0.1"}, timeout=60)
        browser = sign_in(stack.base, "sample@example.org", "10.8.0.1") if answer_requests else None
        for _ in range(3 if answer_requests else 0):
            browser.get(stack.base + "/account", timeout=60)
            issued = browser.get(stack.base + "/login?service=" + quote(SERVICE, safe=""), allow_redirects=False, timeout=60)
            ticket = issued.headers["Location"].partition("ticket=")[2]
            answer = requests.get(stack.base + f"/serviceValidate?service={quote(SERVICE, safe='')}&ticket={ticket}", timeout=60)
            assert "authenticationSuccess" in answer.text, answer.text
    finally:
        stack.stop()
        stack.app.wait(timeout=120)
    return profile


def main():
    if not shutil.which("valgrind"):
        sys.exit("valgrind is missing: `make symbol-order` installs it")
    with tempfile.TemporaryDirectory(prefix="appliance-order-") as directory:
        work = Path(directory)
        binary = work / "appliance"
        subprocess.run(["objcopy", "--strip-debug", str(BIN), str(binary)], check=True)
        starting = executed_functions(record(binary, work, answer_requests=False), binary.name)
        answering = executed_functions(record(binary, work, answer_requests=True), binary.name) - starting
        definitions = collections.Counter(
            line.split()[-1] for line in subprocess.run(["nm", "--defined-only", str(binary)], capture_output=True, text=True,
                                                        check=True).stdout.splitlines())
    # What a waiting server has run comes first, so that its pages are the fewest; then what requests add.
    listed = [name for group in (starting, answering) for name in sorted(group) if definitions[name] == 1]
    ORDER_FILE.write_text("".join(name + "\n" for name in listed))
    left_out = len(starting) + len(answering) - len(listed)
    print(f"{len(listed)} functions written to {ORDER_FILE.relative_to(ROOT)} ({left_out} names left out: defined more "
          "than once, or not symbols of the binary)")


if __name__ == "__main__":
    main()
