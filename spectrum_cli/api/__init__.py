"""The Account API contract: request and response models shared by the client and the sandbox.

This package imports only pydantic and the standard library. Import the module you need
(``spectrum_cli.api.auth``, ``spectrum_cli.api.billing`` ...) rather than this package, so a
program pays only for the models it uses.
"""

API_VERSION = "v1"
