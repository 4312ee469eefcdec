"""One test per trust boundary: who may call what, with which token, on whose data."""
