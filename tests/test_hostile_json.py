"""
Hostile input to the JSON decoder: every bad document is a ValidationError.

Lone surrogates, documents nested without end, huge or unprintable keys and
random bytes must all end as a :class:`soapbill.ValidationError` naming the
path, and nothing in the error or in the exceptions chained to it may quote
the input.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import (
    Address,
    Claim,
    Payer,
    PersonName,
    Prescription,
    SoapNote,
    ValidationError,
)
from soapbill import strategies as sbst
from soapbill._validators import TRUSTED, has_surrogate
from soapbill.formats.json import (
    MAX_DEPTH,
    DeserializationError,
    from_dict,
    from_json,
    make_converter,
    to_dict,
    to_json,
)
from soapbill.rules import policies
from soapbill.rules.policy import PayerPolicy

Doc = dict[str, Any]

SENTINEL = "Zebulon-7731"
ROOT = Path(__file__).parent.parent


def example_claim() -> Doc:
    doc: Doc = json.loads((ROOT / "examples" / "claim.json").read_text(encoding="utf-8"))
    return doc


def chain(error: BaseException) -> Iterator[BaseException]:
    """
    Yield *error* and every exception chained to it, each once.
    """
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        todo += (exc.__cause__, exc.__context__)
        if isinstance(exc, BaseExceptionGroup):
            todo.extend(exc.exceptions)


def shown(error: BaseException) -> str:
    """
    Everything an error and its chain would show in a log or a traceback.
    """
    parts = []
    for exc in chain(error):
        parts += [str(exc), repr(exc), repr(exc.args), *getattr(exc, "__notes__", ())]
        if isinstance(exc, UnicodeError):
            parts.append(repr(getattr(exc, "object", "")))
    return "\n".join(parts)


def assert_clean(error: BaseException, *secrets: str) -> None:
    assert isinstance(error, ValidationError), type(error)
    text = shown(error)
    for secret in secrets:
        assert secret not in text
    # A lone surrogate in an error would make its message unwritable as UTF-8.
    text.encode("utf-8")


def set_at(doc: Doc, path: tuple[str | int, ...], value: object) -> None:
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


# --- lone surrogates ------------------------------------------------------------------------

SURROGATE_SPOTS = [
    pytest.param(("patient", "name", "given"), "patient.name.given", "lone_surrogate", id="text"),
    pytest.param(("patient", "id"), "patient.id", "lone_surrogate", id="id"),
    pytest.param(("coverage", "member_id"), "coverage.member_id", "lone_surrogate", id="member"),
    pytest.param(("patient", "sex"), "patient.sex", "invalid_choice", id="enum"),
    pytest.param(("patient", "birth_date"), "patient.birth_date", "invalid_format", id="date"),
    pytest.param(("lines", 0, "charge"), "lines[0].charge", "invalid_format", id="money"),
    pytest.param(("diagnoses", 0), "diagnoses[0]", "invalid_format", id="code"),
]


def with_surrogate(path: tuple[str | int, ...], surrogate: str = "\ud800") -> Doc:
    doc = example_claim()
    set_at(doc, path, f"{SENTINEL}{surrogate}")
    return doc


def decode(source: object, cls: type) -> object:
    """
    Decode JSON text with from_json, anything else with from_dict.
    """
    if isinstance(source, (str, bytes)):
        return from_json(source, cls)
    return from_dict(source, cls)


def encodings(doc: Doc) -> list[str | bytes]:
    """
    The forms of one document a caller may hand to from_json.
    """
    return [
        json.dumps(doc).encode(),  # a "\ud800" escape, in bytes
        json.dumps(doc),  # the same escape, in a str
        json.dumps(doc, ensure_ascii=False),  # the surrogate itself, in a str
    ]


@pytest.mark.parametrize(
    "surrogate", [chr(0xD800), chr(0xDBFF), chr(0xDC00), chr(0xDFFF)], ids=ascii
)
@pytest.mark.parametrize(("path", "error_path", "code"), SURROGATE_SPOTS)
def test_a_lone_surrogate_is_refused_at_its_path(
    path: tuple[str | int, ...], error_path: str, code: str, surrogate: str
) -> None:
    doc = with_surrogate(path, surrogate)
    for source in [doc, *encodings(doc)]:
        with pytest.raises(DeserializationError) as info:
            decode(source, Claim)
        assert [(e.path, e.code) for e in info.value.errors] == [(error_path, code)]
        assert_clean(info.value, SENTINEL, "Jordan", "1980")


def test_a_document_in_a_str_with_a_surrogate_quotes_nothing() -> None:
    # msgspec encodes a str to UTF-8 first; its UnicodeEncodeError held the
    # whole document.
    doc = with_surrogate(("patient", "name", "given"))
    doc["patient"]["name"]["family"] = SENTINEL
    with pytest.raises(DeserializationError) as info:
        from_json(json.dumps(doc, ensure_ascii=False), Claim)
    assert_clean(info.value, SENTINEL, "1980-02-29", "XZ")


def test_a_surrogate_pair_escape_is_text() -> None:
    doc = example_claim()
    doc["patient"]["name"]["given"] = "Jo \U0001f600"
    assert from_json(json.dumps(doc).encode(), Claim).patient.name.given == "Jo \U0001f600"


def test_a_surrogate_in_a_key_is_escaped() -> None:
    doc = example_claim()
    doc["patient"]["\udc80" + SENTINEL[:3]] = 1
    for source in [doc, *encodings(doc)]:
        with pytest.raises(DeserializationError) as info:
            decode(source, Claim)
        assert [(e.path, e.code) for e in info.value.errors] == [
            ("patient.\\udc80Zeb", "unknown_field")
        ]
        assert_clean(info.value)


def test_text_that_is_not_json_or_not_utf8_stays_invalid_json() -> None:
    doc = example_claim()
    # Surrogates as UTF-8-like bytes are not UTF-8: nothing to read a path from.
    text = json.dumps(with_surrogate(("patient", "id")), ensure_ascii=False)
    sources: list[str | bytes] = [
        text.encode("utf-8", "surrogatepass"),
        json.dumps(doc).encode("utf-16"),
        b'{"id": "\xff"}',
        json.dumps(doc)[:-1] + ', "x": "\\ud800"',  # broken JSON with a surrogate
        '{"id": NaN, "x": "\\ud800"}',  # Python's parser takes NaN, JSON does not
        '{"id": -Infinity, "x": "\\ud800"}',
    ]
    for source in sources:
        with pytest.raises(DeserializationError) as info:
            from_json(source, Claim)
        assert [(e.path, e.code) for e in info.value.errors] == [("", "json_invalid")]
        assert_clean(info.value, SENTINEL)


def hostile_text(*, min_size: int = 0, max_size: int) -> st.SearchStrategy[str]:
    """
    Text with surrogates and control characters among any others.

    (``st.text`` merges a union of character strategies into one alphabet,
    which drops the surrogates.)
    """
    return st.lists(
        st.characters(categories=["Cs"])
        | st.characters(categories=["Cc", "Cf", "Zl", "Zp"])
        | st.characters(),
        min_size=min_size,
        max_size=max_size,
    ).map("".join)


@given(
    st.builds(
        lambda a, s, b: a + s + b,
        hostile_text(max_size=4),
        st.characters(categories=["Cs"]),
        hostile_text(max_size=4),
    )
)
def test_msgspec_refuses_every_surrogate_in_json_text(text: str) -> None:
    # The trusted JSON path leaves the models' surrogate test to msgspec: it
    # never yields a string holding one. (An escaped pair, "\\ud800\\udc00",
    # is one character, U+10000, for every JSON parser.)
    for source in (
        json.dumps(text).encode(),
        json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass"),
    ):
        try:
            decoded = msgspec.json.decode(source)
        except msgspec.DecodeError:
            continue
        assert not has_surrogate(decoded)
        assert decoded == text.encode("utf-16", "surrogatepass").decode("utf-16")
    with pytest.raises(UnicodeEncodeError):
        msgspec.json.decode(json.dumps(text, ensure_ascii=False))


def test_msgspec_refuses_a_lone_surrogate_escape() -> None:
    for escape in ["\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\udc00\\ud800", "\\ud800x"]:
        with pytest.raises(msgspec.DecodeError):
            msgspec.json.decode(f'["{escape}"]'.encode())


def test_a_model_refuses_a_surrogate() -> None:
    with pytest.raises(ValidationError) as info:
        Payer(id="EX1", name=f"{SENTINEL}\ud800")
    assert [(e.path, e.code) for e in info.value.errors] == [("name", "lone_surrogate")]
    assert_clean(info.value, SENTINEL)
    with pytest.raises(ValidationError) as optional:
        Address(line1="1 Elm St", line2="\udfff", city="X", state="WA", postal_code="98101")
    assert [(e.path, e.code) for e in optional.value.errors] == [("line2", "lone_surrogate")]
    # Not under the decoder's trusted mode either, outside the decoder.
    assert TRUSTED.get() is False


def test_no_model_holding_a_surrogate_can_be_decoded_or_written() -> None:
    doc = with_surrogate(("patient", "name", "family"))
    with pytest.raises(DeserializationError):
        from_dict(doc, Claim)
    name = PersonName(family="Rivera", given="Jordan")
    with pytest.raises(ValidationError):
        attrs.evolve(name, given="\ud800")


@attrs.frozen
class Plain:
    """
    A plain attrs class, without soapbill's checks.
    """

    text: str


def test_to_json_refuses_a_surrogate_without_quoting_it() -> None:
    with pytest.raises(ValidationError) as info:
        to_json(Plain(f"{SENTINEL}\ud800"))
    assert [(e.path, e.code) for e in info.value.errors] == [("", "lone_surrogate")]
    assert_clean(info.value, SENTINEL)
    assert to_json(Plain("ok")) == '{"text":"ok"}'


def test_text_an_application_hook_takes_is_still_not_json() -> None:
    converter = make_converter()
    converter.register_structure_hook(str, lambda value, _: value)
    with pytest.raises(DeserializationError) as info:
        from_json('{"text": "\\ud800"}', Plain, converter=converter)
    assert [(e.path, e.code) for e in info.value.errors] == [("", "json_invalid")]
    with pytest.raises(DeserializationError) as strict:
        from_json('{"text": "\\ud800"}', Plain)
    assert [(e.path, e.code) for e in strict.value.errors] == [("text", "lone_surrogate")]


# --- nesting ----------------------------------------------------------------------------------


def nested_list(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def nested_object(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def dumps_with(doc: Doc, path: tuple[str | int, ...], value: object) -> str:
    """
    Return the JSON of *doc* with *value* at *path*, however deep *value* is.

    (``json.dumps`` itself recurses, and fails on deep values.)
    """
    placeholder = "@@deep@@"
    spot = copy.deepcopy(doc)
    set_at(spot, path, placeholder)
    if isinstance(value, list):
        levels, text = 1, "[]"
        while value and isinstance(value[0], list):
            value, levels = value[0], levels + 1
        text = "[" * levels + "]" * levels
    else:
        levels = 1
        node: Any = value
        while node:
            node, levels = node["a"], levels + 1
        text = '{"a":' * (levels - 1) + "{}" + "}" * (levels - 1)
    return json.dumps(spot).replace(json.dumps(placeholder), text)


def too_deep(error: DeserializationError) -> bool:
    return [(e.path, e.code) for e in error.errors] == [("", "too_deep")]


@pytest.mark.parametrize("levels", [MAX_DEPTH, 1000, 5000, 100_000])
@pytest.mark.parametrize("make", [nested_list, nested_object], ids=["array", "object"])
@pytest.mark.parametrize(
    "path",
    [("patient", "name", "given"), ("patient", "extra"), ("lines",), ("diagnoses", 0)],
    ids=["string", "unknown", "array", "code"],
)
def test_deep_nesting_is_refused(path: tuple[str | int, ...], make: Any, levels: int) -> None:
    doc = example_claim()
    value = make(levels)
    text = dumps_with(doc, path, value)
    assert len(text) > levels * 2
    set_at(doc, path, value)
    with pytest.raises(DeserializationError) as from_text:
        from_json(text, Claim)
    with pytest.raises(DeserializationError) as from_data:
        from_dict(doc, Claim)
    for error in (from_text.value, from_data.value):
        assert too_deep(error)
        assert_clean(error)


def test_a_whole_deep_document_is_refused() -> None:
    text = "[" * 2000 + "]" * 2000
    with pytest.raises(DeserializationError) as info:
        from_json(text, Claim)
    assert too_deep(info.value)
    with pytest.raises(DeserializationError) as data:
        from_dict(nested_list(2000), Claim)
    assert too_deep(data.value)


def test_the_depth_limit_counts_every_level() -> None:
    # The claim, patient and name objects are three levels.
    doc = example_claim()
    doc["patient"]["name"]["given"] = nested_list(MAX_DEPTH - 3)
    with pytest.raises(DeserializationError) as info:
        from_json(json.dumps(doc), Claim)
    assert [(e.path, e.code) for e in info.value.errors] == [("patient.name.given", "invalid_type")]
    doc["patient"]["name"]["given"] = nested_list(MAX_DEPTH - 2)
    with pytest.raises(DeserializationError) as deeper:
        from_json(json.dumps(doc), Claim)
    assert too_deep(deeper.value)


def test_cyclic_data_is_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    doc = example_claim()
    doc["patient"]["name"]["given"] = loop
    with pytest.raises(DeserializationError) as info:
        from_dict(doc, Claim)
    assert too_deep(info.value)


def test_shared_data_is_walked_quickly() -> None:
    # Sixty levels of pairs sharing one child: 2**60 paths, 60 lists.
    shared: list[Any] = []
    for _ in range(MAX_DEPTH - 4):
        shared = [shared, shared]
    doc = example_claim()
    doc["patient"]["name"]["given"] = shared
    with pytest.raises(DeserializationError) as info:
        from_dict(doc, Claim)
    assert [(e.path, e.code) for e in info.value.errors] == [("patient.name.given", "invalid_type")]


@attrs.frozen(kw_only=True)
class Tree:
    """
    A class that contains itself: its documents may nest without bound.
    """

    label: str
    children: tuple[Tree, ...] = ()


def deep_tree(levels: int) -> Doc:
    tree: Doc = {"label": "leaf", "children": []}
    for _ in range(levels - 1):
        tree = {"label": "node", "children": [tree]}
    return tree


def deep_tree_text(levels: int) -> str:
    node = '{"label": "node", "children": ['
    return node * (levels - 1) + '{"label": "leaf", "children": []}' + "]}" * (levels - 1)


def test_a_class_that_contains_itself_is_bounded_too() -> None:
    # A tree level is an object and an array.
    fits = deep_tree(MAX_DEPTH // 2)
    assert json.loads(deep_tree_text(MAX_DEPTH // 2)) == fits
    assert from_dict(fits, Tree) == from_json(deep_tree_text(MAX_DEPTH // 2), Tree)
    for levels in (MAX_DEPTH // 2 + 1, 400, 3000):
        deep = deep_tree(levels)
        with pytest.raises(DeserializationError) as from_data:
            from_dict(deep, Tree)
        assert too_deep(from_data.value)
        with pytest.raises(DeserializationError) as from_text:
            from_json(deep_tree_text(levels), Tree)
        assert too_deep(from_text.value)


def test_the_depth_limit_is_documented() -> None:
    assert MAX_DEPTH == 64
    fmt = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    assert "64 levels" in fmt


# --- unknown keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        pytest.param("x" * 10_000, "x" * 40 + "\N{HORIZONTAL ELLIPSIS}", id="huge"),
        pytest.param("y" * 40, "y" * 40, id="forty"),
        pytest.param("bad\x1b[31mkey\n", "bad\\x1b[31mkey\\n", id="control"),
        pytest.param("\u2028line", "\\u2028line", id="line-separator"),
        pytest.param("caf\u00e9", "caf\u00e9", id="printable"),
        pytest.param("\x00" * 50, "\\x00" * 40 + "\N{HORIZONTAL ELLIPSIS}", id="nul"),
    ],
)
def test_an_unknown_key_is_shown_short_and_escaped(key: str, shown: str) -> None:
    doc = example_claim()
    doc["patient"][key] = 1
    for error in _errors(doc):
        assert [(e.path, e.code) for e in error.errors] == [(f"patient.{shown}", "unknown_field")]
        assert len(str(error)) < 300


def test_a_key_that_is_no_string_is_named_by_its_type() -> None:
    doc: dict[Any, Any] = example_claim()
    doc["patient"][7] = 1
    with pytest.raises(DeserializationError) as info:
        from_dict(doc, Claim)
    assert [(e.path, e.code) for e in info.value.errors] == [("patient.<int key>", "unknown_field")]


def _errors(doc: Doc) -> Iterator[DeserializationError]:
    with pytest.raises(DeserializationError) as from_data:
        from_dict(doc, Claim)
    yield from_data.value
    for source in encodings(doc):
        with pytest.raises(DeserializationError) as from_text:
            from_json(source, Claim)
        yield from_text.value


# --- anything at all ---------------------------------------------------------------------------

# Text of every kind: surrogates, control characters, the sentinel.
HOSTILE_TEXT = st.one_of(
    hostile_text(max_size=12),
    st.builds(lambda a, b: f"{a}{SENTINEL}{b}", hostile_text(max_size=3), hostile_text(max_size=3)),
    st.sampled_from(["", "1980-02-29", "125.00", "female", "97124", "M54.50", "original"]),
)
KEYS = hostile_text(max_size=50)
JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)


def _policy_docs() -> st.SearchStrategy[Doc]:
    return st.sampled_from(policies.names()).map(lambda name: to_dict(policies.load(name)))


ROOTS: dict[type, Any] = {
    Claim: lambda: sbst.claims(max_lines=3).map(to_dict),
    SoapNote: lambda: sbst.soap_notes().map(to_dict),
    Prescription: lambda: sbst.prescriptions().map(to_dict),
    PayerPolicy: _policy_docs,
}


def paths(node: object, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths(value, (*prefix, i))


def spoil(data: st.DataObject, doc: Doc) -> None:
    """
    Put hostile values, keys and nesting into a valid document.
    """
    for _ in range(data.draw(st.integers(1, 4), label="changes")):
        path = data.draw(st.sampled_from(list(paths(doc))), label="path")
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["value", "key", "nest"]), label="action")
        if action == "key" and isinstance(parent, dict):
            parent[data.draw(KEYS, label="key")] = data.draw(JSONISH, label="value")
        elif action == "nest":
            depth = data.draw(st.integers(1, 3 * MAX_DEPTH), label="depth")
            parent[path[-1]] = nested_list(depth) if depth % 2 else nested_object(depth)
        else:
            parent[path[-1]] = data.draw(JSONISH, label="value")


def decode_every_way(doc: object, cls: type) -> Iterator[BaseException | None]:
    """
    Decode *doc* as data and as every form of JSON text; yield each outcome.
    """
    sources: list[object] = [doc]
    try:
        sources.append(json.dumps(doc, ensure_ascii=False))
        sources.append(json.dumps(doc).encode())
    except RecursionError:  # too deep for the json module to write
        pass
    for source in sources:
        try:
            decode(source, cls)
        except Exception as exc:  # noqa: BLE001 - what is raised is the test
            yield exc
        else:
            yield None


def assert_only_clean_validation_errors(doc: object, cls: type) -> None:
    for outcome in decode_every_way(doc, cls):
        if outcome is not None:
            assert_clean(outcome, SENTINEL)


@pytest.mark.parametrize("cls", list(ROOTS), ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_a_spoiled_document_gives_a_clean_validation_error(cls: type, data: st.DataObject) -> None:
    doc = copy.deepcopy(data.draw(ROOTS[cls](), label="document"))
    spoil(data, doc)
    assert_only_clean_validation_errors(doc, cls)


@pytest.mark.parametrize("cls", list(ROOTS), ids=lambda cls: cls.__name__)
@given(value=JSONISH)
def test_any_data_gives_a_clean_validation_error(cls: type, value: object) -> None:
    assert_only_clean_validation_errors(value, cls)


@pytest.mark.parametrize("cls", list(ROOTS), ids=lambda cls: cls.__name__)
@given(text=st.binary(max_size=200) | hostile_text(max_size=50))
def test_any_text_gives_a_clean_validation_error(cls: type, text: bytes | str) -> None:
    with pytest.raises(ValidationError) as info:
        from_json(text, cls)
    assert_clean(info.value)


@given(data=st.data())
def test_damaged_json_bytes_give_a_clean_validation_error(data: st.DataObject) -> None:
    doc = to_dict(data.draw(sbst.claims(max_lines=2), label="claim"))
    doc["patient"]["name"]["family"] = SENTINEL
    text = bytearray(json.dumps(doc).encode())
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        at = data.draw(st.integers(0, len(text) - 1), label="at")
        text[at : at + 1] = data.draw(st.binary(max_size=3), label="bytes")
    try:
        from_json(bytes(text), Claim)
    except Exception as exc:  # noqa: BLE001 - what is raised is the test
        assert_clean(exc, SENTINEL)


def test_a_huge_array_of_broken_items_lists_its_first_failures_only() -> None:
    doc = json.loads((ROOT / "examples" / "claim.json").read_text())
    doc["lines"] = [{}] * 200_000
    with pytest.raises(ValidationError) as info:
        from_json(json.dumps(doc), Claim)
    failed = {e.path.split("]")[0] for e in info.value.errors if e.path.startswith("lines[")}
    assert len(failed) == 20
    assert "lines[19" in failed
    assert "lines[20" not in failed
