#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keeps docs/plugins/*.md in step with the elements.

  check-docs.py drift ELEMENT PAGE.md
      Fails when gst-inspect-1.0 ELEMENT shows a property, pad template,
      signal or action that PAGE.md does not document, when PAGE.md
      documents one that no longer exists, or when a documented property's
      blurb (the "> " line under its heading) differs from the element's.

  check-docs.py launch PAGE.md [SECONDS]
      Runs every ```launch block of PAGE.md for SECONDS (default 6) and
      fails unless the sink named "out" received frames and no ERROR was
      posted.

Run inside the isolated environment (meson test does; by hand:
BUILDDIR=build scripts/gst-env docs/check-docs.py drift dtlssrtpenc
docs/plugins/dtlssrtpenc.md).

Page layout the check reads: sections "## Pads", "## Properties",
"## Signals" (and "## Actions" if the element has any), each item a
"### `name`" heading; under a property heading, the first line starting
with "> " is the blurb as gst-inspect shows it.
"""
import os
import re
import signal
import socket
import subprocess
import sys

# GstObject's own properties: documented by GStreamer, not by us
INHERITED = {"name", "parent"}


def norm(s):
    return " ".join(s.split())


def inspect(element):
    out = subprocess.run(["gst-inspect-1.0", element], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        sys.exit("check-docs: gst-inspect-1.0 %s failed:\n%s%s"
                 % (element, out.stdout, out.stderr))
    props, pads, signals, actions = {}, set(), set(), set()
    section = None
    for line in out.stdout.splitlines():
        # section headers ("Element Properties:"); a multi-line default
        # value (the PEM) also starts at column 0 but never looks like one
        m = re.match(r"^([A-Z][A-Za-z ]+):$", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^  (SINK|SRC) template: '([^']+)'", line)
        if section == "Pad Templates" and m:
            pads.add(m.group(2))
            continue
        # names of 20 characters or more leave no space before the colon
        m = re.match(r"^  ([a-z][a-z0-9-]*) *: (.*)$", line)
        if section == "Element Properties" and m:
            if m.group(1) not in INHERITED:
                props[m.group(1)] = norm(m.group(2))
            continue
        m = re.match(r'^  "([a-z][a-z0-9-]*)" :', line)
        if m and section == "Element Signals":
            signals.add(m.group(1))
        elif m and section == "Element Actions":
            actions.add(m.group(1))
    return props, pads, signals, actions


def read_page(path):
    """{section: {name: [lines under the heading]}}"""
    sections, section, item = {}, None, None
    with open(path, encoding="utf-8") as f:
        in_fence = False
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            m = re.match(r"^## (.+)$", line)
            if m:
                section = m.group(1).strip()
                sections.setdefault(section, {})
                item = None
                continue
            m = re.match(r"^### `([^`]+)`", line)
            if m and section is not None:
                item = m.group(1)
                sections[section][item] = []
                continue
            if item is not None:
                sections[section][item].append(line)
    return sections


def blurb_of(lines):
    quoted = []
    for line in lines:
        if line.startswith(">"):
            quoted.append(line[1:].strip())
        elif quoted:
            break
    return norm(" ".join(quoted)) if quoted else None


def drift(element, page):
    props, pads, signals, actions = inspect(element)
    doc = read_page(page)
    problems = []

    def compare(kind, section, actual):
        documented = set(doc.get(section, {}))
        for name in sorted(actual - documented):
            problems.append("%s %s `%s` is not documented in %s (section "
                            "'## %s')" % (element, kind, name, page, section))
        for name in sorted(documented - actual):
            problems.append("%s documents %s `%s`, which %s no longer has"
                            % (page, kind, name, element))

    compare("property", "Properties", set(props))
    compare("pad template", "Pads", pads)
    compare("signal", "Signals", signals)
    if actions or "Actions" in doc:
        compare("action", "Actions", actions)

    for name, blurb in sorted(props.items()):
        lines = doc.get("Properties", {}).get(name)
        if lines is None:
            continue
        got = blurb_of(lines)
        if got != blurb:
            problems.append("%s: the blurb of `%s` differs from the element's"
                            "\n    docs:    %s\n    element: %s"
                            % (page, name, got, blurb))

    for p in problems:
        print("check-docs: " + p)
    if problems:
        return 1
    print("check-docs: %s documents all %d properties, %d pad templates, "
          "%d signals and %d actions of %s"
          % (page, len(props), len(pads), len(signals), len(actions),
             element))
    return 0


def launch_lines(page):
    blocks, cur = [], None
    with open(page, encoding="utf-8") as f:
        for line in f:
            if cur is None and line.strip() == "```launch":
                cur = []
            elif cur is not None and line.strip() == "```":
                blocks.append("\n".join(cur))
                cur = None
            elif cur is not None:
                cur.append(line.rstrip("\n"))
    return blocks


def busy_ports(block):
    """udpsrc ports of @block that another process holds (a leftover
    gst-launch would take the datagrams)."""
    busy = []
    for port in re.findall(r"udpsrc[^!]*?port=(\d+)", block):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("0.0.0.0", int(port)))
        except OSError:
            busy.append(port)
        finally:
            s.close()
    return busy


def launch(page, seconds):
    blocks = launch_lines(page)
    if not blocks:
        print("check-docs: %s has no ```launch block" % page)
        return 1
    status = 0
    children = []

    def stop_children(signum, frame):
        # meson test's timeout sends SIGTERM: take gst-launch along
        for c in children:
            try:
                os.killpg(c.pid, signal.SIGKILL)
            except OSError:
                pass
        sys.exit(1)

    signal.signal(signal.SIGTERM, stop_children)
    for i, block in enumerate(blocks):
        busy = busy_ports(block)
        if busy:
            print("check-docs: %s launch line %d: UDP port(s) %s already in "
                  "use by another process" % (page, i + 1, ", ".join(busy)))
            status = 1
            continue
        # run it as a user would paste it: through sh, line continuations
        # and all
        p = subprocess.Popen(["sh", "-c", block], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        children.append(p)
        try:
            out, _ = p.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            # the whole process group: sh and gst-launch, which stops
            # cleanly on SIGINT
            os.killpg(p.pid, signal.SIGINT)
            try:
                out, _ = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                out, _ = p.communicate()
        frames = len(re.findall(r"[:/]out: last-message = chain", out))
        errors = [l for l in out.splitlines() if l.startswith("ERROR")]
        connected = "connection-state = connected" in out
        print("check-docs: %s launch line %d: %d frames in %d s%s"
              % (page, i + 1, frames, seconds,
                 ", connected" if connected else ""))
        if frames == 0 or errors or not connected:
            status = 1
            print("check-docs: FAILED; the line was:\n%s\n--- output "
                  "(last 40 lines) ---\n%s" % (block,
                                               "\n".join(out.splitlines()
                                                         [-40:])))
    return status


def main(argv):
    if len(argv) >= 4 and argv[1] == "drift":
        return drift(argv[2], argv[3])
    if len(argv) >= 3 and argv[1] == "launch":
        return launch(argv[2], int(argv[3]) if len(argv) > 3 else 6)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
