"""Load the datasets shipped with the kit, checked before you use them.

The kit ships four small tables, each described by a datasheet (``DATASHEET.md`` next to the
data). :func:`load` returns one of them as a :class:`pandas.DataFrame` with typed columns
(text as ``string``, labels as ``category``, flags as ``bool``, counts as ``int``).

Before returning anything, :func:`load` checks the file it read:

* its SHA-256 checksum against the folder's ``SHA256SUMS`` (the file is the one the kit
  shipped, not an edited or damaged copy);
* its columns and every value against the folder's ``schema.json`` (allowed labels, id
  patterns, no empty texts, no duplicates, rules linking columns).

Every problem raises a :class:`DatasetError` that names the file, the line and the column,
and says how to put things right.

The data live in ``datasets/`` at the root of a checkout of the kit; an installed package
carries a copy inside itself (``hiddenwork/_data``). :func:`load` uses the installed copy when
there is one, otherwise the checkout.

Examples
--------
>>> from hiddenwork import datasets
>>> datasets.names()
['care-replies', 'digits-batch', 'helpdesk', 'helpdesk-faq']
>>> messages = datasets.load("helpdesk")
>>> messages[["id", "topic", "urgency", "needs_human"]].dtypes.astype(str).tolist()
['string', 'category', 'category', 'bool']
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ChecksumError",
    "DatasetError",
    "FormatError",
    "MissingFileError",
    "SchemaError",
    "UnknownDatasetError",
    "data_root",
    "digit_image",
    "load",
    "names",
    "path",
]

# name -> (folder under the data root, file in that folder)
_REGISTRY: dict[str, tuple[str, str]] = {
    "care-replies": ("care-replies", "replies.csv"),
    "digits-batch": ("digits-batch", "batch.csv"),
    "helpdesk": ("helpdesk", "messages.csv"),
    "helpdesk-faq": ("helpdesk", "faq.csv"),
}
SCHEMA_FILE = "schema.json"
SUMS_FILE = "SHA256SUMS"
_TYPES = ("string", "category", "bool", "int", "float")
_PIXELS = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
_CHECKOUT = Path(__file__).resolve().parents[2] / "datasets"
_REINSTALL = "pip install --force-reinstall --no-deps hiddenwork"


class DatasetError(ValueError):
    """A dataset cannot be loaded: the message says which file, what is wrong and what to do.

    Attributes
    ----------
    path : pathlib.Path or None
        The file concerned, when there is one.
    line : int or None
        The line of the file (the header is line 1), when one line is at fault.
    column : str or None
        The column at fault, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


class UnknownDatasetError(DatasetError):
    """The name given to :func:`load` is not one of :func:`names`."""


class MissingFileError(DatasetError, FileNotFoundError):
    """A data, schema or checksum file is missing."""

    def __str__(self) -> str:  # FileNotFoundError would otherwise print its args tuple
        return str(self.args[0])


class ChecksumError(DatasetError):
    """A file's SHA-256 checksum differs from the one in ``SHA256SUMS``, or is not listed."""


class FormatError(DatasetError):
    """A file is empty, not UTF-8 or not valid CSV/JSON."""


class SchemaError(DatasetError):
    """A file's columns or values break its ``schema.json``."""


def names() -> list[str]:
    """Return the names of the datasets shipped with the kit, sorted.

    Returns
    -------
    list of str
        The names :func:`load` accepts.

    Examples
    --------
    >>> from hiddenwork.datasets import names
    >>> "helpdesk" in names()
    True
    """
    return sorted(_REGISTRY)


def data_root() -> Path:
    """Return the folder the datasets are read from by default.

    The copy inside an installed package (``hiddenwork/_data``) comes first; in a checkout of
    the kit (or an editable install) it is the ``datasets/`` folder at the repository root.

    Returns
    -------
    pathlib.Path
        A folder holding one sub-folder per dataset.

    Raises
    ------
    MissingFileError
        If neither folder exists.

    Examples
    --------
    >>> from hiddenwork.datasets import data_root
    >>> (data_root() / "helpdesk" / "schema.json").is_file()
    True
    """
    packaged = resources.files("hiddenwork") / "_data"
    if packaged.is_dir():
        return Path(str(packaged))
    if _CHECKOUT.is_dir() and (_CHECKOUT.parent / "src" / "hiddenwork").is_dir():
        return _CHECKOUT
    raise MissingFileError(
        f"No dataset folder found: neither {packaged} (installed package) nor {_CHECKOUT} "
        f"(checkout). Reinstall the kit ({_REINSTALL}) or restore the folder in your "
        "checkout with `git checkout -- datasets`.",
        path=_CHECKOUT,
    )


