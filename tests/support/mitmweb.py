"""The one client of mitmweb's API for every tier: a logged-in session, its flows as JSON or as mitmproxy's
own flow objects."""

from __future__ import annotations

import io
import secrets

import requests
from mitmproxy import http
from mitmproxy import io as mitmproxy_io


class MitmwebUI:
    """A logged-in mitmweb UI session: the Bearer password, and the XSRF token pair its UI sends."""

    def __init__(self, web_port: int, password: str | None) -> None:
        self.base = f"http://127.0.0.1:{web_port}"
        self.http = requests.Session()
        if password is not None:
            self.http.headers["Authorization"] = f"Bearer {password}"
        # Tornado's XSRF check is double-submit: the header must equal the cookie.
        token = secrets.token_hex(16)
        self.http.cookies.set("_mitmproxy_xsrf", token, domain="127.0.0.1", path="/")
        self.http.headers["X-XSRFToken"] = token

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        resp = self.http.request(method, self.base + path, timeout=10, **kwargs)
        resp.raise_for_status()
        return resp

    def flows(self) -> list[dict]:
        return self.call("GET", "/flows").json()

    def dump(self) -> list[http.HTTPFlow]:
        """Every flow mitmweb holds, as mitmproxy's own flow objects (its /flows/dump, read by its FlowReader)."""
        reader = mitmproxy_io.FlowReader(io.BytesIO(self.call("GET", "/flows/dump").content))
        return [flow for flow in reader.stream() if isinstance(flow, http.HTTPFlow)]

    def close(self) -> None:
        self.http.close()


def mitmweb_flows(web_port: int, password: str | None = None) -> list[dict]:
    """mitmweb's /flows on 127.0.0.1, with the password as a Bearer token when given (requests.HTTPError if refused)."""
    ui = MitmwebUI(web_port, password)
    try:
        return ui.flows()
    finally:
        ui.close()
