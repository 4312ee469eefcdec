"""Route paths of the Account API, shared by the client and the sandbox."""

PREFIX = "/v1"

LOGIN = "/v1/auth/login"
MFA = "/v1/auth/mfa"
REFRESH = "/v1/auth/refresh"
LOGOUT = "/v1/auth/logout"
WHOAMI = "/v1/auth/whoami"
REAUTH = "/v1/auth/reauth"
TOKENS = "/v1/auth/tokens"
TOKEN = "/v1/auth/tokens/{token_id}"

RECOVER_USERNAME = "/v1/recovery/username"
RECOVER_PASSWORD = "/v1/recovery/password"
RECOVER_PASSWORD_CONFIRM = "/v1/recovery/password/confirm"

ACCOUNT = "/v1/account"
SERVICES = "/v1/services"
USAGE = "/v1/usage"

STATEMENTS = "/v1/statements"
STATEMENT = "/v1/statements/{statement_id}"  # `latest` is an alias for the newest
LATEST = "latest"
STATEMENT_UPCOMING = "/v1/statements/upcoming"
STATEMENT_PDF = "/v1/statements/{statement_id}/pdf"

BALANCE = "/v1/balance"
PAYMENTS = "/v1/payments"
PAYMENT = "/v1/payments/{payment_id}"
PAYMENT_CANCEL = "/v1/payments/{payment_id}/cancel"

PAYMENT_METHODS = "/v1/payment-methods"
PAYMENT_METHOD = "/v1/payment-methods/{method_id}"
PAYMENT_METHOD_DEFAULT = "/v1/payment-methods/{method_id}/default"

AUTOPAY = "/v1/autopay"

PROFILE = "/v1/profile"
PROFILE_PASSWORD = "/v1/profile/password"

FAQ = "/v1/support/faq"
FAQ_ARTICLE = "/v1/support/faq/{article_id}"
TICKETS = "/v1/support/tickets"
TICKET = "/v1/support/tickets/{ticket_id}"
TICKET_MESSAGES = "/v1/support/tickets/{ticket_id}/messages"
TICKET_CLOSE = "/v1/support/tickets/{ticket_id}/close"
CHATS = "/v1/support/chats"
CHAT_MESSAGES = "/v1/support/chats/{chat_id}/messages"

OUTAGES = "/v1/outages"
EQUIPMENT = "/v1/equipment"
EQUIPMENT_RESTART = "/v1/equipment/{equipment_id}/restart"

# The shape of each id that goes into a path, by its placeholder's name: a prefix, then
# lowercase letters, digits and underscores. The client refuses anything else before sending;
# the server answers it as it answers an unknown id (404).
ID_SHAPES: dict[str, tuple[str, str]] = {
    # placeholder: (what it names, pattern)
    "token_id": ("API token", r"tok_[a-z0-9_]{1,64}"),
    "statement_id": ("statement", rf"st_[a-z0-9_]{{1,64}}|{LATEST}"),
    # a payment's id, or its confirmation number (the alphabet of sandbox/domain/payments.py)
    "payment_id": ("payment", r"pay_[a-z0-9_]{1,64}|SPX-[A-HJ-NP-Z2-9]{8}"),
    "method_id": ("payment method", r"pm_[a-z0-9_]{1,64}"),
    "article_id": ("FAQ article", r"faq_[a-z0-9_]{1,64}"),
    "ticket_id": ("ticket", r"tkt_[a-z0-9_]{1,64}"),
    "chat_id": ("chat", r"chat_[a-z0-9_]{1,64}"),
    "equipment_id": ("equipment", r"eq_[a-z0-9_]{1,64}"),
}

SANDBOX_PERSONAS = "/v1/sandbox/personas"
SANDBOX_CLOCK = "/v1/sandbox/clock"
SANDBOX_OUTBOX = "/v1/sandbox/outbox"
SANDBOX_FAULTS = "/v1/sandbox/faults"
SANDBOX_RESET = "/v1/sandbox/reset"
SANDBOX_OUTAGES = "/v1/sandbox/outages"

# POSTs that move money: the server refuses them without an Idempotency-Key.
IDEMPOTENCY_REQUIRED: frozenset[tuple[str, str]] = frozenset({("POST", PAYMENTS)})

# POSTs whose answer carries a new secret (tokens). The server keeps no replay copy of such an
# answer, so it ignores Idempotency-Key on them; clients retry them only when the request
# surely never reached the server.
SECRET_RESPONSES: frozenset[tuple[str, str]] = frozenset(
    {("POST", LOGIN), ("POST", MFA), ("POST", REFRESH), ("POST", TOKENS)}
)

# Requests whose body carries a password, a one-time code or a refresh token. Clients never
# send these, nor any request with a bearer token, over plain http:// to another machine.
SECRET_REQUESTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", LOGIN),
        ("POST", MFA),
        ("POST", REFRESH),
        ("POST", RECOVER_PASSWORD_CONFIRM),
        ("POST", PROFILE_PASSWORD),
        ("POST", REAUTH),
    }
)

# Body fields that carry secrets: never logged by the client, never fingerprinted or stored
# by the server's idempotency layer.
SECRET_FIELDS: frozenset[str] = frozenset(
    {
        "password",
        "current_password",
        "new_password",
        "access_token",
        "refresh_token",
        "token",
        "code",
        "number",
        "account_number",
        "routing_number",
        "security_code",
        "cvc",
    }
)

# Response headers of the idempotency protocol.
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed"
REQUEST_ID_HEADER = "X-Request-Id"

# On every successful answer to an API token: when the token expires (ISO 8601) and in how many
# seconds by the server's clock, so a client can warn before a scheduled job stops working
# without asking for it.
TOKEN_EXPIRES_AT_HEADER = "Token-Expires-At"
TOKEN_EXPIRES_IN_HEADER = "Token-Expires-In"

# The sandbox admin key (a 0600 file beside the store) unlocks /v1/sandbox/*.
SANDBOX_KEY_HEADER = "Sandbox-Key"
SANDBOX_PREFIX = "/v1/sandbox/"
