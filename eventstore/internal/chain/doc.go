// Package chain checks the event store's two hash chains in one pass over the
// log in global order: each stream's chain (every event hashes its
// predecessor in the stream) and the global ledger chain (every position
// hashes the previous position and the event it holds). Both backends feed it
// the rows they read, so the rules of Verify are written once.
package chain
