"""The CLI and the API as a careful user meets them: data printed as data, one-line errors naming the path or the
option, one country parser (names in other languages too), ids too long refused without echoing them, a port
checked before it is announced, progress on the long commands."""

from __future__ import annotations

import contextlib
import csv
import errno
import gettext
import importlib
import io
import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pandas as pd
import pycountry
import pytest
import rich.progress
from fastapi.testclient import TestClient
from rich.console import Console
from rich.progress import Progress
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import QueryError
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.cli import common
from modelcensus.outputs.cli.app import app
from modelcensus.outputs.common.render import emit
from modelcensus.records import MAX_NAME_LENGTH, CountryToken, country_code, requested_country
from modelcensus.vocabulary import OutputFormat

from conftest import ROOT

runner = CliRunner()
claims_check = importlib.import_module("modelcensus.claims.check")


def one_line_error(result: object, *expected: str) -> str:
    """The output of a failed command: one line, ``error: …``, holding every ``expected`` text, no traceback."""
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ") and "Traceback" not in output
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return str(lines[0])


# -- data printed as data -------------------------------------------------------------------------------------


def test_bracketed_model_names_print_as_they_are(epoch_census_path: Path, census: mc.Census) -> None:
    """Black Forest Labs' models are named ``FLUX.1 [dev]``, ``[pro]``…: the brackets are data, not Rich markup."""
    names = set(census.models(organization="Black Forest").frame["name"])
    bracketed = {n for n in names if "[" in n}
    assert bracketed
    result = runner.invoke(app, ["models", "--organization", "Black Forest", "--db", str(epoch_census_path)])
    assert result.exit_code == 0, result.output
    for name in bracketed:
        assert name in result.stdout, name


def test_markup_a_user_types_is_printed_as_typed(epoch_census_path: Path) -> None:
    given = "[bold red]X[/bold red]"
    result = runner.invoke(app, ["orgs", "resolve", given])
    assert result.exit_code == 3  # unresolved
    assert given in result.stdout  # the table's cell
    assert f"unresolved: {given}" in result.stderr
    error = runner.invoke(app, ["models", "--country", "[bold]Atlantis[/bold]", "--db", str(epoch_census_path)])
    one_line_error(error, "--country", "'[bold]Atlantis[/bold]'")


def test_a_table_prints_its_title_caption_headers_and_cells_as_text() -> None:
    frame = pd.DataFrame({"name [full]": ["Flux.1 [pro]", "[red]x[/red]"], "count": [1, 2]})
    figure = mc.Figure(frame, mc.Provenance(note="models named [dev] included", definition="[i]all[/i]"))
    console = Console(file=io.StringIO(), width=200, record=True)
    emit(figure, OutputFormat.table, console, title="[bold]Models[/bold] of Black Forest Labs")
    text = console.export_text()
    for shown in ("[bold]Models[/bold]", "name [full]", "Flux.1 [pro]", "[red]x[/red]", "[dev]", "[i]all[/i]"):
        assert shown in text, shown


# -- one-line errors for the paths given to ingest ------------------------------------------------------------

MAPPING = ROOT / "examples" / "mappings" / "china_llm_list.yaml"


def _ingest_cases(folder: Path, shared: Path) -> list[tuple[list[str], str, str]]:
    """(arguments, the path the error must name, what it must say) for every ingest and ``build --from``."""
    missing, empty_dir, empty = folder / "nope.json", folder / "empty-folder", folder / "empty.json"
    listing = shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv"
    cases: list[tuple[list[str], str, str]] = []
    for source in ("epoch", "huggingface", "lmarena", "cac"):  # a file or a folder
        cases += [
            (["ingest", source, "--from", str(missing)], str(missing), "no such file or folder"),
            (["ingest", source, "--from", str(empty)], str(empty), "an empty file"),
        ]
    for source in ("openrouter", "litellm"):  # a file
        cases += [
            (["ingest", source, "--from", str(missing)], str(missing), "no such file"),
            (["ingest", source, "--from", str(empty_dir)], str(empty_dir), "a folder, not a file"),
            (["ingest", source, "--from", str(empty)], str(empty), "an empty file"),
        ]
    tabular = ["ingest", "tabular"]
    cases += [
        ([*tabular, "--from", str(missing), "--mapping", str(MAPPING)], str(missing), "no such file"),
        ([*tabular, "--from", str(empty_dir), "--mapping", str(MAPPING)], str(empty_dir), "a folder, not a file"),
        ([*tabular, "--from", str(empty), "--mapping", str(MAPPING)], str(empty), "an empty file"),
        ([*tabular, "--from", str(listing), "--mapping", str(missing)], str(missing), "no such file"),
        ([*tabular, "--from", str(listing), "--mapping", str(empty_dir)], str(empty_dir), "a folder, not a file"),
        ([*tabular, "--from", str(listing), "--mapping", str(empty)], str(empty), "an empty file"),
        (["build", "--from", str(missing)], str(missing), "no such folder"),
        (["build", "--from", str(empty_dir)], str(empty_dir), "no source file"),
        (["build", "--from", str(empty)], str(empty), "an empty file"),
    ]
    return cases