def path(name: str, *, root: str | Path | None = None) -> Path:
    """Return the path of a dataset's file (without reading or checking it).

    Parameters
    ----------
    name : str
        One of :func:`names`.
    root : str or pathlib.Path, optional
        Folder holding the dataset folders; by default :func:`data_root`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from hiddenwork.datasets import path
    >>> path("helpdesk-faq").name
    'faq.csv'
    """
    folder, file = _lookup(name)
    base = data_root() if root is None else Path(root)
    return base / folder / file


def load(name: str, *, root: str | Path | None = None, verify: bool = True) -> pd.DataFrame:
    """Load a shipped dataset as a typed, checked DataFrame.

    Parameters
    ----------
    name : str
        One of :func:`names`: ``"helpdesk"`` (messages to the fictional help desk),
        ``"helpdesk-faq"`` (its scripted answers), ``"care-replies"`` (replies in four styles)
        or ``"digits-batch"`` (60 handwritten digits to label by hand).
    root : str or pathlib.Path, optional
        Folder holding the dataset folders; by default :func:`data_root`. Use it to load a
        copy you prepared yourself.
    verify : bool, default True
        Check the file against ``SHA256SUMS``. Set it to False only for a copy you changed on
        purpose; the schema is checked either way.

    Returns
    -------
    pandas.DataFrame
        One row per line of the file, columns typed as the schema says. ``df.attrs`` holds the
        dataset ``name``, the ``path`` it was read from and its ``sha256``.

    Raises
    ------
    UnknownDatasetError
        If ``name`` is not a known dataset (the message lists the known ones).
    MissingFileError
        If the data file, ``schema.json`` or ``SHA256SUMS`` is missing.
    ChecksumError
        If the file differs from the shipped one.
    FormatError
        If the file is empty or not valid UTF-8 CSV.
    SchemaError
        If a column is missing or extra, or a value breaks the schema (line and column named).

    Examples
    --------
    >>> from hiddenwork.datasets import load
    >>> faq = load("helpdesk-faq")
    >>> faq.columns.tolist()
    ['faq_id', 'topic', 'question', 'answer']
    >>> faq.attrs["path"].name
    'faq.csv'
    >>> load("helpdsk")
    Traceback (most recent call last):
    ...
    hiddenwork.datasets.UnknownDatasetError: Unknown dataset 'helpdsk'. Did you mean 'helpdesk'? ...
    """
    folder_name, file_name = _lookup(name)
    base = data_root() if root is None else Path(root)
    folder = base / folder_name
    data_file = folder / file_name
    schema_file = folder / SCHEMA_FILE
    sums_file = folder / SUMS_FILE
    required = [data_file, schema_file] + ([sums_file] if verify else [])
    for needed in required:
        if not needed.is_file():
            raise MissingFileError(
                f"Dataset {name!r}: file not found: {needed}. {_restore_hint(needed, base)}",
                path=needed,
            )
    digest = _sha256(data_file)
    if verify:
        sums = _read_sums(sums_file, base)
        _check_sum(schema_file, sums, _sha256(schema_file), base)
        _check_sum(data_file, sums, digest, base)
    spec = _read_schema(schema_file, file_name, base)
    header, records, lines = _read_csv(data_file)
    frame = _build_frame(data_file, spec, header, records, lines)
    frame.attrs.update({"name": name, "path": data_file, "sha256": digest})
    return frame


