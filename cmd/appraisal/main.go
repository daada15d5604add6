// Command appraisal is the one binary of the Appraisal service: it serves the
// API, runs migrations, verifies and replays the log, rebuilds projections and
// exports payroll. Each subcommand lives in its own cmd_*.go file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: its one-line summary and the function that runs it.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

// commands lists every subcommand. Add a line here when adding a cmd_*.go file.
func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the HTTP service (embedded SQLite by default; --demo seeds a demo company)", runServe},
		"export":  {"export payroll of a closed cycle: export payroll --cycle ID --format csv|xlsx", runExport},
		"token":   {"issue a bearer token: token create --employee ID --role ROLE", runToken},
		"migrate": {"apply the database migrations and exit", runMigrate},
		"verify":  {"check the event log's hash chains; non-zero exit on any tamper", runVerify},
		"bench":   {"run a benchmark against the configured database (bench store)", runBench},
		"rebuild": {"rebuild read models from position 0 without downtime; --check compares digests", runRebuild},
		"replay":  {"replay recorded decisions (ID or --all): derivation and MATCH/MISMATCH", runReplay},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "appraisal: "+oneLine(err))
		}
		var ec exitCoder
		if errors.As(err, &ec) {
			os.Exit(ec.ExitCode())
		}
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}

// errUsage is returned after the usage text was already printed.
var errUsage = errors.New("usage")

// exitCoder lets a command choose its exit status (verify, replay).
type exitCoder interface{ ExitCode() int }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout, cmds)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("unknown command %q (run 'appraisal --help' for the list)", args[0])
	}
	return c.run(ctx, args[1:], stdout)
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: appraisal <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'appraisal <command> --help' for a command's flags. Every flag also reads an APPRAISAL_* environment variable.")
}

// oneLine folds a (possibly joined) error into one line for the terminal.
func oneLine(err error) string {
	s := err.Error()
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\n' {
			out = append(out, ';', ' ')
			continue
		}
		out = append(out, r)
	}
	return string(out)
}