def test_every_ingest_of_a_bad_path_is_one_line_and_the_store_keeps_its_data(
    tmp_path: Path, epoch_census_path: Path, shared: Path
) -> None:
    db = tmp_path / "census.duckdb"
    shutil.copyfile(epoch_census_path, db)
    with mc.open(db, read_only=True) as census:
        before = census.store.fingerprint()
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "empty.json").touch()
    for args, path, problem in _ingest_cases(tmp_path, shared):
        result = runner.invoke(app, [*args, "--db", str(db)])
        one_line_error(result, f"{path}: {problem}")
    with mc.open(db, read_only=True) as census:
        assert census.store.fingerprint() == before


def test_an_unreadable_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file this user may not read (simulated: the tests run as root, who may read anything)."""
    locked = tmp_path / "models.json"
    locked.write_text('{"data": []}')
    opened = Path.open

    def refuse(path: Path, *args: object, **kwargs: object) -> object:
        if path == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return opened(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    result = runner.invoke(app, ["ingest", "openrouter", "--from", str(locked), "--db", str(tmp_path / "c.duckdb")])
    one_line_error(result, str(locked), "cannot read the file (Permission denied)")


def test_a_folder_of_nothing_recognised_names_what_was_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a source\n")
    result = runner.invoke(app, ["build", "--from", str(folder), "--db", str(tmp_path / "c.duckdb")])
    one_line_error(result, str(folder), "no source file recognised", "notes.txt")


# -- one country parser, in every language pycountry knows -----------------------------------------------------


def test_country_names_in_other_languages_give_what_their_code_gives(epoch_census_path: Path) -> None:
    def listed(country: str) -> list[str]:
        result = runner.invoke(
            app, ["models", "--country", country, "--format", "json", "--db", str(epoch_census_path)]
        )
        assert result.exit_code == 0, result.output
        return sorted(row["name"] for row in json.loads(result.stdout))

    china = listed("CN")
    assert china and listed("中国") == china and listed("Chine") == china
    assert listed("Amerika Serikat") == listed("US")


def test_cli_and_api_refuse_an_unknown_country_alike(epoch_census_path: Path) -> None:
    for unknown in ("XX", "Atlantis", "中土"):
        with TestClient(create_app(epoch_census_path)) as client:
            answer = client.get("/api/models", params={"country": unknown})
        assert answer.status_code == 422
        (detail,) = answer.json()["detail"]
        assert detail["loc"] == ["query", "country"]
        result = runner.invoke(app, ["models", "--country", unknown, "--db", str(epoch_census_path)])
        one_line_error(result, f"--country: {detail['msg']}")


def test_api_answers_a_country_name_as_its_code(epoch_census_path: Path) -> None:
    with TestClient(create_app(epoch_census_path)) as client:
        by_code = client.get("/api/models", params={"country": "CN", "limit": 1}).json()
        by_name = client.get("/api/models", params={"country": "中国", "limit": 1}).json()
    assert by_code["total"] > 0 and by_name == by_code


def test_every_reviewed_country_name_resolves_to_its_code() -> None:
    path = ROOT / "src" / "modelcensus" / "data" / "country_names.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["note"].strip() for row in rows), "every alias says why"
    for row in rows:
        if row["code"]:
            assert requested_country(row["name"]) == row["code"], row
        else:  # Multinational, Europe…: never guessed as a country (an error, or "unknown": the no-country row)
            with contextlib.suppress(QueryError):
                assert requested_country(row["name"]) is None, row


def test_one_english_name_per_country_everywhere(epoch_census_path: Path) -> None:
    """``Russia``, not ``Russian Federation``: the reviewed display names (where pycountry has only a formal or index
    form) are what every output writes, and each reads back as its code; a table of counts says the same."""
    from modelcensus.outputs.common.i18n import Words
    from modelcensus.records import country_name

    path = ROOT / "src" / "modelcensus" / "data" / "country_display_names.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    english = Words.load("en")
    for row in rows:
        assert row["note"].strip() and pycountry.countries.get(alpha_2=row["code"]) is not None, row
        assert country_name(row["code"]) == english.country(row["code"]) == row["name"], row
        assert requested_country(row["name"]) == row["code"], row
    index_form = re.compile(r", (the|state of|federated states of|british|u\.s\.)", re.IGNORECASE)  # "X, State of"
    assert not [n for n in english.countries().values() if index_form.search(n) or n.endswith("Federation")]
    counted = runner.invoke(app, ["count", "--by", "country", "--format", "json", "--db", str(epoch_census_path)])
    names = {r["group"]: r["group_name"] for r in json.loads(counted.stdout)}
    assert names["RU"] == "Russia" and "Russian Federation" not in counted.stdout
    table = runner.invoke(app, ["count", "--by", "country", "--db", str(epoch_census_path)])
    assert "Russia " in table.stdout and "Russian Federation" not in table.stdout


@pytest.mark.parametrize("language", ["zh_CN", "zh_TW", "ja", "ko", "fr", "it", "id", "de", "es", "pt", "ru", "ar"])
def test_country_names_resolve_through_pycountry_translations(language: str) -> None:
    """Every country's name in ``language`` resolves to that country, except where it is another country's code or
    English name (those come first), or where the translations give the name to two countries (never guessed)."""
    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    unresolved, wrong = [], []
    for country in pycountry.countries:
        name = translation.gettext(country.name)
        found = country_code(name)
        if found == CountryToken.UNKNOWN:
            unresolved.append(name)
        elif found != country.alpha_2:
            wrong.append((name, found))
    assert len(unresolved) <= len(pycountry.countries) // 100, unresolved
    for name, found in wrong:
        assert pycountry.countries.lookup(name).alpha_2 == found, (name, found)


# -- ids too long are refused, and not echoed ---------------------------------------------------------------


def test_api_refuses_an_id_too_long_without_echoing_it(epoch_census_path: Path) -> None:
    long = "x" * 60_000
    with TestClient(create_app(epoch_census_path)) as client:
        for url, field in (("/api/models/", "model_id"), ("/api/definitions/", "name")):
            answer = client.get(url + long)
            assert answer.status_code == 422 and len(answer.content) < 1_000, answer.text[:300]
            (detail,) = answer.json()["detail"]
            assert detail["loc"] == ["path", field] and f"at most {MAX_NAME_LENGTH}" in detail["msg"]
        for params in ({"organization": long}, {"country": long}, {"by": long}):
            answer = client.get("/api/models" if "by" not in params else "/api/count", params=params)
            assert answer.status_code == 422 and len(answer.content) < 1_000, answer.text[:300]
        at_limit = client.get("/api/models/" + "x" * MAX_NAME_LENGTH)
        assert at_limit.status_code == 404  # as long as allowed: looked up, and not found


@pytest.mark.parametrize(
    "args",
    [["links", "show"], ["lineage"], ["definitions", "show"], ["models", "--organization"], ["count", "--by"]],
    ids=lambda a: " ".join(a),
)
def test_cli_refuses_a_name_too_long_in_one_short_line(epoch_census_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "x" * 60_000, "--db", str(epoch_census_path)])
    line = one_line_error(result, "60,000 characters")
    assert len(line) < 400


# -- serve: a port checked before it is announced ----------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_serve_refuses_a_port_out_of_range(tmp_path: Path, port: str) -> None:
    db = tmp_path / "census.duckdb"
    db.touch()
    result = runner.invoke(app, ["serve", "--port", port, "--db", str(db)])
    assert result.exit_code == 2 and "--port" in result.output
    assert "serving" not in result.output


def test_serve_reports_a_busy_port_before_announcing(tmp_path: Path) -> None:
    db = tmp_path / "census.duckdb"
    db.touch()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port), "--db", str(db)])
    line = one_line_error(result, f"--port {port}", "already in use")
    assert "serving" not in line


# -- progress on the long commands ----------------------------------------------------------------------

CLAIMS = """claims:
  - id: notable-us
    claim: "Notable AI models of 2024 [US]: at least 10"
    metric: count
    country: US
    period: {year: 2024}
    comparison: ">="
    value: 10
    definition: epoch-notable
  - id: notable-cn
    claim: "Notable AI models of 2024: China at least 5"
    metric: count
    country: CN
    period: {year: 2024}
    comparison: ">="
    value: 5
    definition: epoch-notable
