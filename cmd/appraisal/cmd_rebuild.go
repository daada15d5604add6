package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/readside"
)

// runRebuild rebuilds read models from position 0 into a fresh generation
// and swaps it in while serve keeps answering from the old one; with
// --check it rebuilds into a scratch generation up to the live checkpoint
// and compares digests instead, exiting 2 on any difference.
func runRebuild(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("rebuild", "Rebuild read models from position 0 without downtime: appraisal rebuild [--check] [projection ...].", &cfg, stdout)
	fs.allowArgs = true
	check := fs.Bool("check", false, "rebuild into a scratch generation and compare its digest with the live read model")
	if err := fs.parse(args, &cfg); err != nil {
		return err
	}
	store, rs, err := readSideFor(ctx, cfg, migrated)
	if err != nil {
		return err
	}
	defer store.Close()
	targets := rs.ReadModels()
	if fs.NArg() > 0 {
		targets = nil
		for _, name := range fs.Args() {
			p, err := rs.ReadModel(name)
			if err != nil {
				return err
			}
			targets = append(targets, p)
		}
	}
	// The cycles projection reads history through the index: keep it
	// following the store while the rebuild runs.
	indexCtx, stopIndex := context.WithCancel(ctx)
	defer stopIndex()
	go rs.RunIndex(indexCtx)
	if *check {
		return rebuildCheck(ctx, rs, backendOf(store), targets, stdout)
	}
	for _, p := range targets {
		start := time.Now()
		if err := rs.DB.Rebuild(ctx, backendOf(store), p); err != nil {
			return err
		}
		d, pos, err := rs.DB.LiveDigest(ctx, p.Name())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rebuilt %s at position %d in %s: %s\n", p.Name(), pos, time.Since(start).Round(time.Millisecond), d)
	}
	return nil
}

func rebuildCheck(ctx context.Context, rs *readside.ReadSide, store eventstore.Store, targets []projections.Projection, stdout io.Writer) error {
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "projection\tposition\tlive\trebuilt\tresult")
	var differ []string
	for _, p := range targets {
		res, err := rs.DB.Check(ctx, store, p)
		if err != nil {
			return err
		}
		verdict := "MATCH"
		if !res.Match() {
			verdict = "MISMATCH"
			differ = append(differ, p.Name())
		}
		if res.StoredVersion != p.Version() {
			verdict += fmt.Sprintf(" (built by version %d, code is version %d: run appraisal rebuild %s)", res.StoredVersion, p.Version(), p.Name())
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", p.Name(), res.Position, res.Live, res.Rebuilt, verdict)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(differ) > 0 {
		return &mismatchError{what: "read models differ from their rebuild", names: differ}
	}
	return nil
}

// backendOf is the store backend itself, whose database the read models
// share (projections.Open needs its DB() or Pool()).
func backendOf(o *openedStore) eventstore.Store {
	if o.Postgres != nil {
		return o.Postgres
	}
	return o.SQLite
}

// mismatchError is the failure of rebuild --check and replay: main prints
// it and exits 2 (1 stays for errors).
type mismatchError struct {
	what  string
	names []string
}

func (e *mismatchError) Error() string { return fmt.Sprintf("MISMATCH: %s: %v", e.what, e.names) }

// ExitCode implements exitCoder.
func (e *mismatchError) ExitCode() int { return 2 }
