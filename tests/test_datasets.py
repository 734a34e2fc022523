"""Tests for hiddenwork.datasets and for the shipped data themselves.

Three groups:

* the loader: typing, checksums, schema checks and every error path (on copies of the shipped
  folders or on tiny hand-made files in a temporary folder);
* the data: label sets, the writers' rules, no empty or near-duplicate texts, links between
  datasets, the digits batch equal to scikit-learn's copy;
* the datasheets: complete, their count tables equal to the data, their baseline figures
  reproduced by re-running the baseline.
"""

from __future__ import annotations

import hashlib
import json
import re
import runpy
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from hiddenwork import datasets
from hiddenwork.datasets import (
    ChecksumError,
    DatasetError,
    FormatError,
    MissingFileError,
    SchemaError,
    UnknownDatasetError,
)

NAMES = ["care-replies", "digits-batch", "helpdesk", "helpdesk-faq"]
FOLDERS = {
    "care-replies": "care-replies",
    "digits-batch": "digits-batch",
    "helpdesk": "helpdesk",
    "helpdesk-faq": "helpdesk",
}
TOPICS = ["housing", "benefits", "health", "employment", "family", "paperwork", "other"]
STYLES = ["attuned", "scripted", "procedural", "dismissive"]
NEAR_DUPLICATE = 0.8
BLOCK = re.compile(r"<!-- BEGIN (?P<key>[^>]+?) -->\n(?P<body>.*?)<!-- END (?P=key) -->", re.S)
SUM_LINE = re.compile(r"^[0-9a-f]{64}  \S+$")


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    """Every shipped dataset, loaded once."""
    return {name: datasets.load(name) for name in NAMES}


@pytest.fixture(scope="module")
def root() -> Path:
    return datasets.data_root()


@pytest.fixture(scope="module")
def sheets(root: Path) -> dict[str, str]:
    return {
        folder: (root / folder / "DATASHEET.md").read_text(encoding="utf-8")
        for folder in ("helpdesk", "care-replies", "digits-batch")
    }


def write_sums(folder: Path) -> None:
    """Write SHA256SUMS for the CSVs and schema.json of a folder, as the maintainer tool does."""
    files = sorted([*folder.glob("*.csv"), folder / "schema.json"], key=lambda p: p.name)
    lines = [f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}" for f in files]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def copy_folder(root: Path, tmp_path: Path, folder: str) -> Path:
    """Copy a shipped dataset folder into tmp_path/data; return the new root."""
    new_root = tmp_path / "data"
    shutil.copytree(root / folder, new_root / folder)
    return new_root


def make_faq(
    root: Path, tmp_path: Path, content: str | bytes, *, resum: bool = True, file: str = "faq.csv"
) -> Path:
    """A helpdesk folder holding only a hand-made faq.csv and the shipped schema."""
    new_root = tmp_path / "data"
    folder = new_root / "helpdesk"
    folder.mkdir(parents=True)
    shutil.copy(root / "helpdesk" / "schema.json", folder / "schema.json")
    raw = content.encode("utf-8") if isinstance(content, str) else content
    (folder / file).write_bytes(raw)
    if resum:
        write_sums(folder)
    return new_root


FAQ_OK = (
    "faq_id,topic,question,answer\n"
    'F01,housing,How do I apply?,"Use the portal, or the paper form."\n'
    "F02,benefits,When are benefits paid?,On the first working day of the month.\n"
    "F03,other,Where is the help centre?,In the Old Quarter.\n"
)


