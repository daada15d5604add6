package projections

import (
	"context"
	"fmt"
)

// Get decodes a document of a projection's active generation into v;
// ErrNotFound when absent. The generation is chosen inside the same
// statement, so a reader never sees a half-swapped rebuild.
func (db *DB) Get(ctx context.Context, projection, collection, id string, v any) error {
	return getDoc(ctx, db, db.prepared(db.sql), projection, activeGeneration, collection, id, v)
}

// List returns a group's documents of a projection's active generation, in
// id order.
func (db *DB) List(ctx context.Context, projection, collection, grp string) ([]Document, error) {
	return listDocs(ctx, db, db.prepared(db.sql), projection, activeGeneration, collection, grp)
}

// ListCollection returns every document of a collection of a projection's
// active generation, in id order.
func (db *DB) ListCollection(ctx context.Context, projection, collection string) ([]Document, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT doc_id, position, body FROM projection_documents
		WHERE projection = ? AND generation = `+generationOf+` AND collection = ? ORDER BY doc_id`),
		projection, projection, collection)
	if err != nil {
		return nil, fmt.Errorf("list %s %s: %w", projection, collection, err)
	}
	defer rows.Close()
	return scanDocs(rows)
}
