package postgres

import "sync"

// sealedTx is where one transaction's events start in the ledger.
type sealedTx struct {
	tx       uint64
	position int64
}

// waiter is an append waiting for its position.
type waiter struct {
	last key
	done chan int64
}

// waiters are the appends of this process waiting for their seal, by
// transaction id.
type waiters struct {
	mu sync.Mutex
	m  map[uint64]*waiter
}

func (ws *waiters) add(tx uint64, last key) *waiter {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.m == nil {
		ws.m = make(map[uint64]*waiter)
	}
	w := &waiter{last: last, done: make(chan int64, 1)}
	ws.m[tx] = w
	return w
}

func (ws *waiters) remove(tx uint64) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	delete(ws.m, tx)
}

func (ws *waiters) len() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.m)
}

// resolve hands a waiter its first position.
func (ws *waiters) resolve(tx uint64, position int64) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w, ok := ws.m[tx]; ok {
		w.done <- position
		delete(ws.m, tx)
	}
}

// resolveAll hands out the positions of a seal.
func (ws *waiters) resolveAll(sealed []sealedTx) {
	for _, t := range sealed {
		ws.resolve(t.tx, t.position)
	}
}

// sealedBy lists the waiting transactions whose events are at or below head.
func (ws *waiters) sealedBy(head key) []uint64 {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var txs []uint64
	for tx, w := range ws.m {
		if !w.last.after(head) {
			txs = append(txs, tx)
		}
	}
	return txs
}
