#!/usr/bin/env bash
# Writes an nginx configuration for development or tests into PREFIX and prints its path.
# Usage: scripts/nginx-dev.sh PREFIX PORT SOCKET [WORKERS] [ACCESS_LOG] [KEEPALIVE]
# KEEPALIVE (idle upstream connections nginx keeps) must stay below the appliance's worker count:
# each kept connection holds one worker thread while it waits for its next request.
set -euo pipefail
prefix=$1 port=$2 socket=$3 workers=${4:-1} access_log=${5:-off} keepalive=${6:-4}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$prefix"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root root;"
for file in dev.conf.in appliance-site.conf appliance-fastcgi.conf; do
  out="$prefix/${file%.in}"
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" -e "s|@SOCKET@|$socket|g" \
      -e "s|@WORKERS@|$workers|g" -e "s|@ACCESS_LOG@|$access_log|g" -e "s|@USER@|$user_line|g" -e "s|@KEEPALIVE@|$keepalive|g" \
      -e "s|@WWW@|$root/www|g" -e "s|@NGINX_DIR@|$prefix|g" "$root/nginx/$file" > "$out"
done
echo "$prefix/dev.conf"