def digit_image(row: pd.Series | Mapping[str, Any]) -> np.ndarray:
    """Return one digits-batch item as an 8 x 8 array of grey levels (0 white to 16 black).

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of ``load("digits-batch")``, e.g. ``batch.iloc[0]``: it must hold the
        columns ``pixel_0_0`` to ``pixel_7_7``.

    Returns
    -------
    numpy.ndarray
        Integer array of shape (8, 8); show it with
        ``plt.imshow(img, cmap="gray_r", vmin=0, vmax=16)``.

    Raises
    ------
    TypeError
        If given a whole DataFrame instead of one row.
    ValueError
        If pixel columns are missing.

    Examples
    --------
    >>> from hiddenwork.datasets import digit_image, load
    >>> batch = load("digits-batch")
    >>> img = digit_image(batch.iloc[0])
    >>> img.shape, int(img.min()) >= 0, int(img.max()) <= 16
    ((8, 8), True, True)
    """
    if isinstance(row, pd.DataFrame):
        raise TypeError(
            "digit_image takes one row, not a whole table: pass e.g. batch.iloc[0] "
            "or batch.set_index('id').loc['d01']."
        )
    keys = set(row.keys())
    missing = [p for p in _PIXELS if p not in keys]
    if missing:
        raise ValueError(
            f"digit_image needs a row of the 'digits-batch' dataset, with columns "
            f"pixel_0_0 ... pixel_7_7; this row lacks {len(missing)} of them "
            f"(first: {missing[0]!r})."
        )
    return np.asarray([row[p] for p in _PIXELS], dtype=np.int64).reshape(8, 8)


# --- internals -------------------------------------------------------------------------------


def _lookup(name: str) -> tuple[str, str]:
    if isinstance(name, str) and name in _REGISTRY:
        return _REGISTRY[name]
    known = ", ".join(names())
    guess = difflib.get_close_matches(str(name), names(), n=1)
    hint = f" Did you mean {guess[0]!r}?" if guess else ""
    raise UnknownDatasetError(f"Unknown dataset {name!r}.{hint} Known datasets: {known}.")


def _restore_hint(file: Path, base: Path) -> str:
    """How to get a shipped file back, depending on where the data were read from."""
    try:
        relative = file.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        relative = file.name
    if base.resolve() == _CHECKOUT.resolve():
        return (
            f"Restore the shipped copy with `git checkout -- datasets/{relative}` "
            f"(run in {_CHECKOUT.parent}), or reinstall the kit."
        )
    if base.name == "_data" and base.parent.name == "hiddenwork":
        return f"Restore the shipped copy by reinstalling the package: `{_REINSTALL}`."
    return (
        f"This copy lives in {base}: copy datasets/{relative} back from the kit (in a "
        f"checkout: `git checkout -- datasets/{relative}`), or call load() without `root` "
        "to use the shipped data."
    )


def _sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


_SUM_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


def _read_sums(sums_file: Path, base: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    try:
        text = sums_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{sums_file} is not a text file ({exc}). {_restore_hint(sums_file, base)}",
            path=sums_file,
        ) from exc
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _SUM_LINE.match(raw)
        if match is None:
            raise FormatError(
                f"{sums_file}, line {number}: expected '<64 hex digits>  <file name>' "
                f"(the output of sha256sum), got {raw[:80]!r}. {_restore_hint(sums_file, base)}",
                path=sums_file,
                line=number,
            )
        sums[match.group(2).strip()] = match.group(1).lower()
    return sums


def _check_sum(file: Path, sums: dict[str, str], actual: str, base: Path) -> None:
    expected = sums.get(file.name)
    sums_file = file.parent / SUMS_FILE
    if expected is None:
        raise ChecksumError(
            f"Checksum check failed for {file}: {sums_file} lists no checksum for "
            f"{file.name!r}. Maintainers: run `python datasets/tools/checksums.py`; "
            f"otherwise: {_restore_hint(sums_file, base)}",
            path=file,
        )
    if expected != actual:
        raise ChecksumError(
            f"Checksum check failed for {file}: expected sha256 {expected}, got {actual}. "
            f"The file was edited or damaged since the kit shipped it. "
            f"{_restore_hint(file, base)} (To load a copy you changed on purpose, "
            "use load(..., verify=False).)",
            path=file,
        )


