"""The lab's proxy as one addon script: grade each flow against the lab's challenges, then record it.

Usage:
    mitmweb --mode reverse:http://127.0.0.1:8000 -s lab_proxy.py \
        --set cookie_log=cookies.jsonl --set lab_exercises=lab/exercises.toml

The order is the one in `addons` below, never the order of -s flags: the
Grader (lab_grader.py) decides what a flow solved, and the Recorder
(cookie_logger.py) writes that into the flow's comment and its capture record.
A proxy that restarts gets its progress back from the Recorder's capture file.
lab_launch.py gives mitmweb this script, with the rest of the lab's options. The two modules import the
lab's contract package (contract/lab_contract): the image has it on PYTHONPATH, scripts/test's .venv by a
.pth file.
mitmproxy reloads this file when it changes, not the two modules it imports:
restart the proxy after editing those.
"""

from cookie_logger import Recorder
from lab_grader import Grader

recorder = Recorder()
addons = [Grader(history=recorder.history, record_exploit_solve=recorder.record_exploit_solve), recorder]
