"""Hostile XML in TCX and GPX (entity expansion, external entities, deep nesting) is refused
quickly with a typed one-line error, and no code path in gaitload evaluates file content.

The attacks are the classic ones documented by the ``defusedxml`` project (billion laughs,
quadratic blowup, external entity / XXE, parameter entities, DTD retrieval) plus a deeply
nested document that would exhaust a recursive parser's stack.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gaitload
from gaitload.errors import CorruptFileError, GaitloadError, HostileFileError, NotAnActivityError

SRC = Path(gaitload.__file__).resolve().parent

_TCX_OPEN = ('<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
             '<Activities><Activity Sport="Running"><Id>2020-01-01T00:00:00Z</Id>'
             '<Lap StartTime="2020-01-01T00:00:00Z"><Track>')
_TCX_CLOSE = '</Track></Lap></Activity></Activities></TrainingCenterDatabase>'
_GPX_OPEN = '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
_GPX_CLOSE = '</trkseg></trk></gpx>'


def _tcx_point(text: str) -> str:
    return (f'<Trackpoint><Time>2020-01-01T00:00:00Z</Time><AltitudeMeters>{text}</AltitudeMeters>'
            '</Trackpoint>')


def _gpx_point(text: str) -> str:
    return f'<trkpt lat="46.0" lon="14.0"><ele>{text}</ele><time>2020-01-01T00:00:00Z</time></trkpt>'


def _wrap(kind: str, dtd: str, body_text: str) -> str:
    """A TCX or GPX document with a DTD before the root and ``body_text`` inside one point."""
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' + dtd + "\n"
    if kind == "tcx":
        return prolog + _TCX_OPEN + _tcx_point(body_text) + _TCX_CLOSE
    return prolog + _GPX_OPEN + _gpx_point(body_text) + _GPX_CLOSE


_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
           + "]>")
_QUADRATIC = '<!DOCTYPE kaboom [<!ENTITY a "' + "a" * 50_000 + '">]>'

#: name -> (DTD, text that uses it). Every one of them must be refused before any expansion.
ATTACKS = {
    "billion_laughs": (_LAUGHS, "&lol9;"),
    "quadratic_blowup": (_QUADRATIC, "&a;" * 50_000),
    "xxe_file": ('<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
    "xxe_http": ('<!DOCTYPE foo [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/evil">]>', "&xxe;"),
    "parameter_entity": ('<!DOCTYPE foo [<!ENTITY % pe SYSTEM "http://127.0.0.1:9/evil.dtd"> %pe;]>', "1"),
    "parameter_entity_internal": ('<!DOCTYPE foo [<!ENTITY % p "<!ENTITY e \'x\'>"> %p;]>', "&e;"),
    "external_dtd": ('<!DOCTYPE foo SYSTEM "http://127.0.0.1:9/evil.dtd">', "1"),
    "external_dtd_file": ('<!DOCTYPE foo SYSTEM "file:///etc/passwd">', "1"),
    "lowercase_doctype": ('<!doctype foo [<!entity x "y">]>', "&x;"),
}


def _assert_one_line_naming(exc: GaitloadError, path: Path) -> None:
    message = str(exc)
    assert "\n" not in message and "\r" not in message, message
    assert path.name in message, message


@pytest.mark.parametrize("kind", ["tcx", "gpx"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_entity_attacks_are_refused(tmp_path, kind, attack):
    dtd, text = ATTACKS[attack]
    path = tmp_path / f"{attack}.{kind}"
    path.write_text(_wrap(kind, dtd, text), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(HostileFileError) as info:
        gaitload.analyze(path)
    elapsed = time.perf_counter() - started
    _assert_one_line_naming(info.value, path)
    assert "root:" not in str(info.value)  # /etc/passwd never leaks into the message
    # measured, not asserted: refusal is a byte search before any parsing (well under 2 s)
    print(f"{attack}.{kind}: refused in {elapsed * 1000:.1f} ms")


@pytest.mark.parametrize("kind", ["tcx", "gpx"])
def test_utf16_doctype_is_refused(tmp_path, kind):
    """A UTF-16 file would hide ``<!DOCTYPE`` from a byte search done on the raw bytes."""
    dtd, text = ATTACKS["xxe_file"]
    path = tmp_path / f"utf16.{kind}"
    doc = _wrap(kind, dtd, text).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path.write_bytes(doc.encode("utf-16"))
    with pytest.raises((HostileFileError, CorruptFileError, NotAnActivityError, GaitloadError)) as info:
        gaitload.analyze(path)
    _assert_one_line_naming(info.value, path)
    assert "root:" not in str(info.value)


def _run_isolated(code: str, timeout_s: float = 30.0) -> dict:
    """Run ``code`` in a fresh interpreter under a 4 GB address-space limit; it prints JSON."""
    import resource

    def limit():  # a regression must fail the test, not take the machine down
        resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout_s, preexec_fn=limit)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


_ISOLATED = """
import json, sys, time
import gaitload
from gaitload.errors import GaitloadError
path = sys.argv[1] if len(sys.argv) > 1 else {path!r}
t = time.perf_counter()
try:
    a = gaitload.analyze(path)
    out = {{"outcome": "ok", "summary": json.loads(a.to_json())["n_steps"]}}
except GaitloadError as exc:
    out = {{"outcome": type(exc).__name__, "message": str(exc)}}