def _read_schema(schema_file: Path, file_name: str, base: Path) -> dict[str, Any]:
    try:
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"{schema_file} is not valid JSON: {exc}. {_restore_hint(schema_file, base)}",
            path=schema_file,
        ) from exc
    files = schema.get("files") if isinstance(schema, dict) else None
    spec: Any = files.get(file_name) if isinstance(files, dict) else None
    problem = None
    if not isinstance(spec, dict):
        problem = f"it has no entry for {file_name!r} under 'files'"
    elif not isinstance(spec.get("columns"), list) or not spec["columns"]:
        problem = f"the entry for {file_name!r} has no 'columns' list"
    else:
        for col in spec["columns"]:
            if not isinstance(col, dict) or not isinstance(col.get("name"), str):
                problem = f"a column of {file_name!r} has no 'name': {col!r}"
            elif col.get("type") not in _TYPES:
                problem = (
                    f"column {col['name']!r} has type {col.get('type')!r}; "
                    f"known types: {', '.join(_TYPES)}"
                )
            elif col["type"] == "category" and not col.get("values"):
                problem = f"category column {col['name']!r} lists no 'values'"
            if problem:
                break
        known = {c.get("name") for c in spec["columns"] if isinstance(c, dict)}
        for rule in spec.get("rules", []) if problem is None else []:
            used = [rule.get("require"), rule.get("forbid"), *rule.get("when", {})]
            unknown = [u for u in used if u is not None and u not in known]
            if unknown or not rule.get("when") or not ("require" in rule or "forbid" in rule):
                problem = f"rule {rule!r} of {file_name!r} is malformed"
                break
    if problem:
        raise SchemaError(
            f"{schema_file} is malformed: {problem}. {_restore_hint(schema_file, base)}",
            path=schema_file,
        )
    return dict(spec)  # a copy: rules and columns are read, never changed


def _read_csv(file: Path) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Parse a CSV strictly; return header, data records and each record's first line."""
    if file.stat().st_size == 0:
        raise FormatError(
            f"{file} is empty (0 bytes): expected a CSV file with a header.", path=file
        )
    records: list[list[str]] = []
    ends: list[int] = []
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            for record in reader:
                records.append(record)
                ends.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{file} is not UTF-8 text ({exc.reason} at byte {exc.start}); was it saved by "
            "a spreadsheet in another encoding?",
            path=file,
        ) from exc
    except csv.Error as exc:
        at = (ends[-1] if ends else 0) + 1
        raise FormatError(
            f"{file} is not valid CSV: {exc} (in the record starting on line {at}).",
            path=file,
            line=at,
        ) from exc
    if not records or not any(field.strip() for field in records[0]):
        raise FormatError(f"{file} has no header line: expected a CSV file.", path=file, line=1)
    if len(records) == 1:
        raise FormatError(f"{file} has a header but no data rows.", path=file, line=2)
    starts = np.concatenate([[1], np.asarray(ends[:-1]) + 1])
    width = len(records[0])
    lengths = np.fromiter((len(r) for r in records), dtype=np.int64, count=len(records))
    bad = np.flatnonzero(lengths != width)
    if bad.size:
        i = int(bad[0])
        raise FormatError(
            f"{file}, line {starts[i]}: {lengths[i]} fields where the header has {width} "
            f"({bad.size} such line(s) in all). A comma inside a text needs the text in "
            'double quotes ("...").',
            path=file,
            line=int(starts[i]),
        )
    return records[0], records[1:], starts[1:]


def _build_frame(
    file: Path,
    spec: dict[str, Any],
    header: list[str],
    records: list[list[str]],
    lines: np.ndarray,
) -> pd.DataFrame:
    columns: list[dict[str, Any]] = spec["columns"]
    expected = [c["name"] for c in columns]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    missing = [c for c in expected if c not in header]
    extra = [h for h in header if h not in expected]
    if duplicated or missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(map(repr, extra))}")
        if duplicated:
            parts.append(f"repeated column(s) {', '.join(map(repr, duplicated))}")
        raise SchemaError(
            f"{file}, line 1 (header): {'; '.join(parts)}. Expected the columns: "
            f"{', '.join(expected)}.",
            path=file,
            line=1,
        )
    raw = pd.DataFrame(records, columns=header, dtype=object)[expected]
    out: dict[str, pd.Series] = {}
    for col in columns:
        out[col["name"]] = _convert(file, col, raw[col["name"]], lines)
    frame = pd.DataFrame(out)
    for rule in spec.get("rules", []):
        _check_rule(file, rule, frame, lines)
    return frame


