# The code the tiers share is in tests/support/ (helpers, seed, sheets, mitmweb, stack_support, engines, ...),
# imported by module name: pyproject.toml puts tests/support on pythonpath.


def pytest_collection_modifyitems(items):
    """The browser tier last: Playwright's sync API keeps an asyncio loop running in
    this thread for as long as its session-wide browser lives, which breaks every
    later test that runs a loop of its own (mitmproxy's taddons, the client)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_terminal_summary(terminalreporter):
    """Name how many browser tests ran, and how many were skipped: CI must show none skipped."""
    outcomes = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "browser" in getattr(report, "keywords", {}):
                outcomes[report.nodeid] = outcome  # a later, worse outcome of the same test wins
    if outcomes:
        ran = sum(1 for o in outcomes.values() if o != "skipped")
        skipped = sum(1 for o in outcomes.values() if o == "skipped")
        terminalreporter.write_line(f"browser tier: {ran} tests ran in Chromium and Firefox, {skipped} skipped")