"""


def test_check_tells_its_progress_and_its_verdicts_do_not_change(
    tmp_path: Path, census: mc.Census, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS)
    monkeypatch.setattr(claims_check, "_CHECKED", {})  # computed here, not answered from an earlier test's run
    steps: list[tuple[str, int, int]] = []
    told = census.check(claims, progress=lambda step, done, total: steps.append((step, done, total)))
    monkeypatch.setattr(claims_check, "_CHECKED", {})
    assert census.check(claims) == told
    total = len(census.definitions()) + 2
    assert steps[-1] == ("done", total, total)
    counted = [s for s in steps if s[2] == total]
    assert [done for _, done, _ in counted] == list(range(total + 1))
    assert [s[0] for s in counted if s[0].startswith("claim ")] == ["claim notable-us", "claim notable-cn"]


def test_export_tells_each_table(tmp_path: Path, census: mc.Census) -> None:
    steps: list[tuple[str, int, int]] = []
    manifest = census.export(tmp_path / "out", "csv", progress=lambda *step: steps.append(step))
    assert sorted(step for step, _, _ in steps) == sorted(manifest["tables"])
    assert [(done, total) for _, done, total in steps] == [(i, len(steps)) for i in range(len(steps))]


class _EveryStep(Progress):
    """Rich's progress, drawn at every update (Rich redraws ten times a second: a step quicker than that would be
    told and never seen by the test)."""

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self.refresh()


def _on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Make the CLI believe stderr is a terminal; what its progress draws lands in the returned buffer."""
    drawn = io.StringIO()
    monkeypatch.setattr(common, "_interactive", lambda: True)
    monkeypatch.setattr(rich.progress, "Progress", _EveryStep)  # drawn by the CLI's bars
    monkeypatch.setattr(common, "err_console", Console(file=drawn, force_terminal=True, width=150, markup=False))
    return drawn


