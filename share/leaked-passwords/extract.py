#!/usr/bin/env python3
"""Extract the common-password list shipped with Django into common-passwords.txt.

Usage:
    python3 extract.py                      # downloads the pinned Django wheel with pip
    python3 extract.py --wheel PATH.whl     # uses a wheel already at hand

The list inside the wheel (django/contrib/auth/common-passwords.txt.gz) is in
descending frequency order; it is written unchanged apart from dropping blank
lines and surrounding white space, one password per line, UTF-8, LF endings.
"""

import argparse
import gzip
import hashlib
import pathlib
import subprocess
import sys
import tempfile
import zipfile

DJANGO_VERSION = "5.2.19"
MEMBER = "django/contrib/auth/common-passwords.txt.gz"
HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "common-passwords.txt"
MINIMUM = 10_000


def download_wheel(folder: pathlib.Path) -> pathlib.Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         f"django=={DJANGO_VERSION}", "-d", str(folder)],
        check=True,
    )
    return next(folder.glob(f"[Dd]jango-{DJANGO_VERSION}-*.whl"))


def extract(wheel: pathlib.Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        text = gzip.decompress(archive.read(MEMBER)).decode("utf-8")
    passwords, seen = [], set()
    for line in text.splitlines():
        word = line.strip()
        if word and word not in seen:
            seen.add(word)
            passwords.append(word)
    return passwords


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=pathlib.Path, help="a downloaded Django wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        wheel = args.wheel or download_wheel(pathlib.Path(folder))
        passwords = extract(wheel)
    if len(passwords) < MINIMUM:
        sys.exit(f"only {len(passwords)} passwords found, expected at least {MINIMUM}")
    data = ("\n".join(passwords) + "\n").encode("utf-8")
    OUTPUT.write_bytes(data)
    print(f"{OUTPUT.name}: {len(passwords)} passwords, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
