"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in test_openapi_schemathesis.py: TUS bodies are raw bytes."""
import schemathesis
from hypothesis import strategies as st

schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=64))
