"""Fuzzing the server as a hostile stranger: Hypothesis strategies for its inputs and a client that
sends one input and says how the server took it (tests/api/test_fuzz.py, tools/fuzz_server.py)."""
