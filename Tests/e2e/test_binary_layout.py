"""How the release binary is linked, which decides how much memory a running server maps: libcurl and libxml2
loaded on first use rather than linked, relative relocations packed, no exported symbols, and the functions in
linking/symbol-order.txt at the front of the code (see Package.swift)."""
import subprocess

from conftest import BIN, ROOT


def tool(*command):
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_libcurl_and_libxml2_are_not_linked_and_relocations_are_packed():
    dynamic = tool("readelf", "-dW", BIN)
    needed = [line.split("[")[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line]
    assert needed and not [name for name in needed if name.startswith(("libcurl", "libxml2"))], needed
    assert "(RELR)" in dynamic


def test_the_binary_exports_none_of_its_own_symbols():
    exported = [line.split()[-1] for line in tool("readelf", "--dyn-syms", "-W", BIN).splitlines()
                if " GLOBAL " in line and " UND " not in line]
    assert not [name for name in exported if name.startswith("$s")], exported[:10]


def test_listed_functions_sit_at_the_front_of_the_code():
    listed = (ROOT / "linking/symbol-order.txt").read_text().split()
    addresses = {}
    for line in tool("nm", "--defined-only", BIN).splitlines():
        parts = line.split()
        if len(parts) == 3:
            addresses[parts[2]] = int(parts[0], 16)
    text = next(line.split() for line in tool("readelf", "-SW", BIN).splitlines() if " .text " in line)
    index = text.index(".text")
    start, size = int(text[index + 2], 16), int(text[index + 4], 16)
    offsets = [(addresses[name] - start) / size for name in listed if name in addresses]
    assert len(offsets) > 1000
    # Measured: all of them with the list; 57 % without it (71 % with a list but without function sections).
    assert sum(offset < 0.4 for offset in offsets) / len(offsets) > 0.85
