"""Cross-language tests of MeshRPC (grpcio both ways, interop, hostile input)."""
