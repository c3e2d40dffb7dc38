#!/usr/bin/env bash
# Installs the Debian packages the appliance needs (and, with --test, what the tests need),
# only when some are missing, so that repeated runs cost nothing.
set -euo pipefail
packages=(nginx-light libfcgi-dev libargon2-dev libqrencode-dev libssl-dev libsqlite3-dev libcurl4-openssl-dev libxml2-dev espeak-ng)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium chromium-driver python3-venv wrk apache2 libapache2-mod-auth-cas zbar-tools)
elif [ "${1:-}" = "--profile" ]; then
  packages=(valgrind binutils)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
