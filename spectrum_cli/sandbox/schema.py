"""Schema migrations. Each entry upgrades the file by one version; never edit a released one."""

MIGRATIONS: list[str] = [
    # 1: accounts, users, auth, recovery, outbox, idempotency, faults, clock
    """
    CREATE TABLE clock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        offset_seconds INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO clock (id, offset_seconds) VALUES (1, 0);

    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        security_code_hash TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        status TEXT NOT NULL,
        cycle_day INTEGER NOT NULL,
        service_address TEXT NOT NULL,
        billing_address TEXT NOT NULL,
        balance_cents INTEGER NOT NULL DEFAULT 0,
        due_date TEXT,
        created_at TEXT NOT NULL
    );

    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        mfa_channel TEXT,
        created_at TEXT NOT NULL
    );

    CREATE TABLE password_history (
        user_id TEXT NOT NULL REFERENCES users(id),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );

    CREATE TABLE contacts (
        account_id TEXT NOT NULL REFERENCES accounts(id),
        kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
        value TEXT NOT NULL COLLATE NOCASE,
        is_primary INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX contacts_value ON contacts (value);

    CREATE TABLE services (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        kind TEXT NOT NULL,
        plan_name TEXT NOT NULL,
        monthly_price_cents INTEGER NOT NULL,
        promo_price_cents INTEGER,
        promo_ends_on TEXT,
        lines TEXT NOT NULL DEFAULT '[]'
    );

    CREATE TABLE equipment (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        kind TEXT NOT NULL,
        model TEXT NOT NULL,
        service_kind TEXT NOT NULL,
        monthly_fee_cents INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'online'
    );

    CREATE TABLE payment_methods (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        type TEXT NOT NULL CHECK (type IN ('card', 'bank_account')),
        brand TEXT,
        last4 TEXT NOT NULL,
        exp_month INTEGER,
        exp_year INTEGER,
        account_type TEXT,
        routing_number TEXT,
        -- what the well-known test numbers do when charged: ok, decline, insufficient_funds, ...
        behavior TEXT NOT NULL DEFAULT 'ok',
        is_default INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        removed_at TEXT
    );

    CREATE TABLE autopay (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id),
        enabled INTEGER NOT NULL,
        method_id TEXT REFERENCES payment_methods(id),
        status TEXT NOT NULL,
        last_failure_reason TEXT
    );

    CREATE TABLE personas (
        username TEXT PRIMARY KEY,
        password TEXT NOT NULL,
        summary TEXT NOT NULL,
        position INTEGER NOT NULL
    );

    -- Failed sign-ins are counted per username as typed, known or not, so a lockout
    -- answer reveals nothing about which usernames exist.
    CREATE TABLE login_failures (
        username TEXT PRIMARY KEY COLLATE NOCASE,
        failures INTEGER NOT NULL,
        locked_until TEXT
    );

    CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh', 'api')),
        user_id TEXT NOT NULL REFERENCES users(id),
        family_id TEXT,
        name TEXT,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
    );
    CREATE INDEX tokens_family ON tokens (family_id);
    CREATE INDEX tokens_user ON tokens (user_id, kind);

    CREATE TABLE challenges (
        id TEXT PRIMARY KEY,
        purpose TEXT NOT NULL CHECK (purpose IN ('mfa', 'password_reset')),
        user_id TEXT NOT NULL REFERENCES users(id),
        code_hash TEXT NOT NULL,
        channel TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        used_at TEXT
    );
    CREATE INDEX challenges_user ON challenges (user_id, purpose);

    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        code TEXT,
        created_at TEXT NOT NULL
    );

    CREATE TABLE idempotency_keys (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done')),
        status INTEGER,
        headers TEXT,
        body BLOB,
        created_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
    );

    CREATE TABLE faults (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        rule TEXT NOT NULL,
        remaining INTEGER
    );
    """,
    # 2: billing: statements, charges (line items), payments; balances are derived, not stored
    """
    ALTER TABLE accounts DROP COLUMN balance_cents;
    ALTER TABLE accounts DROP COLUMN due_date;
    ALTER TABLE accounts ADD COLUMN billing_start TEXT;

    CREATE TABLE statements (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        statement_date TEXT NOT NULL,
        due_date TEXT NOT NULL,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        previous_balance_cents INTEGER NOT NULL,
        amount_due_cents INTEGER NOT NULL,
        messages TEXT NOT NULL DEFAULT '[]',
        late_fee_checked INTEGER NOT NULL DEFAULT 0,
        UNIQUE (account_id, statement_date)
    );

    -- Every charge is a line item; one not yet on a statement (a late fee) has no statement_id.
    CREATE TABLE charges (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        statement_id TEXT REFERENCES statements(id),
        kind TEXT NOT NULL,
        description TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        service_kind TEXT,
        promo_ends_on TEXT,
        posted_on TEXT NOT NULL
    );
    CREATE INDEX charges_statement ON charges (statement_id);
    CREATE INDEX charges_account ON charges (account_id);

    CREATE TABLE payments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        statement_id TEXT REFERENCES statements(id),
        confirmation_number TEXT NOT NULL UNIQUE,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        method_id TEXT NOT NULL REFERENCES payment_methods(id),
        method_label TEXT NOT NULL,
        scheduled_for TEXT NOT NULL,
        settle_on TEXT,
        created_at TEXT NOT NULL,
        settled_at TEXT,
        failure_code TEXT,
        failure_reason TEXT
    );
    CREATE INDEX payments_account ON payments (account_id, status);
    """,
    # 3: autopay covers a range of statements, so a change near a due date can wait a cycle
    """
    ALTER TABLE autopay ADD COLUMN covers_from TEXT;
    ALTER TABLE autopay ADD COLUMN covers_until TEXT;
    ALTER TABLE statements ADD COLUMN autopay_checked INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: profile settings and the version behind its ETag
    """
    ALTER TABLE accounts ADD COLUMN paperless INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE accounts ADD COLUMN notifications TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE accounts ADD COLUMN profile_version INTEGER NOT NULL DEFAULT 1;
    """,
    # 5: service outages by ZIP code
    """
    CREATE TABLE outages (
        id TEXT PRIMARY KEY,
        zip TEXT NOT NULL,
        services TEXT NOT NULL,
        message TEXT NOT NULL,
        started_at TEXT NOT NULL,
        estimated_restore_at TEXT NOT NULL
    );
    CREATE INDEX outages_zip ON outages (zip);
    """,
    # 6: support: FAQ search (FTS5), tickets, live chats; equipment restarts
    """
    CREATE VIRTUAL TABLE faq USING fts5(
        id UNINDEXED, category UNINDEXED, title, body, tokenize = 'porter unicode61'
    );

    CREATE TABLE tickets (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        subject TEXT NOT NULL,
        category TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );

    CREATE TABLE ticket_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        ticket_id TEXT NOT NULL REFERENCES tickets(id),
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );

    CREATE TABLE chats (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        status TEXT NOT NULL,
        ticket_id TEXT,
        created_at TEXT NOT NULL
    );

    CREATE TABLE chat_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        chat_id TEXT NOT NULL REFERENCES chats(id),
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );

    ALTER TABLE equipment ADD COLUMN restarting_until TEXT;
    """,
    # 7: a payment remembers its idempotency key, in the same transaction that records it,
    # so even a lost idempotency record can never let one key pay twice
    """
    ALTER TABLE payments ADD COLUMN idempotency_key TEXT;
    CREATE UNIQUE INDEX payments_idempotency ON payments (account_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
    """,
    # 8: a per-store secret that keys the idempotency fingerprints (a body can hold a card
    # number; a plain hash of it could be brute-forced from a copy of the file)
    """
    CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO server_secrets (name, value) VALUES ('fingerprint_key', lower(hex(randomblob(32))));
    """,
    # 9: server keys move to a 0600 file beside the store (sandbox/keys.py), so a copy of the
    # store alone yields no secret; fingerprints made under the old key are dropped with it
    """
    DROP TABLE server_secrets;
    DELETE FROM idempotency_keys;
    """,
    # 10: step-up (a session's last password confirmation), and notification preferences
    # per user: a standard user edits their own, never the account holder's
    """
    CREATE TABLE reauthentications (
        family_id TEXT PRIMARY KEY,
        confirmed_at TEXT NOT NULL
    );
    ALTER TABLE users ADD COLUMN notifications TEXT NOT NULL DEFAULT '{}';
    UPDATE users SET notifications =
        (SELECT a.notifications FROM accounts a WHERE a.id = users.account_id);
    """,
    # 11: guessing limits. Sign-in attempts are counted under a keyed hash of the username as
    # typed (often a mistyped password), never the text; sliding-window events count wrong
    # codes and code requests; codes become keyed hashes, so live plain-hashed ones are dropped
    """
    DROP TABLE login_failures;
    CREATE TABLE login_failures (
        username_key TEXT PRIMARY KEY,
        attempts INTEGER NOT NULL,
        pending INTEGER NOT NULL DEFAULT 0,
        window_ends TEXT NOT NULL,
        locked_until TEXT
    );

    CREATE TABLE throttle_events (
        bucket TEXT NOT NULL,
        subject TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX throttle_events_subject ON throttle_events (bucket, subject, at);

    DELETE FROM challenges;
    """,
    # 12: a running idempotency key names the server process running it (instances.py) and
    # when it started in real time, so neither a dead server nor the sandbox clock decides
    # for how long it stays running
    """
    ALTER TABLE idempotency_keys ADD COLUMN instance TEXT;
    ALTER TABLE idempotency_keys ADD COLUMN started_at REAL;
    """,
    # 13: a payment remembers the fingerprint of the request that made it beside its key, so
    # with the key's record lost a different request under the key is still refused
    """
    ALTER TABLE payments ADD COLUMN request_fingerprint TEXT;
    """,
    # 14: line items carry what they charge in fields (a code, the plan, the regular price,
    # the equipment model, the mobile line and its usage), and statements store what they
    # tell as alert objects (kind and data) in `messages`; older plain texts stay readable.
    # Older charges get the fields their kind and the services table say.
    """
    ALTER TABLE charges ADD COLUMN code TEXT;
    ALTER TABLE charges ADD COLUMN plan_name TEXT;
    ALTER TABLE charges ADD COLUMN regular_price_cents INTEGER;
    ALTER TABLE charges ADD COLUMN equipment_model TEXT;
    ALTER TABLE charges ADD COLUMN line_id TEXT;
    ALTER TABLE charges ADD COLUMN line_name TEXT;
    ALTER TABLE charges ADD COLUMN usage_quantity INTEGER;
    ALTER TABLE charges ADD COLUMN usage_unit TEXT;
    ALTER TABLE charges ADD COLUMN usage_start TEXT;
    ALTER TABLE charges ADD COLUMN usage_end TEXT;

    UPDATE charges SET code = 'activation_fee' WHERE kind = 'one_time';
    UPDATE charges SET code = 'broadcast_tv_surcharge' WHERE kind = 'surcharge';
    UPDATE charges SET code = 'sales_tax' WHERE kind = 'tax';
    UPDATE charges SET code = 'late_fee' WHERE kind = 'late_fee';
    UPDATE charges SET code = description, plan_name = description WHERE kind = 'service';
    UPDATE charges SET code = description, equipment_model = description
        WHERE kind = 'equipment';
    UPDATE charges SET
        plan_name = (SELECT s.plan_name FROM services s
                     WHERE s.account_id = charges.account_id AND s.kind = charges.service_kind),
        regular_price_cents = (SELECT s.monthly_price_cents FROM services s
                     WHERE s.account_id = charges.account_id AND s.kind = charges.service_kind)
        WHERE kind = 'promo_discount';
    UPDATE charges SET code = plan_name WHERE kind = 'promo_discount';
    """,
    # 15: autopay keeps the day and amount of its last failed charge beside the reason, so
    # what it tells about the failure is data, not only words
    """
    ALTER TABLE autopay ADD COLUMN failed_on TEXT;
    ALTER TABLE autopay ADD COLUMN failed_amount_cents INTEGER;
    """,
]
