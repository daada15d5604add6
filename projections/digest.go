package projections

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
)

// Digest fingerprints one generation of a read model: SHA-256 over every
// document in byte order of (collection, id), with its group, position and
// body. Equal digests mean byte-identical read models.
type Digest struct {
	Documents int64
	SHA256    string
}

func (d Digest) String() string { return fmt.Sprintf("%s (%d documents)", d.SHA256, d.Documents) }

// digest hashes a generation's documents. Keys are ordered by byte value on
// both backends (C collation on PostgreSQL, BINARY on SQLite).
func (db *DB) digest(ctx context.Context, q querier, name string, gen int64) (Digest, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT collection, doc_id, grp, position, body
		FROM projection_documents WHERE projection = ? AND generation = ? ORDER BY collection, doc_id`), name, gen)
	if err != nil {
		return Digest{}, fmt.Errorf("digest %s generation %d: %w", name, gen, err)
	}
	defer rows.Close()
	h := sha256.New()
	var d Digest
	for rows.Next() {
		var collection, id, grp, body string
		var pos int64
		if err := rows.Scan(&collection, &id, &grp, &pos, &body); err != nil {
			return Digest{}, fmt.Errorf("digest %s generation %d: %w", name, gen, err)
		}
		for _, field := range []string{collection, id, grp, strconv.FormatInt(pos, 10), body} {
			h.Write([]byte(field))
			h.Write([]byte{0})
		}
		d.Documents++
	}
	if err := rows.Err(); err != nil {
		return Digest{}, fmt.Errorf("digest %s generation %d: %w", name, gen, err)
	}
	d.SHA256 = hex.EncodeToString(h.Sum(nil))
	return d, nil
}

// liveDigest reads the active generation's digest and checkpoint in one
// snapshot (REPEATABLE READ on PostgreSQL; a read transaction is a snapshot
// in SQLite's WAL mode).
func (db *DB) liveDigest(ctx context.Context, name string) (Digest, int64, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.sql.BeginTx(ctx, opts)
	if err != nil {
		return Digest{}, 0, fmt.Errorf("digest %s: %w", name, err)
	}
	defer tx.Rollback()
	st, err := db.readState(ctx, tx, name, false)
	if err != nil {
		return Digest{}, 0, err
	}
	pos, err := db.readCheckpoint(ctx, tx, name, st.generation)
	if err != nil {
		return Digest{}, 0, err
	}
	d, err := db.digest(ctx, tx, name, st.generation)
	return d, pos, err
}

// LiveDigest is the digest of a projection's active generation and the
// position it stands at.
func (db *DB) LiveDigest(ctx context.Context, name string) (Digest, int64, error) {
	return db.liveDigest(ctx, name)
}