def _fail(
    file: Path, column: str, bad: np.ndarray, lines: np.ndarray, values: pd.Series, why: str
) -> None:
    """Raise a SchemaError for the first bad row of ``bad`` (a boolean mask)."""
    rows = np.flatnonzero(bad)
    if rows.size == 0:
        return
    first = int(rows[0])
    line = int(lines[first])
    more = f" ({rows.size - 1} more line(s) like this)" if rows.size > 1 else ""
    value = values.iloc[first]
    shown = repr(value if len(str(value)) <= 60 else str(value)[:57] + "...")
    raise SchemaError(
        f"{file}, line {line}, column {column!r}: {shown} {why}{more}.",
        path=file,
        line=line,
        column=column,
    )


def _convert(file: Path, col: dict[str, Any], values: pd.Series, lines: np.ndarray) -> pd.Series:
    name: str = col["name"]
    kind: str = col["type"]
    nullable = bool(col.get("nullable", False))
    blank = values.str.strip().eq("").to_numpy()
    if not nullable:
        _fail(file, name, blank, lines, values, "is empty, and this column needs a value")
    present = ~blank
    result: pd.Series
    if kind == "string":
        pattern = col.get("pattern")
        if pattern:
            ok = values.str.fullmatch(pattern).to_numpy(dtype=bool)
            _fail(file, name, present & ~ok, lines, values, f"does not match {pattern!r}")
        result = values.mask(blank).astype("string")
    elif kind == "category":
        allowed = list(col["values"])
        ok = values.isin(allowed).to_numpy()
        _fail(
            file,
            name,
            present & ~ok,
            lines,
            values,
            f"is not allowed (allowed: {', '.join(allowed)})",
        )
        result = pd.Series(
            pd.Categorical(values.mask(blank), categories=allowed), index=values.index
        )
    elif kind == "bool":
        mapped = values.map({"true": True, "false": False})
        _fail(file, name, mapped.isna().to_numpy(), lines, values, "is not true or false")
        result = mapped.astype(bool)
    else:  # int or float
        number = pd.to_numeric(values.where(present), errors="coerce")
        if kind == "int":
            ok = values.str.fullmatch(r"[+-]?\d+").to_numpy(dtype=bool)
            _fail(file, name, present & ~ok, lines, values, "is not a whole number")
        else:
            _fail(file, name, present & number.isna().to_numpy(), lines, values, "is not a number")
        for bound, outside in (("min", number.lt), ("max", number.gt)):
            if bound in col:
                bad = outside(col[bound]).to_numpy(dtype=bool)
                side = "below the minimum" if bound == "min" else "above the maximum"
                _fail(file, name, bad, lines, values, f"is {side} {col[bound]}")
        result = number.astype("int64") if kind == "int" and not nullable else number
    if col.get("unique"):
        dup = values.duplicated(keep="first").to_numpy() & present
        rows = np.flatnonzero(dup)
        if rows.size:
            again = values.iloc[int(rows[0])]
            earlier = int(lines[int(np.flatnonzero((values == again).to_numpy())[0])])
            _fail(file, name, dup, lines, values, f"repeats line {earlier}; values must be unique")
    return result


def _check_rule(file: Path, rule: dict[str, Any], frame: pd.DataFrame, lines: np.ndarray) -> None:
    when: dict[str, Any] = rule.get("when", {})
    mask = np.ones(len(frame), dtype=bool)
    for column, value in when.items():
        mask &= frame[column].eq(value).fillna(False).to_numpy(dtype=bool)
    condition = " and ".join(f"{c} is {str(v).lower()}" for c, v in when.items())
    why = f" ({rule['why']})" if rule.get("why") else ""
    if "require" in rule:
        column = rule["require"]
        bad = mask & frame[column].isna().to_numpy()
        empty = frame[column].astype(object).where(frame[column].notna(), "")
        _fail(
            file,
            column,
            bad,
            lines,
            empty,
            f"is empty, but a value is required when {condition}{why}",
        )
    if "forbid" in rule:
        column = rule["forbid"]
        bad = mask & frame[column].notna().to_numpy()
        _fail(file, column, bad, lines, frame[column], f"should be empty when {condition}{why}")
