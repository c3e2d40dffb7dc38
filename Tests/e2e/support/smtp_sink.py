#!/usr/bin/env python3
"""A tiny SMTP sink for tests: accepts mail on 127.0.0.1, stores each message as a file.

Usage: smtp_sink.py PORT DIR [--fail-first N] [--reject-rcpt ADDR] [--auth USER:PASSWORD]
                   [--tls-cert CERT --tls-key KEY] [--exit-on-stdin-eof] [--delay SECONDS]

PORT 0 picks a free port. When ready, prints the port on a line of its own and flushes.
Each accepted message is written to DIR/<n>.eml (the DATA bytes as received) and the envelope
to DIR/<n>.json. --fail-first N answers "451" to the DATA of the first N messages (retry tests);
--reject-rcpt answers "550" to RCPT TO for that address; --auth requires AUTH PLAIN/LOGIN with
these credentials (allowed without TLS, this is a test server on loopback).
--tls-cert CERT --tls-key KEY offers STARTTLS and requires it before MAIL.
--exit-on-stdin-eof stops the server when stdin reaches end of file (the parent went away).
SIGTERM and SIGINT stop it too.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# The AUTH-without-TLS warning is expected here: this server only ever listens on loopback.
warnings.simplefilter("ignore")


class Sink:
    def __init__(self, directory, fail_first, reject_rcpt):
        self.directory = directory
        self.fail_first = fail_first
        self.reject_rcpt = reject_rcpt
        self.seen = 0
        self.stored = 0
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt and address.lower() == self.reject_rcpt.lower():
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.seen += 1
        if self.seen <= self.fail_first:
            return "451 4.3.0 Try again later"
        self.stored += 1
        base = os.path.join(self.directory, str(self.stored))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(base + ".eml.tmp", base + ".eml")
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "login": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None}, f)
        return "250 OK stored"


def make_authenticator(credentials):
    user, _, password = credentials.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password:
            return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)

    return authenticate


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("directory")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--reject-rcpt")
    parser.add_argument("--auth")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering each DATA")
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    handler = Sink(args.directory, args.fail_first, args.reject_rcpt)
    handler.delay = args.delay
    options = {}
    if args.auth:
        options = dict(authenticator=make_authenticator(args.auth), auth_required=True,
                       auth_require_tls=False)
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options.update(tls_context=context, require_starttls=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="sink.test", **options),
                                      host="127.0.0.1", port=args.port)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        # The parent holds our stdin open; when it dies the pipe closes and so do we.
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), loop.call_soon_threadsafe(stop.set)),
                         daemon=True).start()
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
