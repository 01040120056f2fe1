"""Our generated Swift codec against Google's Python protobuf, on random messages of every FileFlow type.

Python builds a random message with hypothesis and serializes it; our Swift code (proto-roundtrip) decodes and
re-encodes it; the bytes must be identical to Python's deterministic serialization, and Python must parse ours back
to an equal message. Mutated bytes must be refused by both sides alike, or accepted by both with the same meaning.
"""
import pytest
from google.protobuf import descriptor as D
from google.protobuf import message_factory
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import pb2

MODULES = ["fileflow/v1/common", "fileflow/v1/events", "fileflow/v1/metadata_service",
           "fileflow/v1/file_process_service", "fileflow/v1/search_service", "fileflow/v1/deletion_service",
           "fileflow/v1/notification_service", "grpc/testing/messages", "grpc/testing/empty", "grpc/health/v1/health"]


def all_messages():
    found = []

    def walk(desc):
        if desc.GetOptions().map_entry:
            return
        found.append(desc)
        for nested in desc.nested_types:
            walk(nested)

    for module in MODULES:
        for desc in pb2(module).DESCRIPTOR.message_types_by_name.values():
            walk(desc)
    return found


MESSAGES = all_messages()
NAMES = [m.full_name for m in MESSAGES]

F = D.FieldDescriptor
INTS = {F.TYPE_INT32: 32, F.TYPE_SINT32: 32, F.TYPE_SFIXED32: 32, F.TYPE_INT64: 64, F.TYPE_SINT64: 64,
        F.TYPE_SFIXED64: 64}
UINTS = {F.TYPE_UINT32: 32, F.TYPE_FIXED32: 32, F.TYPE_UINT64: 64, F.TYPE_FIXED64: 64}


def scalar(field):
    t = field.type
    if t in INTS:
        bits = INTS[t]
        return st.one_of(st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1), st.sampled_from([0, -1, 1]))
    if t in UINTS:
        return st.integers(0, 2 ** UINTS[t] - 1)
    if t == F.TYPE_BOOL:
        return st.booleans()
    if t == F.TYPE_FLOAT:
        return st.floats(width=32, allow_nan=False)
    if t == F.TYPE_DOUBLE:
        return st.floats(allow_nan=False)
    if t == F.TYPE_STRING:
        return st.text(max_size=40)
    if t == F.TYPE_BYTES:
        return st.binary(max_size=64)
    if t == F.TYPE_ENUM:
        # Open enums: unknown numbers must survive the round trip too.
        known = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(known), st.integers(-(2 ** 31), 2 ** 31 - 1))
    raise AssertionError(f"unhandled type {t} for {field.full_name}")


def is_map(field):
    return field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def is_repeated(field):
    # `label` is deprecated in newer protobuf releases; `is_repeated` replaces it there.
    repeated = getattr(field, "is_repeated", None)
    if repeated is not None:
        return repeated if isinstance(repeated, bool) else repeated()
    return field.label == F.LABEL_REPEATED


@st.composite
def message(draw, desc, depth=0):
    msg = message_factory.GetMessageClass(desc)()
    deep = depth >= 3
    in_oneof = {f.name for o in desc.oneofs for f in o.fields}
    for field in desc.fields:
        if field.name in in_oneof:
            continue
        set_field(draw, msg, field, depth, deep)
    for oneof in desc.oneofs:
        chosen = draw(st.sampled_from([None, *oneof.fields]))
        if chosen is not None and not (deep and chosen.type == F.TYPE_MESSAGE):
            set_field(draw, msg, chosen, depth, deep, force=True)
    return msg


def set_field(draw, msg, field, depth, deep, force=False):
    if is_map(field):
        key_f, value_f = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        entries = draw(st.dictionaries(scalar(key_f), st.none() if value_f.type == F.TYPE_MESSAGE else scalar(value_f),
                                       max_size=0 if deep else 4))
        target = getattr(msg, field.name)
        for k, v in entries.items():
            if value_f.type == F.TYPE_MESSAGE:
                target[k].CopyFrom(draw(message(value_f.message_type, depth + 1)))
            else:
                target[k] = v
    elif is_repeated(field):
        if field.type == F.TYPE_MESSAGE:
            for _ in range(draw(st.integers(0, 0 if deep else 3))):
                getattr(msg, field.name).add().CopyFrom(draw(message(field.message_type, depth + 1)))
        else:
            getattr(msg, field.name).extend(draw(st.lists(scalar(field), max_size=6)))
    elif field.type == F.TYPE_MESSAGE:
        if force or (not deep and draw(st.booleans())):
            getattr(msg, field.name).CopyFrom(draw(message(field.message_type, depth + 1)))
            getattr(msg, field.name).SetInParent()
    elif force or draw(st.booleans()):
        setattr(msg, field.name, draw(scalar(field)))


