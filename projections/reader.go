package projections

import "context"

// Get decodes a document of a projection's active generation into v;
// ErrNotFound when absent. The generation is chosen inside the same
// statement, so a reader never sees a half-swapped rebuild.
func (db *DB) Get(ctx context.Context, projection, collection, id string, v any) error {
	return getDoc(ctx, db, db.sql, projection, activeGeneration, collection, id, v)
}

// List returns a group's documents of a projection's active generation, in
// id order.
func (db *DB) List(ctx context.Context, projection, collection, grp string) ([]Document, error) {
	return listDocs(ctx, db, db.sql, projection, activeGeneration, collection, grp)
}