out["elapsed_s"] = time.perf_counter() - t
print(json.dumps(out))
"""


@pytest.mark.parametrize("kind", ["tcx", "gpx"])
def test_deep_nesting_is_refused_in_a_subprocess(tmp_path, kind):
    """100,000 nested elements inside a track point: a recursive walker would overflow the
    stack; gaitload must answer with a typed error (or read the valid part), never crash."""
    depth = 100_000
    inner = "<x>" * depth + "1" + "</x>" * depth
    path = tmp_path / f"deep.{kind}"
    if kind == "tcx":
        doc = _TCX_OPEN + _tcx_point("1").replace("<AltitudeMeters>1", "<AltitudeMeters>1" + inner) + _TCX_CLOSE
    else:
        doc = _GPX_OPEN + _gpx_point("1").replace("<ele>1", "<ele>1" + inner) + _GPX_CLOSE
    path.write_text(doc, encoding="utf-8")
    result = _run_isolated(_ISOLATED.format(path=str(path)))
    print(f"deep.{kind}: {result}")
    assert result["outcome"] in {"HostileFileError", "CorruptFileError", "NotAnActivityError", "NoStepsError",
                                 "TimestampError", "SignalError"}, result
    assert "\n" not in result["message"] and path.name in result["message"]


@pytest.mark.parametrize("kind", ["tcx", "gpx"])
def test_deep_unclosed_nesting_is_refused_in_a_subprocess(tmp_path, kind):
    """200,000 open tags and no closing ones: malformed, must be a CorruptFileError."""
    path = tmp_path / f"unclosed.{kind}"
    opener = _TCX_OPEN if kind == "tcx" else _GPX_OPEN
    path.write_text(opener + "<a>" * 200_000, encoding="utf-8")
    result = _run_isolated(_ISOLATED.format(path=str(path)))
    print(f"unclosed.{kind}: {result}")
    assert result["outcome"] in {"CorruptFileError", "HostileFileError"}, result
    assert "\n" not in result["message"] and path.name in result["message"]


@pytest.mark.parametrize("size_bytes", [2_000_000, pytest.param(50_000_000, marks=pytest.mark.slow)])
@pytest.mark.parametrize("kind", ["tcx", "gpx"])
def test_huge_attribute_and_text_in_a_subprocess(tmp_path, kind, size_bytes):
    """A huge attribute value and a huge text node: read or refused, in bounded memory."""
    big = "9" * size_bytes
    path = tmp_path / f"huge.{kind}"
    if kind == "tcx":
        doc = _TCX_OPEN.replace('Sport="Running"', f'Sport="Running" junk="{big}"') + _tcx_point(big) + _TCX_CLOSE
    else:
        doc = _GPX_OPEN.replace('creator="x"', f'creator="{big}"') + _gpx_point(big) + _GPX_CLOSE
    path.write_text(doc, encoding="utf-8")
    result = _run_isolated(_ISOLATED.format(path=str(path)))
    print(f"huge.{kind}: {result}")
    assert result["outcome"] != "ok" or result["summary"] >= 0
    if result["outcome"] != "ok":
        assert "\n" not in result["message"] and path.name in result["message"]
        assert len(result["message"]) < 2000  # the 50 MB value is never echoed


# -- no file content is ever evaluated -----------------------------------------------------------
#: Patterns that would evaluate or deserialise untrusted content, or run a shell.
FORBIDDEN = {
    "pickle": re.compile(r"\bpickle\b|\bcPickle\b|\bdill\b|\bjoblib\.load\b"),
    "eval(": re.compile(r"(?<![\w.])eval\s*\("),
    "exec(": re.compile(r"(?<![\w.])exec\s*\("),
    "yaml.load(": re.compile(r"yaml\.(unsafe_)?load\s*\("),
    "shell=True": re.compile(r"shell\s*=\s*True"),
    "__import__": re.compile(r"__import__"),
    "os.system": re.compile(r"\bos\.(system|popen)\s*\("),
    "marshal": re.compile(r"\bmarshal\.loads?\s*\("),
    "np.load(allow_pickle)": re.compile(r"allow_pickle\s*=\s*True"),
    "pd.read_pickle": re.compile(r"read_pickle\s*\("),
}

#: (file relative to the package, pattern) -> why it is legitimate. Empty today; an entry
#: needs a reason a reviewer accepts.
ALLOWED: dict[tuple[str, str], str] = {}


def test_no_code_evaluates_file_content():
    offenders = []
    files = sorted(SRC.rglob("*.py"))
    assert len(files) >= 20, "package sources not found"
    for path in files:
        rel = path.relative_to(SRC).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for name, pattern in FORBIDDEN.items():
                if pattern.search(code) and (rel, name) not in ALLOWED:
                    offenders.append(f"{rel}:{lineno}: {name}: {line.strip()}")
    assert not offenders, "content-evaluating code found:\n" + "\n".join(offenders)


def test_forbidden_patterns_do_catch_offenders():
    """The scanner itself must be able to fail."""
    samples = {"pickle": "import pickle", "eval(": "x = eval(text)", "exec(": "exec(code)",
               "yaml.load(": "yaml.load(fh)", "shell=True": "run(cmd, shell=True)",
               "__import__": "__import__(name)", "os.system": "os.system(cmd)"}
    for name, sample in samples.items():
        assert FORBIDDEN[name].search(sample), name
    assert not FORBIDDEN["eval("].search("model.evaluate(x)")
    assert not FORBIDDEN["exec("].search("pool.executor(x)")
