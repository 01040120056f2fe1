"""Prints protoc's view of .proto files as sorted summary lines, for ProtogenTests' cross-check.

Usage: descriptor_summary.py DESCRIPTOR_SET  (made by protoc --include_imports --include_source_info)

Each line states one fact (a field's number, label and type, an enum value, a method's types, a leading
comment) in the format ProtocCrossCheckTests builds from protogen's AST, so the two sides compare line by line.
"""
import sys

from google.protobuf import descriptor_pb2

SCALARS = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
    9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64",
}


def comments(text):
    """protoc keeps the text between the markers; protogen also drops trailing blanks on each line."""
    if not text:
        return ""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    stripped = [line.rstrip(" \t\r") for line in lines]
    return "|".join(stripped)


def main():
    descriptor_set = descriptor_pb2.FileDescriptorSet()
    with open(sys.argv[1], "rb") as handle:
        descriptor_set.ParseFromString(handle.read())
    out = []
    for file in descriptor_set.file:
        docs = {tuple(loc.path): loc.leading_comments for loc in file.source_code_info.location}
        out.append(f"file {file.name} package={file.package} imports={','.join(file.dependency)}")
        entries = {}

        def collect_entries(message, scope):
            full = f"{scope}.{message.name}" if scope else message.name
            if message.options.map_entry:
                entries["." + full] = message
            for nested in message.nested_type:
                collect_entries(nested, full)

        for message in file.message_type:
            collect_entries(message, file.package)

        def type_of(field):
            if field.type in SCALARS:
                return SCALARS[field.type]
            if field.type == 11 and field.type_name in entries:
                entry = entries[field.type_name]
                return f"map<{type_of(entry.field[0])},{type_of(entry.field[1])}>"
            kind = "enum" if field.type == 14 else "message"
            return f"{kind}:{field.type_name.lstrip('.')}"

        def visit_enum(enum, scope, path):
            full = f"{scope}.{enum.name}" if scope else enum.name
            out.append(f"enum {full} doc={comments(docs.get(path))}")
            for index, value in enumerate(enum.value):
                doc = comments(docs.get(path + (2, index)))
                out.append(f"value {full}.{value.name} {value.number} doc={doc}")
            for reserved in enum.reserved_range:
                out.append(f"reserved {full} {reserved.start}...{reserved.end}")
            for name in enum.reserved_name:
                out.append(f"reserved {full} {name}")

        def visit_message(message, scope, path):
            full = f"{scope}.{message.name}" if scope else message.name
            if message.options.map_entry:
                return
            out.append(f"message {full} doc={comments(docs.get(path))}")
            for index, field in enumerate(message.field):
                is_map = field.type == 11 and field.type_name in entries
                if field.proto3_optional:
                    label = "optional"
                elif field.label == 3 and not is_map:
                    label = "repeated"
                else:
                    label = "singular"
                oneof = "-"
                if field.HasField("oneof_index") and not field.proto3_optional:
                    oneof = message.oneof_decl[field.oneof_index].name
                doc = comments(docs.get(path + (2, index)))
                out.append(f"field {full}.{field.name} {field.number} {label} {type_of(field)} oneof={oneof} doc={doc}")
            for index, oneof in enumerate(message.oneof_decl):
                if not any(f.HasField("oneof_index") and f.oneof_index == index and f.proto3_optional
                           for f in message.field):
                    out.append(f"oneof {full}.{oneof.name} doc={comments(docs.get(path + (8, index)))}")
            for reserved in message.reserved_range:
                out.append(f"reserved {full} {reserved.start}...{reserved.end - 1}")
            for name in message.reserved_name:
                out.append(f"reserved {full} {name}")
            for index, nested in enumerate(message.nested_type):
                visit_message(nested, full, path + (3, index))
            for index, enum in enumerate(message.enum_type):
                visit_enum(enum, full, path + (4, index))

        for index, message in enumerate(file.message_type):
            visit_message(message, file.package, (4, index))
        for index, enum in enumerate(file.enum_type):
            visit_enum(enum, file.package, (5, index))
        for index, service in enumerate(file.service):
            full = f"{file.package}.{service.name}" if file.package else service.name
            out.append(f"service {full} doc={comments(docs.get((6, index)))}")
            for method_index, method in enumerate(service.method):
                doc = comments(docs.get((6, index, 2, method_index)))
                out.append(
                    f"method {full}.{method.name} {method.input_type.lstrip('.')} {method.output_type.lstrip('.')} "
                    f"client_streaming={str(method.client_streaming).lower()} "
                    f"server_streaming={str(method.server_streaming).lower()} doc={doc}"
                )
    sys.stdout.write("\n".join(sorted(out)) + "\n")


if __name__ == "__main__":
    main()
