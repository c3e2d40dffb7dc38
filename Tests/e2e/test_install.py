"""`make install` staged into a folder: every file in place, placeholders filled, the production
nginx site accepted by `nginx -t`, and the installed binary able to initialise and check itself."""
import os
import re
import subprocess
from pathlib import Path

from conftest import BIN, ROOT


def test_staged_install_is_complete_and_valid(tmp_path):
    stage = tmp_path / "stage"
    env = {**os.environ, "DESTDIR": str(stage)}
    # install.sh copies the release binary; point it at the one under test.
    result = subprocess.run(["bash", str(ROOT / "scripts/install.sh"), "/usr/local"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = ["usr/local/bin/appliance", "usr/local/share/appliance/templates/layout.mustache",
                "usr/local/share/appliance/www/static/app.css", "usr/local/share/appliance/share/leaked-passwords/common-passwords.txt",
                "etc/appliance/appliance.toml", "etc/appliance/nginx/appliance-site.conf", "etc/appliance/nginx/appliance-fastcgi.conf",
                "etc/nginx/sites-available/appliance.conf", "etc/systemd/system/appliance.service", "etc/cron.d/appliance"]
    for path in expected:
        assert (stage / path).exists(), path
    for path in expected[4:]:
        assert "@" not in re.sub(r"[\w.+-]+@[\w.-]+", "", (stage / path).read_text()), f"placeholder left in {path}"
    service = (stage / "etc/systemd/system/appliance.service").read_text()
    assert "ExecStart=/usr/local/bin/appliance serve --config /etc/appliance/appliance.toml" in service
    assert "LimitNOFILE=65536" in service  # a read connection per worker thread
    assert "maintenance" in (stage / "etc/cron.d/appliance").read_text()

    # The production site, with a throwaway certificate and the staged paths, passes nginx -t.
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=login.example.org", "-days", "1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    site = (stage / "etc/nginx/sites-available/appliance.conf").read_text()
    site = site.replace("/etc/ssl/certs/login.example.org.pem", str(cert)).replace("/etc/ssl/private/login.example.org.key", str(key))
    site = site.replace("/etc/appliance/nginx", str(stage / "etc/appliance/nginx")).replace("/var/log/nginx", str(tmp_path))
    site = re.sub(r"listen (\[::\]:)?(80|443)", lambda m: f"listen {'[::1]' if m.group(1) else '127.0.0.1'}:{20000 + int(m.group(2))}", site)
    for name in ("appliance-site.conf", "appliance-fastcgi.conf"):
        conf = stage / "etc/appliance/nginx" / name
        conf.write_text(conf.read_text().replace("/etc/appliance/nginx", str(stage / "etc/appliance/nginx")))
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
                    f"http {{ include /etc/nginx/mime.types; {site} }}\n")
    check = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    # The installed configuration, pointed at the staged folders, passes `appliance check` after `init`.
    config = (stage / "etc/appliance/appliance.toml").read_text()
    data = tmp_path / "var"
    data.mkdir()
    config = config.replace("/var/lib/appliance", str(data)).replace("/run/appliance", str(data))
    config = config.replace("/usr/local/share/appliance", str(stage / "usr/local/share/appliance"))
    config = config.replace('transport = "sendmail:/usr/sbin/sendmail"', 'transport = "file://mail"')
    (tmp_path / "appliance.toml").write_text(config)
    installed = str(stage / "usr/local/bin/appliance")
    subprocess.run([installed, "init", "--config", str(tmp_path / "appliance.toml"), "--share", str(stage / "usr/local/share/appliance/share")],
                   check=True, capture_output=True)
    checked = subprocess.run([installed, "check", "--config", str(tmp_path / "appliance.toml")], capture_output=True, text=True)
    assert checked.returncode == 0 and "configuration OK" in checked.stdout, checked.stdout
    assert (data / "master.key").stat().st_mode & 0o077 == 0
