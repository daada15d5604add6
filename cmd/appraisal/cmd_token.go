package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	apphttp "github.com/appraisal-hr/appraisal/http"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
)

// runToken issues bearer tokens from the command line (operators, scripts);
// HR issues them over the API too.
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stdout, "usage: appraisal token create --employee ID --role employee|hr|auditor [--ttl 720h]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return fmt.Errorf("token: expected the subcommand create")
	}
	cfg := defaultConfig()
	fs := newFlagSet("token create", "Issue a bearer token for an employee and print it once. Only its SHA-256 hash is stored.", &cfg, stdout)
	employee := fs.String("employee", "", "employee id the token acts for (required)")
	role := fs.String("role", "employee", "token role: employee, hr or auditor")
	ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h (0: no expiry)")
	if err := fs.parse(args[1:], &cfg); err != nil {
		return err
	}
	id, err := uuid.Parse(*employee)
	if err != nil {
		return fmt.Errorf("token create: --employee must be an employee id (a UUID), got %q", *employee)
	}
	store, _, err := storeFor(ctx, cfg, migrated)
	if err != nil {
		return err
	}
	defer store.Close()
	org, _, err := domain.NewService(eventlog.New(store.Store)).Organisation(ctx)
	if err != nil {
		return err
	}
	if e, ok := org.Employee(id); !ok || !e.Active {
		return fmt.Errorf("token create: no current employee has id %s", id)
	}
	db, err := apphttp.OpenDB(ctx, store.Store)
	if err != nil {
		return err
	}
	token, err := apphttp.IssueToken(ctx, db, apphttp.TokenRequest{EmployeeID: id, Role: domain.Role(*role), IssuedBy: "cli", TTL: *ttl}, time.Now())
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintln(stdout, token)
	return nil
}