def test_progress_is_drawn_on_a_terminal_only_and_not_in_the_results(
    tmp_path: Path, epoch_census_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS)
    args = ["check", str(claims), "--format", "json", "--db", str(epoch_census_path)]
    monkeypatch.setattr(claims_check, "_CHECKED", {})  # computed here, every step told
    with monkeypatch.context() as terminal:
        drawn = _on_a_terminal(terminal)
        shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    plain = runner.invoke(app, args)  # captured: no terminal, no progress (the verdicts of the run before)
    assert plain.exit_code == 0 and plain.stderr == "", plain.output
    assert json.loads(shown.stdout) == json.loads(plain.stdout)  # the results alone on stdout
    for step in ("opening the census", "check: claim notable-us", "check: claim notable-cn"):
        assert step in drawn.getvalue(), step


@pytest.mark.parametrize(
    ("args", "label"),
    [
        (["count", "--definition", "epoch-notable"], "count"),
        (["vintages", "--year", "2024"], "vintages"),
        (["estimate"], "estimate"),
    ],
    ids=lambda a: a if isinstance(a, str) else " ".join(a),
)
def test_long_commands_show_progress(
    small_census_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], label: str
) -> None:
    drawn = _on_a_terminal(monkeypatch)
    result = runner.invoke(app, [*args, "--db", str(small_census_path)])
    assert result.exit_code == 0, result.output
    assert label in drawn.getvalue()
