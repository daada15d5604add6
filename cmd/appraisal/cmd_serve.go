package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	apphttp "github.com/appraisal-hr/appraisal/http"
)

// runServe is the start-up sequence of DESIGN.md: open → ping with retry →
// migrate (openStore) → bootstrap credentials → start projections → serve;
// SIGTERM (ctx) drains requests, then stops projections.
func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("serve", "Run the Appraisal HTTP service.", &cfg, stdout)
	fs.serverFlags(&cfg)
	if err := fs.parse(args, &cfg); err != nil {
		return err
	}
	logger := newLogger(cfg, os.Stderr)
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	db, err := apphttp.OpenDB(store.Store)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	token, created, err := apphttp.EnsureBootstrapToken(ctx, db, cfg.BootstrapToken, time.Now())
	if err != nil {
		return err
	}
	if created && cfg.BootstrapToken == "" {
		// Shown once: the database remembers that it was issued.
		fmt.Fprintf(stdout, "bootstrap HR token (shown only this once):\n  %s\n", token)
	}

	hcfg := apphttp.DefaultConfig()
	hcfg.RequestTimeout = cfg.RequestTimeout
	hcfg.ReadWaitTimeout = min(hcfg.ReadWaitTimeout, cfg.RequestTimeout)
	hcfg.LinkSecret = cfg.LinkSecret
	srv, err := apphttp.New(ctx, hcfg, apphttp.Deps{Store: store, DB: db, Logger: logger, Registry: reg})
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, srv, logger)
}

func listenAndServe(ctx context.Context, cfg Config, srv *apphttp.Server, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	logger.Info("serving", "addr", ln.Addr().String(), "database", redact(cfg))
	return srv.Serve(ctx, ln, cfg.ShutdownTimeout)
}

// redact hides a PostgreSQL password in logs.
func redact(cfg Config) string {
	if !cfg.IsPostgres() {
		return cfg.DatabaseURL
	}
	if u, err := url.Parse(cfg.DatabaseURL); err == nil {
		return u.Redacted()
	}
	return "postgres://…"
}
