"""Every timing knob of the client, in one place."""

DEFAULT_TIMEOUT = 30.0  # seconds for a whole request
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_RETRIES = 2  # so 3 attempts in all
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0  # a longer Retry-After falls back to our own backoff
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
USER_AGENT = "spectrum-cli/{version} python-httpx"
