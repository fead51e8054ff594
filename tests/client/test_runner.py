"""The runner's reading of a 502: mitmproxy's own error means the app is unreachable."""

from cookie_client.runner import Step, unreachable_app

MITMPROXY_502 = """<html>
<head>
    <title>502 Bad Gateway</title>
</head>
<body>
    <h1>502 Bad Gateway</h1>
    <p>[Errno 111] Connect call failed (&#x27;127.0.0.1&#x27;, 8000)</p>
</body>
</html>"""


def step(status: int, body: str) -> Step:
    return Step(1, "x", "GET", "http://proxy:8080/", status, "Bad Gateway", None, [], [], body)


def test_mitmproxys_502_names_the_unreachable_app():
    assert unreachable_app(step(502, MITMPROXY_502), "mitmproxy 12.2.3") == (
        "step 1: the proxy answered 502 Bad Gateway: the app behind it is unreachable"
        " ([Errno 111] Connect call failed ('127.0.0.1', 8000))"
    )


def test_a_502_from_the_app_itself_is_the_apps_answer():
    assert unreachable_app(step(502, "upstream says no"), "gunicorn") is None


def test_other_statuses_are_not_problems():
    assert unreachable_app(step(200, "Hello None"), "mitmproxy 12.2.3") is None
