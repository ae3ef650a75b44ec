"""`accalmie bench import`: the importer's rate and memory next to a bare stdlib parse.

It builds an mbox of at least `size_mb` from the public test corpora (each copy of a message
gets a new Message-ID, so nothing is deduplicated away), then, each in a fresh process:
- parses it with the standard library alone (`mailbox.mbox` + `email` with the default
  policy, reading every body), the floor any importer pays;
- imports it with `accalmie import mbox` into a new SQLite database.
Figures: MB/s, messages/s and peak resident memory (of the whole process tree: the
importer reads ahead in worker processes).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

CORPORA = ("spamassassin-raw", "mail-gem-fixtures/emails", "mimekit-testdata/messages")
_MESSAGE_ID = re.compile(rb"^Message-ID:[^\n]*\n", re.IGNORECASE | re.MULTILINE)

BARE_PARSE = """
import mailbox, sys, email.parser, email.policy
count = 0
parser = email.parser.BytesParser(policy=email.policy.default)
box = mailbox.mbox(sys.argv[1], create=False)
for key in box.iterkeys():
    message = parser.parsebytes(box.get_bytes(key))
    for part in message.walk():
        if not part.is_multipart():
            try:
                part.get_content()
            except Exception:
                pass
    count += 1
print(count)
"""


@dataclass
class Run:
    """One measured process."""

    name: str
    seconds: float
    megabytes: float
    messages: int
    peak_rss_mb: float

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / self.seconds if self.seconds else 0.0

    @property
    def messages_per_s(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def corpus_messages(external: Path) -> list[bytes]:
    """Return the corpus messages' bytes, without any mbox envelope line."""
    messages = []
    for folder in CORPORA:
        root = external / folder
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "SOURCE.md"):
            raw = path.read_bytes().replace(b"\r\n", b"\n")
            if raw.startswith(b"From "):
                raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
            if raw.strip():
                messages.append(raw)
    if not messages:
        raise FileNotFoundError(f"No corpus messages under {external}")
    return messages


def build_mbox(path: Path, external: Path, size_mb: float) -> tuple[int, int]:
    """Write an mboxrd of at least `size_mb` MB; return (messages, bytes)."""
    messages = corpus_messages(external)
    target = int(size_mb * 1024 * 1024)
    written = count = copy = 0
    with path.open("wb") as out:
        while written < target:
            copy += 1
            for index, raw in enumerate(messages):
                fresh = b"Message-ID: <bench-%d-%d@accalmie.invalid>\n" % (copy, index)
                raw = _MESSAGE_ID.sub(b"", raw, count=1)
                body = re.sub(rb"^(>*From )", rb">\1", raw, flags=re.MULTILINE)
                chunk = (
                    b"From bench@accalmie.invalid Mon Mar  2 10:00:00 2026\n"
                    + fresh
                    + body.rstrip(b"\n")
                    + b"\n\n"
                )
                out.write(chunk)
                written += len(chunk)
                count += 1
                if written >= target:
                    break
    return count, written


def _tree_rss_mb(root: int) -> float:
    """Return the resident memory of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total_kb = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def _measure(name: str, args: list[str], env: dict[str, str], megabytes: float) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    # The importer reads ahead in worker processes: sample the whole process tree's memory.
    peak_tree = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.wait(0.25):
            peak_tree = max(peak_tree, _tree_rss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    out = process.stdout.read() if process.stdout else b""
    err = process.stderr.read() if process.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{name} failed: {err.decode(errors='replace')[-2000:]}")
    text = out.decode()
    messages = json.loads(text)["messages"] if text.lstrip().startswith("{") else int(text)
    # ru_maxrss is in kilobytes on Linux; the tree's sampled peak counts the readers too.
    return Run(name, seconds, megabytes, messages, max(usage.ru_maxrss / 1024, peak_tree))


def run(external: Path, size_mb: float = 200.0, keep: Path | None = None) -> dict[str, object]:
    """Build the mbox, measure both, and return the figures."""
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="accalmie-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    mbox = workdir / "bench.mbox"
    count, size = build_mbox(mbox, external, size_mb)
    megabytes = size / 1024 / 1024
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    shutil.rmtree(workdir / "data", ignore_errors=True)  # a fresh database every run
    env["ACCALMIE_DATA_DIR"] = str(workdir / "data")
    accalmie = [sys.executable, "-m", "accalmie"]
    for setup in (
        ["migrate", "-v0"],
        ["workspace", "create", "bench", "--name", "Bench", "--domain", "accalmie.invalid"],
    ):
        subprocess.run([*accalmie, *setup], env=env, check=True, capture_output=True)  # noqa: S603
    bare = _measure(
        "bare parse (mailbox + email)",
        [sys.executable, "-c", BARE_PARSE, str(mbox)],
        env,
        megabytes,
    )
    full = _measure(
        "accalmie import mbox (SQLite)",
        [*accalmie, "import", "mbox", str(mbox), "--workspace", "bench", "--json", "--quiet"],
        env,
        megabytes,
    )
    return {
        "mbox_mb": round(megabytes, 1),
        "messages": count,
        "runs": [
            asdict(r)
            | {"mb_per_s": round(r.mb_per_s, 2), "messages_per_s": round(r.messages_per_s, 1)}
            for r in (bare, full)
        ],
        "ratio_to_bare": round(full.mb_per_s / bare.mb_per_s, 3) if bare.mb_per_s else None,
        "workdir": str(workdir),
    }
