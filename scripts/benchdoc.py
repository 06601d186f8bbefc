"""docs/benchmarks.md is written by several scripts, each between its own pair of markers.

    write_section(path, text, "<!-- http -->", "<!-- /http -->")

`text` must start with `start` and end with `end` (the markers stay in the file, so the next run finds
its section again). A section whose markers are absent is appended at the end of the file.
"""

from pathlib import Path


def write_section(path: Path, text: str, start: str, end: str) -> None:
    if not (text.startswith(start) and text.rstrip().endswith(end)):
        raise ValueError(f"The section must be enclosed in {start} … {end}.")
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in old and end in old[old.index(start) :]:
        new = old[: old.index(start)] + text.rstrip("\n") + old[old.index(end, old.index(start)) + len(end) :]
    else:
        new = old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    path.write_text(new, encoding="utf-8")