def tables(sheet: str) -> dict[str, list[list[str]]]:
    """Generated tables of a datasheet: key -> rows of cells, header first (rule line dropped)."""
    found = {}
    for match in BLOCK.finditer(sheet):
        lines = [ln for ln in match["body"].splitlines() if ln.startswith("|")]
        del lines[1:2]
        found[match["key"]] = [
            [c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines
        ]
    return found


def label(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def max_similarity(texts: list[str]) -> float:
    matrix = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    sim = cosine_similarity(matrix)
    np.fill_diagonal(sim, 0.0)
    return float(sim.max())


def tool(root: Path, name: str) -> dict[str, Any]:
    script = root.parent / "datasets" / "tools" / name
    if not script.is_file():  # an installed package: the tools stay in the checkout
        script = Path(__file__).resolve().parents[1] / "datasets" / "tools" / name
    return runpy.run_path(str(script))


# --- the loader ------------------------------------------------------------------------------


def test_names_lists_the_four_datasets() -> None:
    assert datasets.names() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_load_types_columns_as_the_schema_says(
    name: str, data: dict[str, pd.DataFrame], root: Path
) -> None:
    frame = data[name]
    folder = root / FOLDERS[name]
    spec = json.loads((folder / "schema.json").read_text())["files"][frame.attrs["path"].name]
    assert spec["dataset"] == name
    assert frame.columns.tolist() == [c["name"] for c in spec["columns"]]
    for col in spec["columns"]:
        dtype = frame[col["name"]].dtype
        if col["type"] == "string":
            assert isinstance(dtype, pd.StringDtype), col["name"]
        elif col["type"] == "category":
            assert isinstance(dtype, pd.CategoricalDtype), col["name"]
            assert dtype.categories.tolist() == col["values"]
        elif col["type"] == "bool":
            assert dtype == np.dtype(bool), col["name"]
        elif col["type"] == "int":
            assert dtype == np.dtype("int64"), col["name"]
        else:
            assert dtype == np.dtype("float64"), col["name"]
    assert len(frame) > 0
    assert frame.index.equals(pd.RangeIndex(len(frame)))


@pytest.mark.parametrize("name", NAMES)
def test_load_records_where_it_read_from(
    name: str, data: dict[str, pd.DataFrame], root: Path
) -> None:
    frame = data[name]
    assert frame.attrs["name"] == name
    assert frame.attrs["path"] == datasets.path(name)
    assert frame.attrs["path"].parent.parent == root
    assert frame.attrs["sha256"] == hashlib.sha256(frame.attrs["path"].read_bytes()).hexdigest()


@pytest.mark.parametrize("folder", ["helpdesk", "care-replies", "digits-batch"])
def test_sha256sums_cover_every_data_file_and_match(folder: str, root: Path) -> None:
    sums = (root / folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert all(SUM_LINE.match(line) for line in sums), sums
    listed = {line.split("  ")[1]: line.split("  ")[0] for line in sums}
    on_disk = {p.name for p in (root / folder).glob("*.csv")} | {"schema.json"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((root / folder / name).read_bytes()).hexdigest() == digest


def test_loading_twice_gives_equal_frames(data: dict[str, pd.DataFrame]) -> None:
    again = datasets.load("helpdesk")
    pd.testing.assert_frame_equal(again, data["helpdesk"])
    again.loc[0, "text"] = "changed"
    assert datasets.load("helpdesk").loc[0, "text"] != "changed"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownDatasetError) as info:
        datasets.load("helpdsk")
    message = str(info.value)
    assert "'helpdsk'" in message
    assert "Did you mean 'helpdesk'?" in message
    for name in NAMES:
        assert name in message
    with pytest.raises(UnknownDatasetError, match="Known datasets: care-replies"):
        datasets.load("mnist")
    with pytest.raises(UnknownDatasetError):
        datasets.path("nope")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("missing", ["messages.csv", "schema.json", "SHA256SUMS"])
def test_missing_file_is_named_with_a_way_to_restore_it(
    missing: str, root: Path, tmp_path: Path
) -> None:
    new_root = copy_folder(root, tmp_path, "helpdesk")
    (new_root / "helpdesk" / missing).unlink()
    with pytest.raises(MissingFileError) as info:
        datasets.load("helpdesk", root=new_root)
    message = str(info.value)
    assert str(new_root / "helpdesk" / missing) in message
    assert f"git checkout -- datasets/helpdesk/{missing}" in message
    assert isinstance(info.value, FileNotFoundError)
    assert info.value.path == new_root / "helpdesk" / missing


def test_missing_sums_file_is_fine_without_verification(root: Path, tmp_path: Path) -> None:
    new_root = copy_folder(root, tmp_path, "helpdesk")
    (new_root / "helpdesk" / "SHA256SUMS").unlink()
    assert len(datasets.load("helpdesk-faq", root=new_root, verify=False)) >= 30


def test_restore_hint_depends_on_where_the_data_live(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = copy_folder(root, tmp_path, "helpdesk")
    (checkout / "helpdesk" / "faq.csv").unlink()
    monkeypatch.setattr(datasets, "_CHECKOUT", checkout)
    with pytest.raises(MissingFileError, match=r"git checkout -- datasets/helpdesk/faq\.csv"):
        datasets.load("helpdesk-faq", root=checkout)
    packaged = tmp_path / "site" / "hiddenwork" / "_data"
    shutil.copytree(checkout, packaged)
    with pytest.raises(MissingFileError, match="pip install --force-reinstall"):
        datasets.load("helpdesk-faq", root=packaged)


def test_edited_file_fails_its_checksum(root: Path, tmp_path: Path) -> None:
    new_root = copy_folder(root, tmp_path, "helpdesk")
    file = new_root / "helpdesk" / "messages.csv"
    expected = hashlib.sha256(file.read_bytes()).hexdigest()
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace(",urgent,", ",routine,", 1), encoding="utf-8")
    actual = hashlib.sha256(file.read_bytes()).hexdigest()
    with pytest.raises(ChecksumError) as info:
        datasets.load("helpdesk", root=new_root)
    message = str(info.value)
    assert str(file) in message and expected in message and actual in message
    assert "git checkout -- datasets/helpdesk/messages.csv" in message
    assert "verify=False" in message
    edited = datasets.load("helpdesk", root=new_root, verify=False)
    assert (edited["urgency"] == "urgent").sum() == (
        datasets.load("helpdesk")["urgency"] == "urgent"
    ).sum() - 1


def test_edited_schema_fails_its_checksum(root: Path, tmp_path: Path) -> None:
    new_root = copy_folder(root, tmp_path, "digits-batch")
    schema = new_root / "digits-batch" / "schema.json"
    schema.write_text(schema.read_text().replace('"max": 16', '"max": 15', 1))
    with pytest.raises(ChecksumError, match=r"schema\.json"):
        datasets.load("digits-batch", root=new_root)


def test_file_not_listed_in_sums(root: Path, tmp_path: Path) -> None:
    new_root = copy_folder(root, tmp_path, "care-replies")
    sums = new_root / "care-replies" / "SHA256SUMS"
    kept = [ln for ln in sums.read_text().splitlines() if not ln.endswith("replies.csv")]
    sums.write_text("\n".join(kept) + "\n")
    with pytest.raises(ChecksumError, match=r"lists no checksum for 'replies\.csv'"):
        datasets.load("care-replies", root=new_root)


def test_malformed_sums_file(root: Path, tmp_path: Path) -> None:
    new_root = copy_folder(root, tmp_path, "care-replies")
    (new_root / "care-replies" / "SHA256SUMS").write_text("replies.csv deadbeef\n")
    with pytest.raises(FormatError, match=r"SHA256SUMS, line 1: expected"):
        datasets.load("care-replies", root=new_root)


def test_small_valid_file_loads(root: Path, tmp_path: Path) -> None:
    faq = datasets.load("helpdesk-faq", root=make_faq(root, tmp_path, FAQ_OK))
    assert faq["faq_id"].tolist() == ["F01", "F02", "F03"]
    assert faq.loc[0, "answer"] == "Use the portal, or the paper form."
    assert faq["topic"].cat.categories.tolist() == TOPICS


@pytest.mark.parametrize(
    ("content", "pattern", "line", "column"),
    [
        (
            FAQ_OK.replace("F02,benefits", "F02,benefit"),
            r"faq\.csv, line 3, column 'topic': 'benefit' is not allowed \(allowed: housing, ",
            3,
            "topic",
        ),
        (
            FAQ_OK.replace("F03,other", "F3,other"),
            r"line 4, column 'faq_id': 'F3' does not match",
            4,
            "faq_id",
        ),
        (
            FAQ_OK.replace("F03,other", "F01,other"),
            r"line 4, column 'faq_id': 'F01' repeats line 2; values must be unique",
            4,
            "faq_id",
        ),
        (
            FAQ_OK.replace("When are benefits paid?", "  "),
            r"line 3, column 'question': '  ' is empty, and this column needs a value",
            3,
            "question",
        ),
        (
            FAQ_OK.replace("How do I apply?", '"How do I\napply?"'),
            r"line 2, column 'question': .* does not match",
            2,
            "question",
        ),
        (
            FAQ_OK.replace("In the Old Quarter.", '"Line\nbreak"').replace("F03,other", "F03,othr"),
            r"line 4, column 'topic': 'othr'",
            4,
            "topic",
        ),
    ],
    ids=["bad-category", "bad-pattern", "duplicate", "empty", "multi-line-text", "line-numbers"],
)
def test_bad_value_names_line_and_column(
    content: str, pattern: str, line: int, column: str, root: Path, tmp_path: Path
) -> None:
    with pytest.raises(SchemaError, match=pattern) as info:
        datasets.load("helpdesk-faq", root=make_faq(root, tmp_path, content))
    assert info.value.line == line
    assert info.value.column == column


def test_bad_value_after_a_multi_line_record_gets_the_right_line(
    root: Path, tmp_path: Path
) -> None:
    # The answer of F01 spans lines 2-3, so F02 (bad topic) is on line 4, F03 on line 5.
    content = FAQ_OK.replace("Use the portal", "Use the\nportal").replace("F03,other", "F03,nope")
    with pytest.raises(SchemaError) as info:
        datasets.load("helpdesk-faq", root=make_faq(root, tmp_path, content))
    # answer is checked after topic, so the first error is F03's topic on line 5
    assert (info.value.line, info.value.column) == (5, "topic")


def test_bad_values_in_typed_columns(root: Path, tmp_path: Path) -> None:
    good = datasets.path("digits-batch").read_text(encoding="utf-8").splitlines()
    cases = {
        "pixel_0_0": ("abc", r"column 'pixel_0_0': 'abc' is not a whole number"),
        "pixel_7_7": ("17", r"column 'pixel_7_7': '17' is above the maximum 16"),
        "target": ("-1", r"column 'target': '-1' is below the minimum 0"),
        "score": ("high", r"column 'score': 'high' is not a number"),
        "kind": ("Clear", r"column 'kind': 'Clear' is not allowed \(allowed: clear, ambiguous\)"),
    }
    header = good[0].split(",")
    for n, (column, (value, pattern)) in enumerate(cases.items()):
        lines = list(good)
        fields = lines[5].split(",")
        fields[header.index(column)] = value
        lines[5] = ",".join(fields)
        new_root = tmp_path / f"case{n}"
        (new_root / "digits-batch").mkdir(parents=True)
        shutil.copy(root / "digits-batch" / "schema.json", new_root / "digits-batch")
        (new_root / "digits-batch" / "batch.csv").write_text("\n".join(lines) + "\n")
        with pytest.raises(SchemaError, match=r"batch\.csv, line 6, " + pattern):
            datasets.load("digits-batch", root=new_root, verify=False)


def test_bad_bool_and_rules(root: Path, tmp_path: Path) -> None:
    head = "id,text,topic,urgency,needs_human,faq_id,ambiguous,note\n"
    ok = "hd0001,My flat is cold.,housing,routine,true,,false,\n"
    cases = [
        (
            ok + "hd0002,Hello there.,other,routine,yes,,false,\n",
            r"line 3, column 'needs_human': 'yes' is not true or false",
        ),
        (
            ok + "hd0002,When is pay day?,benefits,routine,false,,false,\n",
            r"line 3, column 'faq_id': '' is empty, but a value is required when "
            r"needs_human is false \(a message a script",
        ),
        (
            ok + "hd0002,Hm.,other,routine,true,,true,\n",
            r"line 3, column 'note': '' is empty, but a value is required when ambiguous is true",
        ),
        (
            ok + "hd0002,Hm.,other,routine,true,,false,vague\n",
            r"line 3, column 'note': 'vague' should be empty when ambiguous is false",
        ),
    ]
    for n, (body, pattern) in enumerate(cases):
        new_root = tmp_path / f"case{n}"
        (new_root / "helpdesk").mkdir(parents=True)
        shutil.copy(root / "helpdesk" / "schema.json", new_root / "helpdesk")
        (new_root / "helpdesk" / "messages.csv").write_text(head + body)
        write_sums(new_root / "helpdesk")
        with pytest.raises(SchemaError, match=pattern):
            datasets.load("helpdesk", root=new_root)


@pytest.mark.parametrize(
    ("header", "pattern"),
    [
        ("faq_id,topic,question", r"missing column\(s\) 'answer'"),
        ("faq_id,topic,question,answer,extra", r"unexpected column\(s\) 'extra'"),
        (
            "faq_id,topic,question,question",
            r"missing column\(s\) 'answer'; repeated column\(s\) 'question'",
        ),
    ],
)
def test_missing_or_extra_columns(header: str, pattern: str, root: Path, tmp_path: Path) -> None:
    width = len(header.split(","))
    rows = "\n".join(",".join(["F01", "housing", "q", "a", "x"][:width]) for _ in range(1)) + "\n"
    with pytest.raises(SchemaError, match=r"faq\.csv, line 1 \(header\): " + pattern) as info:
        datasets.load("helpdesk-faq", root=make_faq(root, tmp_path, header + "\n" + rows))
    assert "Expected the columns: faq_id, topic, question, answer" in str(info.value)


def test_columns_in_another_order_are_put_back_in_schema_order(root: Path, tmp_path: Path) -> None:
    content = "topic,faq_id,answer,question\nhousing,F01,An answer.,A question?\n"
    faq = datasets.load("helpdesk-faq", root=make_faq(root, tmp_path, content))
    assert faq.columns.tolist() == ["faq_id", "topic", "question", "answer"]
    assert faq.loc[0, "question"] == "A question?"


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", r"faq\.csv is empty \(0 bytes\)"),
        (b"faq_id,topic,question,answer\n", r"has a header but no data rows"),
        (b"\n\n", r"has no header line"),
        (
            FAQ_OK.replace("F03,other,", "F03,other,extra,").encode(),
            r"faq\.csv, line 4: 5 fields where the header has 4",
        ),
        (
            FAQ_OK.replace("F02,benefits,When are benefits paid?,", "F02,benefits,").encode(),
            r"faq\.csv, line 3: 3 fields where the header has 4",
        ),
        (FAQ_OK.encode() + b'F04,other,"unclosed,quote\n', r"not valid CSV: .* line 5"),
        (FAQ_OK.encode() + b'F04,other,"quoted" word,x\n', r"not valid CSV: .* line 5"),
        (FAQ_OK.replace("Old Quarter", "Vieux Quartier é").encode("latin-1"), r"is not UTF-8 text"),
    ],
    ids=[
        "zero-bytes",
        "header-only",
        "blank",
        "long-row",
        "short-row",
        "unclosed-quote",
        "stray-quote",
        "latin-1",
    ],
)
def test_empty_or_unparseable_files(
    content: bytes, pattern: str, root: Path, tmp_path: Path
) -> None:
    with pytest.raises(FormatError, match=pattern):
        datasets.load("helpdesk-faq", root=make_faq(root, tmp_path, content))


def test_malformed_schema(root: Path, tmp_path: Path) -> None:
    new_root = make_faq(root, tmp_path, FAQ_OK, resum=False)
    schema = new_root / "helpdesk" / "schema.json"
    schema.write_text("{not json")
    with pytest.raises(FormatError, match=r"schema\.json is not valid JSON"):
        datasets.load("helpdesk-faq", root=new_root, verify=False)
    schema.write_text(json.dumps({"files": {}}))
    with pytest.raises(SchemaError, match=r"has no entry for 'faq\.csv'"):
        datasets.load("helpdesk-faq", root=new_root, verify=False)
    bad_type = {"files": {"faq.csv": {"columns": [{"name": "faq_id", "type": "text"}]}}}
    schema.write_text(json.dumps(bad_type))
    with pytest.raises(SchemaError, match=r"column 'faq_id' has type 'text'"):
        datasets.load("helpdesk-faq", root=new_root, verify=False)


def test_every_error_is_a_dataset_error_and_a_value_error() -> None:
    for cls in (UnknownDatasetError, MissingFileError, ChecksumError, FormatError, SchemaError):
        assert issubclass(cls, DatasetError)
        assert issubclass(cls, ValueError)


# --- the data --------------------------------------------------------------------------------


def test_helpdesk_messages_follow_the_brief(data: dict[str, pd.DataFrame]) -> None:
    msgs = data["helpdesk"]
    assert len(msgs) >= 800
    assert msgs["id"].tolist() == [f"hd{i:04d}" for i in range(1, len(msgs) + 1)]
    assert set(msgs["topic"]) == set(TOPICS)
    assert set(msgs["urgency"]) == {"urgent", "routine"}
    assert 0.10 <= msgs["ambiguous"].mean() <= 0.15
    assert msgs.loc[msgs["ambiguous"], "note"].str.strip().str.len().gt(0).all()
    assert msgs.loc[~msgs["ambiguous"], "note"].isna().all()
    assert msgs.loc[~msgs["needs_human"], "faq_id"].notna().all()
    faq_ids = set(data["helpdesk-faq"]["faq_id"])
    assert set(msgs["faq_id"].dropna()) <= faq_ids


def test_no_empty_or_duplicate_texts(data: dict[str, pd.DataFrame]) -> None:
    for name, column in [
        ("helpdesk", "text"),
        ("helpdesk-faq", "question"),
        ("helpdesk-faq", "answer"),
        ("care-replies", "reply"),
    ]:
        values = data[name][column]
        assert values.notna().all() and values.str.strip().str.len().gt(0).all(), (name, column)
        assert not values.str.strip().str.lower().duplicated().any(), (name, column)
        assert not values.str.contains(r"[\r\n]").any(), (name, column)


def test_no_near_duplicate_messages_or_replies(data: dict[str, pd.DataFrame]) -> None:
    """Near-duplicate: TF-IDF (word 1-2 grams) cosine similarity of 0.8 or more."""
    assert max_similarity(data["helpdesk"]["text"].tolist()) < NEAR_DUPLICATE
    assert max_similarity(data["care-replies"]["reply"].tolist()) < NEAR_DUPLICATE
    assert max_similarity(data["helpdesk-faq"]["answer"].tolist()) < NEAR_DUPLICATE


def test_near_duplicate_criterion_catches_a_template_with_swapped_names() -> None:
    a = "My landlord Mr Okafor says I must leave the flat on Heron Road by Friday, what now?"
    b = "My landlord Mr Lindqvist says I must leave the flat on Heron Road by Friday, what now?"
    c = "The boiler has been broken since Sunday and nobody answers the repairs line."
    assert max_similarity([a, b]) >= NEAR_DUPLICATE
    assert max_similarity([a, c]) < NEAR_DUPLICATE


def test_faq_has_one_scripted_answer_per_id(data: dict[str, pd.DataFrame]) -> None:
    faq = data["helpdesk-faq"]
    assert len(faq) >= 30
    assert faq["faq_id"].tolist() == sorted(faq["faq_id"])
    assert set(faq["topic"]) == set(TOPICS)


def test_care_replies_point_to_help_desk_messages(data: dict[str, pd.DataFrame]) -> None:
    replies, msgs = data["care-replies"], data["helpdesk"]
    assert len(replies) >= 150
    assert replies["id"].tolist() == [f"cr{i:03d}" for i in range(1, len(replies) + 1)]
    text = msgs.set_index("id")["text"]
    assert replies["message_id"].isin(text.index).all()
    assert (replies["message"].to_numpy() == text.loc[replies["message_id"]].to_numpy()).all()
    assert set(replies["style"]) == set(STYLES)
    assert not replies.duplicated(["message_id", "style"]).any()
    replies_per_message = replies["message_id"].value_counts()
    assert (replies_per_message > 1).sum() >= 10


def test_care_replies_can_fool_a_word_counter(
    data: dict[str, pd.DataFrame], sheets: dict[str, str], root: Path
) -> None:
    """Some scripted replies are stuffed with empathy words, some attuned ones use none."""
    replies = data["care-replies"]
    lexicon = tool(root, "datasheet_tables.py")["EMPATHY_WORDS"]
    words = replies["reply"].str.count(lexicon)
    scripted = words[replies["style"] == "scripted"]
    attuned = words[replies["style"] == "attuned"]
    assert (scripted >= 3).sum() >= 3
    assert (attuned == 0).sum() >= 3
    found = tables(sheets["care-replies"])["empathy-words care-replies"][1:]
    assert {row[0]: row[1:] for row in found if row[0] != "total"} == {
        style: [
            str(int((words[replies["style"] == style] == 0).sum())),
            str(int((words[replies["style"] == style] >= 3).sum())),
            f"{words[replies['style'] == style].mean():.2f}",
        ]
        for style in STYLES
    }


def test_digits_batch_equals_scikit_learn_rows(data: dict[str, pd.DataFrame]) -> None:
    from sklearn.datasets import load_digits

    digits = load_digits()
    batch = data["digits-batch"]
    assert len(batch) == 60
    assert batch["id"].tolist() == [f"d{i:02d}" for i in range(1, 61)]
    pixels = batch[[f"pixel_{r}_{c}" for r in range(8) for c in range(8)]].to_numpy()
    np.testing.assert_array_equal(pixels, digits.data[batch["sklearn_index"]].astype(int))
    np.testing.assert_array_equal(batch["target"], digits.target[batch["sklearn_index"]])
    for _, row in batch.iterrows():
        np.testing.assert_array_equal(
            datasets.digit_image(row), digits.images[row["sklearn_index"]]
        )


def test_digits_batch_mixes_clear_and_ambiguous_items(data: dict[str, pd.DataFrame]) -> None:
    batch = data["digits-batch"]
    counts = batch["kind"].value_counts()
    assert (counts["clear"], counts["ambiguous"]) == (40, 20)
    clear = batch[batch["kind"] == "clear"]
    assert clear["target"].value_counts().sort_index().tolist() == [4] * 10
    assert batch.loc[batch["kind"] == "ambiguous", "score"].min() > clear["score"].max()
    # shuffled: the kinds are not in two blocks
    assert (batch["kind"] != batch["kind"].shift()).sum() > 10


def test_digit_image_rejects_what_is_not_one_row(data: dict[str, pd.DataFrame]) -> None:
    batch = data["digits-batch"]
    with pytest.raises(TypeError, match=r"batch\.iloc\[0\]"):
        datasets.digit_image(batch)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pixel_0_0"):
        datasets.digit_image(data["helpdesk"].iloc[0])
    image = datasets.digit_image({f"pixel_{r}_{c}": 8 * r + c for r in range(8) for c in range(8)})
    assert image[2, 3] == 19 and image.dtype == np.int64


# --- the datasheets --------------------------------------------------------------------------

SECTIONS = [
    "Motivation",
    "Composition",
    "Collection",
    "Labelling",
    "Uses",
    "Distribution",
    "Maintenance",
]


@pytest.mark.parametrize("folder", ["helpdesk", "care-replies", "digits-batch"])
def test_datasheet_has_every_section(folder: str, sheets: dict[str, str]) -> None:
    sheet = sheets[folder]
    headings = re.findall(r"^#+ (.+)$", sheet, re.M)
    for section in SECTIONS:
        assert any(section.lower() in h.lower() for h in headings), (folder, section)
    assert "CC BY 4.0" in sheet
    assert "Gebru" in sheet
    if folder != "digits-batch":
        assert "fictional" in sheet.lower()
        assert "GDPR" in sheet
    else:
        assert "Alpaydin" in sheet and "Kaynak" in sheet


REQUIRED_TABLES = {
    "helpdesk": [
        "counts helpdesk topic",
        "counts helpdesk urgency",
        "counts helpdesk needs_human",
        "counts helpdesk ambiguous",
        "crosstab helpdesk topic needs_human",
        "counts helpdesk-faq topic",
        "baseline helpdesk",
    ],
    "care-replies": ["counts care-replies style", "replies-per-message care-replies"],
    "digits-batch": ["counts digits-batch kind", "crosstab digits-batch target kind"],
}


@pytest.mark.parametrize("folder", ["helpdesk", "care-replies", "digits-batch"])
def test_datasheet_counts_match_the_data(
    folder: str, sheets: dict[str, str], data: dict[str, pd.DataFrame]
) -> None:
    found = tables(sheets[folder])
    assert set(REQUIRED_TABLES[folder]) <= set(found)
    for key, (header, *rows) in found.items():
        kind, name, *cols = key.split()
        if kind in ("baseline", "empathy-words"):
            continue  # checked in test_datasheet_baselines_are_reproduced and
            # test_care_replies_can_fool_a_word_counter
        frame = data[name]
        body = {r[0]: r[1:] for r in rows}
        assert rows[-1][0] == "total", key
        if kind == "counts":
            values = frame[cols[0]].map(label)
            expected = {v: int((values == v).sum()) for v in body if v != "total"}
            assert set(values) <= set(body), key  # every value present appears in the table
            assert {v: int(cells[0]) for v, cells in body.items() if v != "total"} == expected, key
            assert body["total"][0] == str(len(frame)), key
        elif kind == "crosstab":
            rows_, cols_ = frame[cols[0]].map(label), frame[cols[1]].map(label)
            assert header[-1] == "total"
            for value, cells in body.items():
                in_row = rows_ == value if value != "total" else np.ones(len(frame), bool)
                for col, cell in zip([*header[1:-1], "total"], cells, strict=True):
                    in_col = cols_ == col if col != "total" else np.ones(len(frame), bool)
                    assert int(cell) == int((in_row & in_col).sum()), (key, value, col)
            assert set(rows_) <= set(body) and set(cols_) <= set(header), key
        elif kind == "replies-per-message":
            per = frame.groupby("message_id", observed=True)["style"].nunique().value_counts()
            for value, cells in body.items():
                if value != "total":
                    k = int(value)
                    assert cells == [str(int(per.get(k, 0))), str(int(per.get(k, 0)) * k)], key
            assert body["total"] == [str(frame["message_id"].nunique()), str(len(frame))], key
            assert (
                sum(int(c[0]) for v, c in body.items() if v != "total")
                == frame["message_id"].nunique()
            )
        else:
            raise AssertionError(f"unknown table {key!r}")


def test_datasheet_baselines_are_reproduced(
    sheets: dict[str, str], data: dict[str, pd.DataFrame], root: Path
) -> None:
    shown = tables(sheets["helpdesk"])["baseline helpdesk"][1:]
    results = tool(root, "datasheet_tables.py")["baselines"](data["helpdesk"])
    assert len(shown) == len(results) == 4
    for row, r in zip(shown, results, strict=True):
        assert row[:2] == [r["target"], r["model"]]
        assert row[2] == f"{r['accuracy']:.3f}"
        assert row[3] == f"{r['macro_f1']:.3f}"
        assert row[4] == f"{r['cv_mean']:.3f} ± {r['cv_sd']:.3f}"
    by = {(r["target"], r["model"]): r["accuracy"] for r in results}
    model = "TF-IDF + logistic regression"
    # Not separable by a few keywords: clearly useful on topic, but well below perfect.
    assert by[("topic", "majority class")] + 0.2 < by[("topic", model)] < 0.9
    assert by[("needs_human", model)] > by[("needs_human", "majority class")]
