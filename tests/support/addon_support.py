"""Load the lab's real addon script under mitmproxy's test harness and push flows through it."""

from helpers import ADDON
from mitmproxy import http
from mitmproxy.test import tflow, tutils

# Each loaded addon's script module, to send a flow through the whole script.
SCRIPTS: dict[int, object] = {}


def load_lab(tctx, path=ADDON):
    """Load the lab's addon script as mitmproxy's script loader does; return its addons (grader, recorder)."""
    module = tctx.script(str(path))
    # In mitmweb the module is reached through the chain (script loader, then
    # script), so option changes and events arrive; put it in the chain here.
    tctx.master.addons.chain.append(module)
    for addon in module.addons:
        SCRIPTS[id(addon)] = module
    return module.addons


def load_addon(tctx, path=ADDON):
    """The Recorder of a newly loaded lab script (its Grader beside it: grader_of)."""
    return load_lab(tctx, path)[1]


def grader_of(addon):
    """The Grader loaded from the same script as addon."""
    return SCRIPTS[id(addon)].addons[0]


def make_flow(
    cookies=(),
    set_cookies=(),
    *,
    path=b"/",
    status=200,
    resp=True,
    err=False,
    tls=False,
    host=b"127.0.0.1:8080",
    headers=(),
):
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
    """Send the flow through every event of its life, as the proxy would: each
    event to every addon of addon's script, in the script's order (the grader,
    then the recorder). `before` names addons of the same script, for the reader."""
    assert all(SCRIPTS[id(other)] is SCRIPTS[id(addon)] for other in before)
    tctx.master.event_loop.run_until_complete(tctx.cycle(SCRIPTS[id(addon)], flow))
