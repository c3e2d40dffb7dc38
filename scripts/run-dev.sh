#!/usr/bin/env bash
# `make run`: initialises ./data on first run, starts the appliance and nginx on
# http://127.0.0.1:8080, and stops both cleanly on Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${APPLIANCE_BIN:-$root/.build/release/appliance}
port=${PORT:-8080}
data=$root/data
config=$data/appliance.toml

"$bin" init --config "$config" --base-url "http://127.0.0.1:$port" --templates "$root/templates" \
  --share "$root/share" --mail "file://mail" --sms "file://sms" >/dev/null
# nginx's workers must reach the socket.
grep -q '^socket_mode' "$config" || sed -i 's|^socket = "appliance.sock"|socket = "appliance.sock"\nsocket_mode = "0666"|' "$config"
checked=$("$bin" check --config "$config")
# Where SMS land: the configured file transport's folder, or what the configuration says instead.
sms_dir=$(sed -n 's|^sms: *file://\([^ ]*\).*|\1|p' <<<"$checked")
sms_dir=${sms_dir:-"(not files: see [sms] in $config)"}

nginx_conf=$("$root/scripts/nginx-dev.sh" "$data/nginx" "$port" "$data/appliance.sock" 1 "$data/nginx/access.log")

"$bin" serve --config "$config" &
app=$!
nginx -p "$data/nginx" -c "$nginx_conf" -g 'daemon off;' &
web=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$web" "$app" 2>/dev/null || true
  wait "$web" "$app" 2>/dev/null || true
  echo "stopped"
}
trap stop INT TERM EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
cat <<MSG

  Login Appliance is running at  http://127.0.0.1:$port/login
  Outgoing mail is written to    $data/mail/  (one .eml file per message)
  Text messages (SMS) go to      $sms_dir/  (one .json file per message)
  Configuration                  $config
  Create an account from the sign-in page, or:  echo 'A-strong-passw0rd' | $bin user add --config $config you@example.org --first-name Ada --last-name Lovelace

  Press Ctrl-C to stop.

MSG
wait -n "$app" "$web"