SETTINGS = settings(max_examples=int(__import__("os").environ.get("FILEFLOW_PROPERTY_EXAMPLES", "120")),
                    deadline=None, suppress_health_check=list(HealthCheck),
                    # CI replays one fixed example set, so a landing never hinges on a lucky draw; locally each run explores.
                    derandomize=__import__("os").environ.get("CI") == "true")


@pytest.mark.parametrize("name", NAMES)
def test_python_to_swift_and_back_is_byte_identical(roundtrip, name):
    desc = next(m for m in MESSAGES if m.full_name == name)

    @SETTINGS
    @given(message(desc))
    def check(msg):
        wire = msg.SerializeToString(deterministic=True)
        status, ours = roundtrip(name, wire)
        assert status == 0, ours.decode(errors="replace")
        assert ours == wire
        back = message_factory.GetMessageClass(desc)()
        back.ParseFromString(ours)
        assert back == msg

    check()


@SETTINGS
@given(st.sampled_from(MESSAGES), st.sampled_from(MESSAGES), st.data())
def test_unknown_fields_survive_like_python(roundtrip, written_as, read_as, data):
    """Bytes of one type read as another: what the reader does not know it must keep and re-emit as Python does."""
    msg = data.draw(message(written_as))
    wire = msg.SerializeToString(deterministic=True)
    reader = message_factory.GetMessageClass(read_as)()
    try:
        reader.ParseFromString(wire)
    except Exception:
        status, _ = roundtrip(read_as.full_name, wire)
        assert status == 1, f"Python refused these bytes as {read_as.full_name}; we accepted them"
        return
    status, ours = roundtrip(read_as.full_name, wire)
    assert status == 0, ours.decode(errors="replace")
    again = message_factory.GetMessageClass(read_as)()
    again.ParseFromString(ours)
    assert again == reader
    assert again.SerializeToString(deterministic=True) == reader.SerializeToString(deterministic=True)


@SETTINGS
@given(st.sampled_from(MESSAGES), st.data())
def test_mutated_bytes_are_refused_or_understood_alike(roundtrip, desc, data):
    """Truncations, flipped bytes and splices: never a crash, and an accepted input means what Python says."""
    wire = bytearray(data.draw(message(desc)).SerializeToString(deterministic=True))
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["truncate", "flip", "insert"]))
        if kind == "truncate" and wire:
            del wire[data.draw(st.integers(0, len(wire) - 1)):]
        elif kind == "flip" and wire:
            wire[data.draw(st.integers(0, len(wire) - 1))] ^= data.draw(st.integers(1, 255))
        else:
            at = data.draw(st.integers(0, len(wire)))
            wire[at:at] = data.draw(st.binary(min_size=1, max_size=6))
    wire = bytes(wire)
    status, ours = roundtrip(desc.full_name, wire)
    python = message_factory.GetMessageClass(desc)()
    try:
        python.ParseFromString(wire)
        python_ok = True
    except Exception:
        python_ok = False
    if status == 0:
        assert python_ok, "we accepted bytes Python refuses"
        ours_parsed = message_factory.GetMessageClass(desc)()
        ours_parsed.ParseFromString(ours)
        assert ours_parsed == python
    else:
        assert status == 1, ours
        # Where we are stricter than Python on purpose: upb reads groups (wire types 3/4) as unknown fields, and
        # stops quietly at a zero tag as if the message ended there; we refuse both with a typed error.
        if python_ok:
            reason = ours.decode(errors="replace").lower()
            assert any(t in reason for t in ("group", "depth", "field number 0")), ours


def test_unknown_type_name_is_reported(roundtrip):
    status, text = roundtrip("fileflow.v1.NoSuchMessage", b"")
    assert status == 2 and b"NoSuchMessage" in text
