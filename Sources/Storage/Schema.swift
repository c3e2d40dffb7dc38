import GRDB

/// Migrations, in shipping order. A migration is never edited once released: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 accounts, sessions, links, outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE account (
                        id INTEGER PRIMARY KEY,
                        uid TEXT NOT NULL UNIQUE,
                        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        first_name TEXT NOT NULL,
                        last_name TEXT NOT NULL,
                        email_language TEXT NOT NULL,
                        password_hash TEXT,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
                        failed_sign_ins INTEGER NOT NULL DEFAULT 0,
                        throttled_until REAL,
                        locked INTEGER NOT NULL DEFAULT 0,
                        created_at REAL NOT NULL,
                        password_changed_at REAL
                    );
                    CREATE TABLE email_link (
                        id INTEGER PRIMARY KEY,
                        token_hash BLOB NOT NULL UNIQUE,
                        purpose TEXT NOT NULL,
                        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                        new_email TEXT,
                        created_at REAL NOT NULL,
                        expires_at REAL NOT NULL,
                        used_at REAL
                    );
                    CREATE INDEX email_link_account ON email_link(account_id);
                    CREATE TABLE sso_session (
                        id INTEGER PRIMARY KEY,
                        id_hash BLOB NOT NULL UNIQUE,
                        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                        level TEXT NOT NULL,
                        methods TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        last_seen_at REAL NOT NULL,
                        expires_at REAL NOT NULL,
                        ip TEXT NOT NULL,
                        user_agent TEXT NOT NULL
                    );
                    CREATE INDEX sso_session_account ON sso_session(account_id);
                    CREATE TABLE mail_outbox (
                        id INTEGER PRIMARY KEY,
                        message_id TEXT NOT NULL UNIQUE,
                        recipient TEXT NOT NULL,
                        message BLOB NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL,
                        lease_until REAL,
                        last_error TEXT,
                        created_at REAL NOT NULL,
                        sent_at REAL
                    );
                    CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
                    CREATE TABLE rate_limit (
                        bucket TEXT PRIMARY KEY,
                        window_start REAL NOT NULL,
                        count INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY,
                        at REAL NOT NULL,
                        event TEXT NOT NULL,
                        account_id INTEGER,
                        email TEXT,
                        ip TEXT NOT NULL,
                        user_agent TEXT NOT NULL,
                        detail TEXT NOT NULL
                    );
                    CREATE INDEX audit_log_account ON audit_log(account_id);
                    CREATE TABLE captcha (
                        id_hash BLOB PRIMARY KEY,
                        answer TEXT NOT NULL,
                        expires_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2 CAS service tickets, services visited, back-channel outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE service_ticket (
                        id INTEGER PRIMARY KEY,
                        ticket_hash BLOB NOT NULL UNIQUE,
                        service TEXT NOT NULL,
                        service_url TEXT NOT NULL,
                        session_id INTEGER NOT NULL REFERENCES sso_session(id) ON DELETE CASCADE,
                        from_new_login INTEGER NOT NULL,
                        created_at REAL NOT NULL,
                        expires_at REAL NOT NULL,
                        used_at REAL,
                        -- Only once burned, and only after a successful validation: the SessionIndex of single logout.
                        validated_ticket TEXT
                    );
                    CREATE INDEX service_ticket_session ON service_ticket(session_id);
                    CREATE TABLE session_service (
                        session_id INTEGER NOT NULL REFERENCES sso_session(id) ON DELETE CASCADE,
                        service TEXT NOT NULL,
                        first_ticket_at REAL NOT NULL,
                        last_ticket_at REAL NOT NULL,
                        PRIMARY KEY (session_id, service)
                    ) WITHOUT ROWID;
                    CREATE TABLE http_outbox (
                        id INTEGER PRIMARY KEY,
                        purpose TEXT NOT NULL,
                        url TEXT NOT NULL,
                        body BLOB NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL,
                        lease_until REAL,
                        last_error TEXT,
                        created_at REAL NOT NULL,
                        sent_at REAL
                    );
                    CREATE INDEX http_outbox_due ON http_outbox(status, next_attempt_at);
                    """)
        }
        migrator.registerMigration("v3 CAS proxy tickets") { db in
            try db.execute(
                sql: """
                    -- NULL for a service ticket; for a proxy ticket, the proxies in front of the service, newest first, one a line.
                    ALTER TABLE service_ticket ADD COLUMN proxies TEXT;
                    CREATE TABLE proxy_granting_ticket (
                        id INTEGER PRIMARY KEY,
                        ticket_hash BLOB NOT NULL UNIQUE,
                        session_id INTEGER NOT NULL REFERENCES sso_session(id) ON DELETE CASCADE,
                        service TEXT NOT NULL,
                        proxies TEXT NOT NULL,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX proxy_granting_ticket_session ON proxy_granting_ticket(session_id);
                    """)
        }
        migrator.registerMigration("v4 authenticator apps") { db in
            try db.execute(
                sql: """
                    -- A TOTP authenticator app; the secret only AES-256-GCM-sealed under a subkey of the master key.
                    -- 'pending' while its owner has not yet confirmed a code from it: at most one of each per account.
                    CREATE TABLE authenticator (
                        id INTEGER PRIMARY KEY,
                        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
                        sealed_secret BLOB NOT NULL,
                        -- The last accepted TOTP time step: a code for it or an earlier one is a replay.
                        last_step INTEGER,
                        created_at REAL NOT NULL,
                        UNIQUE (account_id, status)
                    );
                    """)
        }
        migrator.registerMigration("v5 phone numbers, SMS codes and SMS outbox") { db in
            try db.execute(
                sql: """
                    -- A mobile phone number (E.164) whose owner typed the code sent to it.
                    CREATE TABLE phone_number (
                        id INTEGER PRIMARY KEY,
                        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                        number TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        UNIQUE (account_id, number)
                    );
                    -- A code sent by SMS, to add a number or to sign in. Only SHA-256 hashes of the code and of the
                    -- reference the browser holds are stored. A resend replaces the code but keeps the failure count.
                    CREATE TABLE sms_challenge (
                        id INTEGER PRIMARY KEY,
                        reference_hash BLOB NOT NULL UNIQUE,
                        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                        purpose TEXT NOT NULL CHECK (purpose IN ('add-phone', 'sign-in')),
                        number TEXT NOT NULL,
                        code_hash BLOB NOT NULL,
                        failures INTEGER NOT NULL DEFAULT 0,
                        sends INTEGER NOT NULL DEFAULT 1,
                        last_sent_at REAL NOT NULL,
                        created_at REAL NOT NULL,
                        expires_at REAL NOT NULL,
                        used_at REAL
                    );
                    CREATE INDEX sms_challenge_account ON sms_challenge(account_id, purpose);
                    CREATE TABLE sms_outbox (
                        id INTEGER PRIMARY KEY,
                        message_id TEXT NOT NULL UNIQUE,
                        recipient TEXT NOT NULL,
                        text TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL,
                        lease_until REAL,
                        last_error TEXT,
                        created_at REAL NOT NULL,
                        sent_at REAL
                    );
                    CREATE INDEX sms_outbox_due ON sms_outbox(status, next_attempt_at);
                    """)
        }
        migrator.registerMigration("v7 session verification time") { db in
            try db.execute(
                sql: """
                    -- When the session's owner last proved themselves (sign-in or step-up): recent enough, a step-up
                    -- needs only the second factor, and factor changes need no new verification.
                    ALTER TABLE sso_session ADD COLUMN verified_at REAL;
                    UPDATE sso_session SET verified_at = created_at;
                    """)
        }
        migrator.registerMigration("v6 hardware tokens") { db in
            try db.execute(
                sql: """
                    -- An OATH hardware token (HOTP, TOTP or OCRA), imported by the operator and linked by its holder.
                    -- The secret only AES-256-GCM-sealed under a subkey of the master key, bound to the serial.
                    CREATE TABLE hardware_token (
                        id INTEGER PRIMARY KEY,
                        -- Upper-case, without hyphens or spaces, as printed on the token.
                        serial TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL CHECK (kind IN ('hotp', 'totp', 'ocra')),
                        sealed_secret BLOB NOT NULL,
                        digits INTEGER NOT NULL CHECK (digits BETWEEN 4 AND 10),
                        algorithm TEXT NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
                        period INTEGER NOT NULL CHECK (period > 0),
                        ocra_suite TEXT CHECK ((kind = 'ocra') = (ocra_suite IS NOT NULL)),
                        -- HOTP and counter-based OCRA: the next counter value the token may show.
                        counter INTEGER NOT NULL DEFAULT 0,
                        -- TOTP and timed OCRA: the last accepted time step; a code for it or earlier is a replay.
                        last_step INTEGER,
                        -- HOTP: a counter matched beyond the look-ahead window, awaiting the code right after it.
                        resync_counter INTEGER,
                        -- Set to NULL with the account: the token is then free again, never linked to someone else's account.
                        account_id INTEGER REFERENCES account(id) ON DELETE SET NULL,
                        linked_at REAL,
                        imported_at REAL NOT NULL
                    );
                    CREATE INDEX hardware_token_account ON hardware_token(account_id);
                    -- A token that leaves its account forgets when it was linked and any half-done resynchronisation.
                    CREATE TRIGGER hardware_token_unlinked AFTER UPDATE OF account_id ON hardware_token
                    WHEN NEW.account_id IS NULL BEGIN
                        UPDATE hardware_token SET linked_at = NULL, resync_counter = NULL WHERE id = NEW.id;
                    END;
                    -- A challenge shown for an OCRA token: single use, short-lived, a few tries; only the hash of its
                    -- opaque reference is stored.
                    CREATE TABLE ocra_challenge (
                        id INTEGER PRIMARY KEY,
                        reference_hash BLOB NOT NULL UNIQUE,
                        token_id INTEGER NOT NULL REFERENCES hardware_token(id) ON DELETE CASCADE,
                        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                        question TEXT NOT NULL,
                        expires_at REAL NOT NULL,
                        failures INTEGER NOT NULL DEFAULT 0,
                        used_at REAL
                    );
                    CREATE INDEX ocra_challenge_token ON ocra_challenge(token_id);
                    CREATE INDEX ocra_challenge_account ON ocra_challenge(account_id);
                    """)
        }
        return migrator
    }
}
