"""The `bastion hello` demo app (hello.py is run by the app runtime, never imported)."""
