"""gunicorn settings for the Cookie Lab app.

Usage:
    gunicorn -c gunicorn.conf.py "cookie_app:create_app()"
"""

from __future__ import annotations

import ipaddress
import os

from gunicorn.glogging import Logger


def connected_networks(route_table: str = "/proc/net/route") -> list[str]:
    """Return the IPv4 networks this host reaches directly, from the kernel's route table."""
    networks = []
    try:
        with open(route_table, encoding="ascii") as table:
            rows = table.read().splitlines()[1:]
    except OSError:
        return []
    for row in rows:
        fields = row.split()
        if len(fields) < 8:
            continue
        destination, gateway, mask = fields[1], fields[2], fields[7]
        # A row with a gateway (the default route among them) leads elsewhere.
        if gateway != "00000000" or destination == "00000000":
            continue
        # The table stores addresses as little-endian hex.
        addr = ipaddress.IPv4Address(bytes.fromhex(destination)[::-1])
        netmask = ipaddress.IPv4Address(bytes.fromhex(mask)[::-1])
        networks.append(str(ipaddress.IPv4Network(f"{addr}/{netmask}", strict=False)))
    return networks


class QuietHealthLogger(Logger):
    """gunicorn's logger, minus the access lines of the once-a-second health check."""

    def access(self, resp, req, environ, request_time) -> None:
        if environ.get("PATH_INFO") != "/healthz":
            super().access(resp, req, environ, request_time)


bind = os.environ.get("LAB_APP_BIND", "0.0.0.0:8000")
# Sized for a laptop: two processes with four threads each.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 4
# Build the app once, before forking, so all workers share one generated SECRET_KEY.
preload_app = True
accesslog = "-"
logger_class = QuietHealthLogger
errorlog = "-"
# No runtime control socket: nothing in the lab uses it, and it would write to $HOME.
control_socket_disable = True

# X-Forwarded-* is honoured only from the proxy. gunicorn itself reads
# FORWARDED_ALLOW_IPS (default: loopback). In compose the app shares an internal
# network with the proxy alone, so LAB_TRUST_OWN_NETWORK=1 trusts that network.
if os.environ.get("LAB_TRUST_OWN_NETWORK") == "1" and "FORWARDED_ALLOW_IPS" not in os.environ:
    forwarded_allow_ips = ",".join(connected_networks()) or "127.0.0.1,::1"
