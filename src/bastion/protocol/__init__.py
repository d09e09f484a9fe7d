"""Pure typed messages and interfaces shared by the parts. No I/O happens here."""
