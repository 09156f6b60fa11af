"""The `summarize` command line: a thin Typer layer that parses options, calls the library and maps errors to exit codes."""
