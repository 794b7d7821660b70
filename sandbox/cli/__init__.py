"""The `sandbox` command: one short function per command over the layers below.

Nothing here holds business logic; a command parses its options, calls the runtime or a
scenario, and prints. Errors a user can fix are printed as one clear line, never a traceback.
One module per command group (`lifecycle`: up, status, reset; `stories`: run; `traces`;
`webhooks`; `ui`: the UI, serve, class; `lessons`: learn, present), each defining its own
subcommands with `add_parser`; `parser` puts them together (the other groups' commands live
beside their layers: `sandbox.audit.command`, `sandbox.lessons.command`, ...).
"""

from sandbox.cli.parser import main, parse

__all__ = ["main", "parse"]
