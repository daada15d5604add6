package eventstoretest

import "testing"

func TestSQLite(t *testing.T) {
	t.Parallel()
	Run(t, SQLiteBackend())
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	PostgresURL(t)
	Run(t, PostgresBackend())
}
