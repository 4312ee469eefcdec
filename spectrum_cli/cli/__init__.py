"""The `spectrum` command line: thin Typer commands over the client."""
