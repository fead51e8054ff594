"""What the lab's services and tests share, written once: where the lab keeps its files, who the scripted
client says it is, the exercise index (read and checked by one validator) and the capture file (read by one
reader).

Every image holds this package (built from the repository's root) and the index at EXERCISES; the tests
import it from contract/ (pyproject.toml's pythonpath).
"""

from .capture import Capture, CaptureReader, read_capture
from .index import (
    STEP_TYPES,
    BadIndex,
    challenges,
    exercises,
    index_problems,
    load_index,
    retired,
    step_problems,
)

__all__ = [
    "CAPTURES",
    "CLIENT_AGENT",
    "EXERCISES",
    "STEP_TYPES",
    "BadIndex",
    "Capture",
    "CaptureReader",
    "challenges",
    "exercises",
    "index_problems",
    "load_index",
    "read_capture",
    "retired",
    "step_problems",
]

# The proxy's capture file: one JSON line per flow, on the captures volume.
CAPTURES = "/captures/cookies.jsonl"
# The exercise index, in every image that reads it (mounted over in compose and on a cluster).
EXERCISES = "/lab/exercises.toml"
# The scripted client's User-Agent starts with this; the grader never lets its flows solve anything.
CLIENT_AGENT = "cookie-lab-client"
