package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/google/uuid"
)

// runExport writes the payroll of a closed cycle (SPEC §11) as CSV or XLSX,
// the same file GET /api/v1/cycles/{id}/payroll returns.
func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "payroll" {
		fmt.Fprintln(stdout, "usage: appraisal export payroll --cycle ID [--format csv|xlsx] [--output FILE]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return fmt.Errorf("export: expected the subcommand payroll")
	}
	cfg := defaultConfig()
	fs := newFlagSet("export payroll", "Export the payroll of a closed cycle; the file records the event position it was computed at.", &cfg, stdout)
	cycle := fs.String("cycle", "", "cycle id (required)")
	format := fs.String("format", "csv", "csv or xlsx")
	output := fs.String("output", "", "file to write (default: standard output)")
	if err := fs.parse(args[1:], &cfg); err != nil {
		return err
	}
	id, err := uuid.Parse(*cycle)
	if err != nil {
		return fmt.Errorf("export payroll: --cycle must be a cycle id (a UUID), got %q", *cycle)
	}
	if *format != "csv" && *format != "xlsx" {
		return fmt.Errorf("export payroll: --format must be csv or xlsx, got %q", *format)
	}
	cfg.Bus = "" // a one-shot command relays nothing
	a, err := newApp(ctx, cfg, newLogger(cfg, os.Stderr))
	if err != nil {
		return err
	}
	defer a.close()
	exp, err := a.server.Payroll(ctx, id)
	if err != nil {
		return fmt.Errorf("export payroll: %w", err)
	}
	w := stdout
	if *output != "" {
		f, err := os.Create(*output)
		if err != nil {
			return fmt.Errorf("export payroll: %w", err)
		}
		defer f.Close()
		w = f
	}
	if *format == "xlsx" {
		return exp.WriteXLSX(w)
	}
	return exp.WriteCSV(w)
}
