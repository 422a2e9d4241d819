"""The run's report as a table for people, JSON for scripts and JUnit XML for CI."""
from __future__ import annotations

import dataclasses
import datetime
import json
import shutil
import textwrap
import xml.etree.ElementTree as ET
from typing import List, TextIO

from .runner import Report, Result, worst_exit_code

MAX_DETAIL_LINES = 4


def format_table(report: Report, width: int = 0) -> str:
    width = width or shutil.get_terminal_size((120, 24)).columns
    id_w = max([len("check")] + [len(r.id) for r in report.records])
    res_w = len("NOT RUN")
    fixed = id_w + res_w + 8 + 6
    detail_w = max(30, width - fixed)
    lines = [f"hailo-validate: {report.target} ({report.profile} profile)"]
    if not report.reached:  # the one line that says what to fix, before a table of NOT RUN
        lines.append(f"error: {report.error}")
    lines += [
             f"{'check':<{id_w}}  {'result':<{res_w}}  {'time':>6}  detail",
             f"{'-' * id_w}  {'-' * res_w}  {'-' * 6}  {'-' * min(detail_w, 40)}"]
    indent = " " * (fixed - 6 + 4)
    for r in report.records:
        # Wrapped, not cut: a FAIL's detail is the part people need (the full text is in JSON).
        detail = textwrap.wrap(" ".join(r.detail.split()), detail_w, max_lines=MAX_DETAIL_LINES,
                               break_on_hyphens=False, break_long_words=True) or [""]
        lines.append(f"{r.id:<{id_w}}  {r.result.value:<{res_w}}  {r.seconds:>5.1f}s  {detail[0]}")
        lines += [indent + more for more in detail[1:]]
    counts = ", ".join(f"{report.count(x)} {x.value}" for x in Result if report.count(x))
    verdict = "VALIDATED" if report.passed else "NOT VALIDATED"
    lines.append(f"{verdict}: {counts} in {report.seconds:.1f} s")
    if report.error and report.reached:
        lines.append(f"error: {report.error}")
    return "\n".join(lines)


def to_json(report: Report) -> dict:
    data = dataclasses.asdict(report)
    for r in data["records"]:
        r["result"] = r["result"].value
        r["seconds"] = round(r["seconds"], 3)
    data["seconds"] = round(report.seconds, 3)
    data["passed"] = report.passed
    data["exit_code"] = report.exit_code
    data["counts"] = {x.value: report.count(x) for x in Result}
    return data


def write_json(report: Report, out: TextIO) -> None:
    json.dump(to_json(report), out, indent=2)
    out.write("\n")


def _suite(report: Report, name: str) -> ET.Element:
    """A <testsuite>; FAIL is <failure>, SKIP is <skipped>, NOT RUN is <error> (the run broke)."""
    suite = ET.Element("testsuite", {
        "name": name,
        "tests": str(len(report.records)),
        "failures": str(report.count(Result.FAIL)),
        "errors": str(report.count(Result.NOT_RUN)),
        "skipped": str(report.count(Result.SKIP)),
        "time": f"{report.seconds:.3f}",
        "timestamp": junit_timestamp(report.started),
        "hostname": report.target,
    })
    for r in report.records:
        # classname groups a target's cases in CI views (Jenkins shows it as the package/class)
        case = ET.SubElement(suite, "testcase", {"classname": name, "name": r.id, "time": f"{r.seconds:.3f}"})
        tag = {Result.FAIL: "failure", Result.SKIP: "skipped", Result.NOT_RUN: "error"}.get(r.result)
        if tag:
            text = r.detail
            if r.result == Result.NOT_RUN and report.error and report.error not in text:
                # CI views show a case's own text, not the suite's system-err: say why here.
                text = f"{r.detail}: {report.error}"
            ET.SubElement(case, tag, {"message": text}).text = text
        else:
            ET.SubElement(case, "system-out").text = r.detail
    if report.error:
        ET.SubElement(suite, "system-err").text = report.error
    return suite


def _tree(root: ET.Element) -> ET.ElementTree:
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def to_junit(report: Report) -> ET.ElementTree:
    """One target: one <testsuite name="hailo-validate.<profile>">."""
    return _tree(_suite(report, f"hailo-validate.{report.profile}"))


def to_junit_many(reports: List[Report]) -> ET.ElementTree:
    """Many targets: <testsuites> with a <testsuite name="hailo-validate.<profile>.<target>"> each."""
    root = ET.Element("testsuites", {
        "name": "hailo-validate",
        "tests": str(sum(len(r.records) for r in reports)),
        "failures": str(sum(r.count(Result.FAIL) for r in reports)),
        "errors": str(sum(r.count(Result.NOT_RUN) for r in reports)),
        "skipped": str(sum(r.count(Result.SKIP) for r in reports)),
        "time": f"{max((r.seconds for r in reports), default=0.0):.3f}",   # they ran at once
    })
    for r in reports:
        root.append(_suite(r, f"hailo-validate.{r.profile}.{r.target}"))
    return _tree(root)


def to_json_many(reports: List[Report], seconds: float) -> dict:
    return {"targets": [to_json(r) for r in reports], "seconds": round(seconds, 3),
            "passed": all(r.passed for r in reports),
            "exit_code": worst_exit_code(reports)}


def junit_timestamp(started: str) -> str:
    """The JUnit schema's xs:dateTime without a zone (strict readers refuse "+00:00"); UTC."""
    moment = datetime.datetime.fromisoformat(started)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def write_junit(report: Report, path) -> None:
    to_junit(report).write(path, encoding="utf-8", xml_declaration=True)
