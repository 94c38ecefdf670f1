//! The project file's schema and its migrations.
//!
//! The schema version lives in `PRAGMA user_version`; `PRAGMA application_id` marks the file as a
//! reclab project. Migrations run in order, all in one transaction, so a project is either
//! fully migrated or untouched.

/// `PRAGMA application_id` of a reclab project ("RClb").
pub const APPLICATION_ID: i32 = 0x5243_6c62;

/// Each entry migrates the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 → 1: catalog, attributes, embeddings cache, interaction log, import history.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE items (
        key            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT NOT NULL UNIQUE,
        name           TEXT NOT NULL,
        name_alt       TEXT,
        category       TEXT,
        tags           TEXT NOT NULL DEFAULT '[]',
        description    TEXT,
        price          REAL,
        stock          INTEGER,
        purchase_limit INTEGER,
        released_at    INTEGER,
        expires_at     INTEGER,
        vertical       TEXT,
        attrs          TEXT NOT NULL DEFAULT '{}',
        content_hash   TEXT NOT NULL,
        added_at       INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
    );
    CREATE TABLE attributes (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL
    );
    CREATE TABLE embedding_models (
        model TEXT PRIMARY KEY,
        dim   INTEGER NOT NULL
    );
    CREATE TABLE embeddings (
        model     TEXT NOT NULL,
        text_hash BLOB NOT NULL,
        vector    BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    ) WITHOUT ROWID;
    CREATE TABLE interactions (
        seq        INTEGER PRIMARY KEY,
        user_id    TEXT NOT NULL,
        item_id    TEXT NOT NULL,
        event_type TEXT NOT NULL,
        ts         INTEGER NOT NULL,
        value      REAL
    );
    CREATE UNIQUE INDEX interactions_event
        ON interactions (user_id, item_id, event_type, ts, ifnull(value, ''));
    CREATE INDEX interactions_item ON interactions (item_id);
    CREATE TABLE imports (
        id     INTEGER PRIMARY KEY,
        kind   TEXT NOT NULL,
        file   TEXT NOT NULL,
        at     INTEGER NOT NULL,
        report TEXT NOT NULL
    );
    "#,
    // 1 → 2: simulated users and their action timelines.
    r#"
    CREATE TABLE users (
        id         TEXT PRIMARY KEY,
        note       TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE user_actions (
        user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        pos        INTEGER NOT NULL,
        event_type TEXT NOT NULL,
        item_id    TEXT,
        query      TEXT,
        ts         INTEGER NOT NULL,
        PRIMARY KEY (user_id, pos)
    );
    "#,
    // 2 → 3: named rule presets and scenarios (JSON documents).
    r#"
    CREATE TABLE rule_presets (
        name       TEXT PRIMARY KEY,
        body       TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE scenarios (
        name       TEXT PRIMARY KEY,
        body       TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    "#,
    // 3 → 4: stored offline evaluation runs.
    r#"
    CREATE TABLE eval_runs (
        id         INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        label      TEXT NOT NULL,
        params     TEXT NOT NULL,
        report     TEXT NOT NULL
    );
    "#,
    // 4 → 5: a revision number of the catalog, bumped by every change of an item, so that a
    // long embedding run can tell that an import changed the texts under it.
    r#"
    CREATE TABLE revisions (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO revisions (name, value) VALUES ('items', 0);
    CREATE TRIGGER items_added AFTER INSERT ON items
        BEGIN UPDATE revisions SET value = value + 1 WHERE name = 'items'; END;
    CREATE TRIGGER items_changed AFTER UPDATE ON items
        BEGIN UPDATE revisions SET value = value + 1 WHERE name = 'items'; END;
    CREATE TRIGGER items_removed AFTER DELETE ON items
        BEGIN UPDATE revisions SET value = value + 1 WHERE name = 'items'; END;
    "#,
    // 5 → 6: vectors move to a rowid table keyed by a model number. In the WITHOUT ROWID table
    // each 1.5 KB vector overflowed its b-tree cell into a page of its own (about 4.6 KB per
    // vector on 4 KB pages: the file was three times its vectors); the model's name was also
    // repeated in every row.
    r#"
    CREATE TABLE embedding_models_v5 (
        id    INTEGER PRIMARY KEY,
        model TEXT NOT NULL UNIQUE,
        dim   INTEGER NOT NULL
    );
    INSERT INTO embedding_models_v5 (model, dim) SELECT model, dim FROM embedding_models ORDER BY model;
    CREATE TABLE embeddings_v5 (
        model_id  INTEGER NOT NULL REFERENCES embedding_models_v5 (id) ON DELETE CASCADE,
        text_hash BLOB NOT NULL,
        vector    BLOB NOT NULL
    );
    INSERT INTO embeddings_v5 (model_id, text_hash, vector)
        SELECT m.id, e.text_hash, e.vector FROM embeddings e JOIN embedding_models_v5 m ON m.model = e.model
        ORDER BY m.id, e.text_hash;
    DROP TABLE embeddings;
    DROP TABLE embedding_models;
    ALTER TABLE embedding_models_v5 RENAME TO embedding_models;
    ALTER TABLE embeddings_v5 RENAME TO embeddings;
    CREATE UNIQUE INDEX embeddings_by_text ON embeddings (model_id, text_hash);
    "#,
    // 6 → 7: the lexical embedder's weights (inverse document frequencies fitted on the
    // catalog), under the key of the vectors they give.
    r#"
    CREATE TABLE lexical_fits (
        model     TEXT PRIMARY KEY,
        template  TEXT NOT NULL,
        texts     INTEGER NOT NULL,
        weights   BLOB NOT NULL,
        fitted_at INTEGER NOT NULL
    );
    "#,
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;
