#!/usr/bin/env bash
# `make install`: puts the binary, templates and static files in standard places, and installs
# the nginx site, the systemd unit and the cron entry. Existing configuration is never overwritten.
# Usage: scripts/install.sh PREFIX   (DESTDIR=/some/root stages everything for packaging)
set -euo pipefail
prefix=${1:-/usr/local}
dest=${DESTDIR:-}
root=$(cd "$(dirname "$0")/.." && pwd)
share=$prefix/share/appliance

fill() { sed -e "s|@PREFIX@|$prefix|g" -e "s|@WWW@|$share/www|g" -e "s|@NGINX_DIR@|/etc/appliance/nginx|g" "$1"; }
put() { # put SOURCE TARGET MODE: fills placeholders, never replaces an operator's edited copy
  local target=$dest$2
  mkdir -p "$(dirname "$target")"
  if [ -e "$target" ] && [ "${4:-}" = keep ]; then
    fill "$1" > "$target.new"; echo "kept $2 (new version in $2.new)"
  else
    fill "$1" > "$target"; chmod "$3" "$target"
  fi
}

install -D -m 0755 "${APPLIANCE_BIN:-$root/.build/release/appliance}" "$dest$prefix/bin/appliance"
rm -rf "$dest$share"
mkdir -p "$dest$share"
cp -r "$root/templates" "$root/www" "$dest$share/"
mkdir -p "$dest$share/share" && cp -r "$root/share/leaked-passwords" "$dest$share/share/"

put "$root/nginx/appliance-site.conf" /etc/appliance/nginx/appliance-site.conf 0644
put "$root/nginx/appliance-fastcgi.conf" /etc/appliance/nginx/appliance-fastcgi.conf 0644
put "$root/nginx/appliance.conf" /etc/nginx/sites-available/appliance.conf 0644 keep
put "$root/deploy/appliance.toml.in" /etc/appliance/appliance.toml 0640 keep
put "$root/deploy/appliance.service" /etc/systemd/system/appliance.service 0644
put "$root/deploy/appliance.cron" /etc/cron.d/appliance 0644
mkdir -p "$dest/var/log/appliance"

if [ -z "$dest" ]; then
  id appliance >/dev/null 2>&1 || useradd --system --home-dir /var/lib/appliance --shell /usr/sbin/nologin --gid www-data appliance
  chown root:www-data /etc/appliance/appliance.toml
  chown appliance:www-data /var/log/appliance
  systemctl daemon-reload 2>/dev/null || true
fi
cat <<MSG
Installed the Login Appliance under $dest$prefix.
Next steps:
  1. Edit /etc/appliance/appliance.toml (base_url, mail, organisation) and run: appliance check --config /etc/appliance/appliance.toml
  2. Edit /etc/nginx/sites-available/appliance.conf (server_name, certificate), then:
       ln -s ../sites-available/appliance.conf /etc/nginx/sites-enabled/ && nginx -t && systemctl reload nginx
  3. systemctl enable --now appliance
MSG
