"""The command line as an operator uses it: stages as they run, quiet runs, several reports."""

from __future__ import annotations

import re
import shutil

from builder.check import run_checks
from builder.cli import main
from builder.load import load

from .conftest import EXAMPLES, edit, in_a_fresh_python


def test_a_build_tells_its_stages_with_their_times(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 0
    out, err = capsys.readouterr()
    stages = [line.split(":")[0] for line in err.splitlines() if line.endswith(" s") and ": " in line]
    assert stages == ["load", "checks", "HTML", "writing"]
    assert "wrote " in out


def test_quiet_prints_only_the_warnings(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err and all(re.search(r" warning [CI]\d\d: ", line) for line in err.splitlines())


def test_several_reports_build_side_by_side_with_one_summary(tmp_path, capsys):
    for name in ("good", "other", "broken"):
        shutil.copytree(EXAMPLES / "360digitech-2021", tmp_path / name, ignore=shutil.ignore_patterns("output"))
    edit(tmp_path / "broken" / "company.yaml", ("  financial_year: 2021\n", "  financial_year: twenty\n"))
    reports = [str(tmp_path / "good"), str(tmp_path / "broken" / "company.yaml"), str(tmp_path / "other")]

    assert main([*reports, "--jobs", "2", "--no-pdf", "--no-xbrl"]) == 2  # the worst exit code: bad input
    out, err = capsys.readouterr()
    summary = out.strip().splitlines()  # a heading, a row per report, a total
    assert [line.split()[1] for line in summary[1:4]] == ["ok", "bad", "ok"]  # in the order given
    assert summary[-1] == "2 of 3 built"
    # a built report says how many warnings it has, and the table keeps its columns
    warnings = sum(f.severity == "warning" for f in run_checks(load(tmp_path / "good" / "company.yaml")))
    assert warnings > 0 and f"ok ({warnings} warnings)" in summary[1]
    assert len({line.index(" s", len(line) - 3) for line in summary[1:4]}) == 1
    # the failed report's own error, with its place, and the built ones' warnings, with theirs
    assert "broken/company.yaml:27:19: report.financial_year: expected a whole number" in err
    for name in ("good", "other"):
        printed = err.split(f"{tmp_path / name / 'company.yaml'}:\n", 1)[1].split("\n\n", 1)[0]
        assert sum(" warning " in line for line in printed.splitlines()) == warnings, printed
    assert (tmp_path / "good" / "output" / "report.html").is_file()
    assert (tmp_path / "other" / "output" / "report.html").is_file()
    assert not (tmp_path / "broken" / "output").exists()


def test_several_reports_built_quietly_say_only_their_warnings_and_errors(tmp_path, capsys):
    for name in ("good", "broken"):
        shutil.copytree(EXAMPLES / "360digitech-2021", tmp_path / name, ignore=shutil.ignore_patterns("output"))
    edit(tmp_path / "broken" / "company.yaml", ("  financial_year: 2021\n", "  financial_year: twenty\n"))
    assert main([str(tmp_path / "good"), "--no-pdf", "--no-xbrl", "--quiet"]) == 0  # one, as before
    capsys.readouterr()
    assert main([str(tmp_path / "good"), str(tmp_path / "broken"), "-q", "--no-pdf", "--no-xbrl"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "broken/company.yaml:27:19: report.financial_year: expected a whole number" in err
    assert " warning " in err.split(f"{tmp_path / 'good' / 'company.yaml'}:\n", 1)[1]
    assert "internal error" not in err and " at a time" not in err
    assert (tmp_path / "good" / "output" / "report.html").is_file()


def _build_many_in(reports, found):
    from builder.batch import build_many

    outcomes = build_many(reports, 2, ["--no-pdf", "--no-xbrl"], fork=True)
    found.put([(str(o.report), o.exit_code, o.printed) for o in outcomes])


def test_a_pool_worker_builds_several_reports_each_as_a_command(tmp_path):
    """A pool's worker process (Dask's are daemonic, and may not start processes of multiprocessing)
    calling builder.batch.build_many, even asking for builds forked from it: each report is built
    by a `build-report` command of its own."""
    import multiprocessing

    for name in ("good", "broken"):
        shutil.copytree(EXAMPLES / "360digitech-2021", tmp_path / name, ignore=shutil.ignore_patterns("output"))
    edit(tmp_path / "broken" / "company.yaml", ("  financial_year: 2021\n", "  financial_year: twenty\n"))
    reports = [tmp_path / "good" / "company.yaml", tmp_path / "broken" / "company.yaml"]
    context = multiprocessing.get_context("spawn")
    found = context.Queue()
    worker = context.Process(target=_build_many_in, args=(reports, found), daemon=True)
    worker.start()
    outcomes = found.get(timeout=120)
    worker.join()
    assert [(report, code) for report, code, _ in outcomes] == [(str(reports[0]), 0), (str(reports[1]), 2)]
    assert "report.financial_year: expected a whole number" in outcomes[1][2]
    assert (tmp_path / "good" / "output" / "report.html").is_file()


# A program that calls the builder: what of Arelle's global state it finds after a batch of forked builds.
PROGRAM = """
import builtins, json, sys
from pathlib import Path
from arelle.plugin_system.entry_point_ref import EntryPointRef
builtins._ = mine = lambda text: text
discover = EntryPointRef.discoverAll
from builder.batch import build_many
outcomes = build_many([Path(sys.argv[1])], 1, ["--no-pdf"], fork=True)
print(json.dumps({"codes": [o.exit_code for o in outcomes], "gettext": builtins._ is mine,
                  "discovery": EntryPointRef.discoverAll is discover}))
"""


def test_a_program_that_builds_reports_keeps_its_arelle_as_it_was(tmp_path):
    """Only the command's own process has Arelle find its plugins ahead (builder.arelle_plugins),
    which sets Arelle's global state: a program calling build_many, even with fork, keeps its own
    gettext `_` and Arelle's plugin discovery, and its reports are validated all the same."""
    import json

    shutil.copytree(EXAMPLES / "360digitech-2021", tmp_path / "report", ignore=shutil.ignore_patterns("output"))
    program = json.loads(in_a_fresh_python(PROGRAM, tmp_path / "report" / "company.yaml"))
    assert program == {"codes": [0], "gettext": True, "discovery": True}
    validation = json.loads((tmp_path / "report" / "output" / "validation.json").read_text(encoding="utf-8"))
    assert validation["facts"] > 100 and validation["errors"] == validation["warnings"] == 0


def test_one_output_folder_for_several_reports_is_refused(tmp_path, capsys):
    assert main([str(EXAMPLES / "360digitech-2021"), str(EXAMPLES / "kuaishou-2020"), "-o", str(tmp_path)]) == 2
    assert "with several reports, each is written beside its YAML" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_a_report_that_does_not_exist_is_named(tmp_path, capsys):
    assert main([str(EXAMPLES / "360digitech-2021"), str(tmp_path / "nowhere")]) == 2
    assert f"no such report: {tmp_path / 'nowhere'}\n" in capsys.readouterr().err


def test_check_and_collect_take_a_reports_folder_as_a_build_does(tmp_path, capsys):
    assert main(["check", str(EXAMPLES / "kuaishou-2020")]) == 0
    assert "43 provisions" in capsys.readouterr().out
    assert main(["collect", str(EXAMPLES / "360digitech-2021"), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "group.xlsx").is_file()


def test_a_missing_company_yaml_says_where_it_was_looked_for(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert f"company.yaml: no such file in {tmp_path.resolve()}" in capsys.readouterr().err


def test_the_command_ends_with_all_it_printed_and_its_exit_code(tmp_path):
    """The command ends without Python's finalization (builder.cli.run): what it printed reaches a
    pipe whole, and its exit code is main()'s."""
    import json
    import subprocess
    import sys

    from builder.schema import json_schema

    printed = subprocess.run([sys.executable, "-m", "builder", "schema"], capture_output=True, text=True)
    assert printed.returncode == 0 and json.loads(printed.stdout) == json.loads(json.dumps(json_schema()))
    refused = subprocess.run([sys.executable, "-m", "builder", "check", str(tmp_path / "none.yaml")],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "none.yaml" in refused.stderr
