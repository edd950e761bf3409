"""JUnit XML: one test suite "ansopt", one test case per file with findings.

Each finding is a `<failure>` of its test case (parse errors, E001, and internal errors,
E003, are `<error>`s: the file could not be checked). With no findings at all the suite
holds a single passing test case named "ansopt", so CI shows a green test. The counts follow
JUnit: `tests` counts test cases, `failures` those with a failure and no error, `errors`
those with an error.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..diagnostics import INTERNAL_ERROR_CODE, PARSE_ERROR_CODE
from . import ReportContext

ERROR_CODES = (PARSE_ERROR_CODE, INTERNAL_ERROR_CODE)

# Characters XML 1.0 cannot hold, even escaped.
_INVALID_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(s: str) -> str:
    return _INVALID_XML.sub("\ufffd", s)


def line_for(f) -> str:
    return f"{f.path}:{f.line}:{f.col}: {f.code} [{f.slug}] {f.message}"


def build(findings, ctx: ReportContext) -> ET.Element:
    by_file: dict[str, list] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)

    suites = ET.Element("testsuites", name="ansopt")
    suite = ET.SubElement(suites, "testsuite", name="ansopt")
    failures = errors = 0
    if not by_file:
        ET.SubElement(suite, "testcase", classname="ansopt", name="ansopt")
    for path, fs in by_file.items():
        case = ET.SubElement(suite, "testcase", classname=_clean(path), name=_clean(path), file=_clean(path))
        for f in fs:
            tag = "error" if f.code in ERROR_CODES else "failure"
            el = ET.SubElement(case, tag, type=f.code, message=_clean(f.message))
            el.text = _clean(line_for(f) + (f"\nhelp: {f.help}" if f.help else ""))
        if any(f.code in ERROR_CODES for f in fs):
            errors += 1
        else:
            failures += 1
    tests = max(len(by_file), 1)
    for el in (suites, suite):
        el.set("tests", str(tests))
        el.set("failures", str(failures))
        el.set("errors", str(errors))
        el.set("skipped", "0")
    if ctx.files_checked:
        props = ET.Element("properties")
        ET.SubElement(props, "property", name="files_checked", value=str(ctx.files_checked))
        suite.insert(0, props)
    return suites


def render(findings, ctx: ReportContext) -> str:
    root = build(findings, ctx)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
