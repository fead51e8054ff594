"""Load the real addon file under mitmproxy's test harness and push flows through it."""


from helpers import ADDON, GRADER
from mitmproxy import http
from mitmproxy.test import tflow, tutils


def load_addon(tctx, path=ADDON):
    """Load an addon file as mitmproxy's script loader does; return the addon it exports."""
    module = tctx.script(str(path))
    # In mitmweb the module is reached through the chain (script loader, then
    # script), so option changes and events arrive; put it in the chain here.
    tctx.master.addons.chain.append(module)
    return module.addons[0]


def make_flow(cookies=(), set_cookies=(), *, path=b"/", status=200, resp=True, err=False, tls=False,
              host=b"127.0.0.1:8080", headers=()):
    """A flow whose request carries these Cookie headers and whose response these Set-Cookie headers (bytes),
    from a client that spoke plain http to the proxy unless tls is true."""
    fields = [(b"host", host), *headers] + [(b"cookie", c) for c in cookies]
    req = tutils.treq(path=path, headers=http.Headers(fields))
    response = False
    if resp:
        response = tutils.tresp(status_code=status, headers=http.Headers([(b"set-cookie", s) for s in set_cookies]))
    flow = tflow.tflow(req=req, resp=response, err=err)
    # mitmproxy's test client has spoken TLS; the lab's learner usually has not.
    if not tls:
        flow.client_conn.timestamp_tls_setup = None
        flow.client_conn.tls = False
    return flow


def run_flow(tctx, addon, flow, *before):
    """Send the flow through every event of its life, as the proxy would: through
    the addons in `before` first (the grader before the logger), then addon."""
    for first in before:
        tctx.master.event_loop.run_until_complete(tctx.cycle(first, flow))
    tctx.master.event_loop.run_until_complete(tctx.cycle(addon, flow))


def load_grader(tctx):
    return load_addon(tctx, GRADER)
