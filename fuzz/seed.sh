#!/usr/bin/env bash
# Writes the fuzzers' seed corpus from the plans in the repository (not kept in git):
#   fuzz/corpus/plan_load/  one input per plan folder (the built-in plan and every fixture):
#                           its files, each after a `>>> path` header (see plan_load.rs)
#   fuzz/corpus/markup/     every string of every plan file, as the markup target reads it
#                           (a style byte, then the text), and a few hand-written edge cases
# and fuzz/plan.dict, the keys and values of the plan format, for libFuzzer's -dict.
# Run from anywhere; files already there are kept (libFuzzer names its finds by hash).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
mkdir -p "$here/corpus/plan_load" "$here/corpus/markup"

python3 - "$repo" "$here" <<'PY'
import hashlib, os, sys, tomllib

repo, here = sys.argv[1], sys.argv[2]

def plan_folders():
    yield os.path.join(repo, "plans/udsattestrategi")
    for group in ("valid", "invalid", "warnings"):
        base = os.path.join(repo, "tests/fixtures", group)
        for name in sorted(os.listdir(base)):
            path = os.path.join(base, name)
            if os.path.isdir(path):
                yield path

def plan_files(folder):
    """The plan's regular files (no links, no snapshots, no templates), by relative path."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs
                         if not os.path.islink(os.path.join(root, d)) and d != "templates")
        for f in sorted(files):
            path = os.path.join(root, f)
            if os.path.islink(path) or f.endswith(".snap"):
                continue
            yield os.path.relpath(path, folder), path

def put(kind, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(here, "corpus", kind, name), "wb") as out:
        out.write(data)

strings = set()
def collect(value):
    if isinstance(value, str):
        strings.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            collect(v)
    elif isinstance(value, list):
        for v in value:
            collect(v)

keys = set()
def collect_keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            keys.add(k)
            collect_keys(v)
    elif isinstance(value, list):
        for v in value:
            collect_keys(v)

plans = 0
for folder in plan_folders():
    files = sorted(plan_files(folder), key=lambda f: (f[0] != "plan.toml", f[0]))
    data = b""
    for rel, path in files:
        with open(path, "rb") as f:
            content = f.read()
        data += b">>> " + rel.encode() + b"\n" + content
        if not content.endswith(b"\n"):
            data += b"\n"
        if rel.endswith(".toml"):
            try:
                parsed = tomllib.loads(content.decode())
            except Exception:
                continue
            collect(parsed)
            collect_keys(parsed)
    put("plan_load", data)
    plans += 1

for text in strings:
    put("markup", b"\x00" + text.encode())
    put("markup", b"\x02" + text.encode())
edge = [
    "", "*", "_", "$", "#", "@", "\\", "`", "<a>", "@a", "= Titel", "- punkt", "+ punkt",
    "2028. Derefter", "8. november", "#let x = 1; #x", "#for i in range(3) [#i]",
    "#(1 + )", "#{", "$ a^b_c $", "#set text(size: 1000pt)", "#emph[#strong[x]]",
    "a\\u{1F600}b", "æøå ÆØÅ \u00a0 \u200b \u202e", "\t\r\n\x0b\x0c", "\\\n  x",
    "#link(\"https://x.dk\")[her]", "navn\\@kommune.dk", "#table(columns: 2, [a], [b])",
    "#" * 200, "[" * 200, "(" * 200, "#f(" * 100,
]
for i, text in enumerate(edge):
    for style in range(5):
        put("markup", bytes([style]) + text.encode())

with open(os.path.join(here, "plan.dict"), "w") as d:
    d.write("# The plan format's keys and headers, for libFuzzer's -dict (written by seed.sh).\n")
    words = set()
    for k in keys:
        words.add(k + " = ")
        words.add("[" + k + "]")
        words.add("[[" + k + "]]")
    words |= {">>> plan.toml\n", ">>> meetings.toml\n", ">>> strategy.toml\n",
              ">>> implementation.toml\n", ">>> consultations/c.toml\n",
              ">>> action-plans/a.toml\n", ">>> key-figures/2024.toml\n",
              ">>> strategy/final.toml\n", "2024-02-29", "9999-12-31", "0000-01-01",
              "\"16.00\"", "4294967295", "-9223372036854775808", "9223372036854775807",
              "2147483647", "-2147483648", "1e308", "nan", "inf", "-inf", "\"\"\"", "'''",
              "true", "false", "[[meeting.item]]", "[[meeting.item.attachment]]"}
    for w in sorted(words):
        esc = "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else "\\x%02x" % b
                      for b in w.encode())
        d.write('"' + esc + '"\n')
print(f"{plans} plans, {len(strings)} strings")
PY
for target in plan_load markup; do
  echo "corpus/$target: $(ls "$here/corpus/$target" | wc -l) files, $(du -sh "$here/corpus/$target" | cut -f1)"
done
