package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
)

// runVerify checks the event log's hash chains. It prints one line and exits
// 0 when the log is intact, 2 when it was tampered with (1 stays for errors).
func runVerify(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("verify", "Check the event log's hash chains: exit 0 when intact, 2 naming the first bad position.", &cfg, stdout)
	if err := fs.parse(args, &cfg); err != nil {
		return err
	}
	store, _, err := storeFor(ctx, cfg, existing)
	if err != nil {
		return err
	}
	defer store.Close()
	r, err := store.Verify(ctx)
	if err != nil {
		return err
	}
	if r.OK {
		fmt.Fprintf(stdout, "ok: %d events intact; ledger head %d %s\n", r.Events, r.LastPosition, hex.EncodeToString(r.LedgerHead))
		return nil
	}
	return &tamperedError{position: r.BadPosition, problem: r.Problem}
}

// tamperedError is verify's failure: main prints it and exits 2.
type tamperedError struct {
	position int64
	problem  string
}

func (e *tamperedError) Error() string {
	return fmt.Sprintf("TAMPERED at position %d: %s", e.position, e.problem)
}

// ExitCode implements exitCoder.
func (e *tamperedError) ExitCode() int { return 2 }
