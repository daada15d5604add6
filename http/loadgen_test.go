package http

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The load benchmark's HTTP clients (see BenchmarkLoad).

// loadGeneratorEnv names the job file of a load generator process.
const loadGeneratorEnv = "APPRAISAL_LOAD_GENERATOR_JOB"

// generatorJob is what the generator process is asked to do: send each
// request over its own keep-alive connection to addr, again and again, for
// Duration.
type generatorJob struct {
	Addr     string        `json:"addr"`
	Requests []string      `json:"requests"` // one complete HTTP/1.1 request per client
	Duration time.Duration `json:"duration"`
	Report   string        `json:"report"` // where to write the generatorReport
}

// generatorReport is what the generator measured.
type generatorReport struct {
	Latencies []time.Duration `json:"latencies"` // of the requests answered 200
	Errors    int             `json:"errors"`
	FirstErr  string          `json:"first_error,omitempty"`
	Elapsed   time.Duration   `json:"elapsed"`
	CPU       time.Duration   `json:"cpu"` // the generator process's, over Elapsed
}

// The generator process prints these lines when its load begins and ends,
// so that the server's process measures its CPU time over the same window
// (not over the generator's start, nor the read side catching up on the
// bare side's events meanwhile).
const (
	generatorStarted = "load generator: started"
	generatorEnded   = "load generator: ended"
)

// generatorLoad runs the HTTP side of BenchmarkLoad in a generator process
// and returns its result, whose cpu is this (the server's) process's CPU
// time over the generator's load, and the generator's CPU time over it.
func generatorLoad(tb testing.TB, addr string, reqs []string, d time.Duration, pg *pgServer) (loadResult, time.Duration) {
	dir := tb.TempDir()
	job := generatorJob{Addr: addr, Requests: reqs, Duration: d, Report: filepath.Join(dir, "report.json")}
	spec, err := json.Marshal(job)
	if err != nil {
		tb.Fatal(err)
	}
	jobFile := filepath.Join(dir, "job.json")
	if err := os.WriteFile(jobFile, spec, 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadGenerator$", "-test.count=1")
	// One P: the generator is one event loop, like a wrk thread, rather
	// than goroutines woken on two Ps that spin looking for work.
	cmd.Env = append(os.Environ(), loadGeneratorEnv+"="+jobFile, "GOMAXPROCS=1")
	var out bytes.Buffer
	cmd.Stderr = &out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	var cpuStart, serverCPU time.Duration
	var pgStart pgSample
	var pgDone pgWork
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		switch lines.Text() {
		case generatorStarted:
			cpuStart = processCPU()
			pgStart = pg.sample(context.Background())
		case generatorEnded:
			serverCPU = processCPU() - cpuStart
			pgDone = pgStart.until(pg.sample(context.Background()))
		default:
			out.WriteString(lines.Text() + "\n")
		}
	}
	if err := cmd.Wait(); err != nil {
		tb.Fatalf("load generator: %v\n%s", err, out.String())
	}
	raw, err := os.ReadFile(job.Report)
	if err != nil {
		tb.Fatalf("load generator wrote no report: %v\n%s", err, out.String())
	}
	var rep generatorReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		tb.Fatal(err)
	}
	if rep.Errors > 0 {
		tb.Logf("load generator: %d errors, the first: %s", rep.Errors, rep.FirstErr)
	}
	if serverCPU == 0 {
		tb.Fatalf("load generator did not say when its load began and ended\n%s", out.String())
	}
	res := summarize(rep.Latencies, rep.Errors, rep.Elapsed, serverCPU)
	res.pg = pgDone
	return res, rep.CPU
}

// TestLoadGenerator is the load benchmark's generator process; run on its
// own it does nothing.
func TestLoadGenerator(t *testing.T) {
	jobFile := os.Getenv(loadGeneratorEnv)
	if jobFile == "" {
		t.Skip("the load generator process of BenchmarkLoad")
	}
	raw, err := os.ReadFile(jobFile)
	if err != nil {
		t.Fatal(err)
	}
	var job generatorJob
	if err := json.Unmarshal(raw, &job); err != nil {
		t.Fatal(err)
	}
	rep := generate(job)
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(job.Report, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// generate runs job: one goroutine and one connection per request, each
// writing its request and reading the whole answer before the next.
func generate(job generatorJob) generatorReport {
	var mu sync.Mutex
	var rep generatorReport
	start := time.Now()
	deadline := start.Add(job.Duration)
	cpu := processCPU()
	fmt.Println(generatorStarted)
	var wg sync.WaitGroup
	for _, req := range job.Requests {
		wg.Go(func() {
			req := []byte(req)
			var lat []time.Duration
			errs, first := 0, ""
			fail := func(err error) {
				if errs == 0 {
					first = err.Error()
				}
				errs++
			}
			var conn net.Conn
			var br *bufio.Reader
			for time.Now().Before(deadline) {
				if conn == nil {
					c, err := net.DialTimeout("tcp", job.Addr, opTimeout)
					if err != nil {
						fail(err)
						time.Sleep(10 * time.Millisecond)
						continue
					}
					conn, br = c, bufio.NewReaderSize(c, 4096)
				}
				t0 := time.Now()
				_ = conn.SetDeadline(t0.Add(opTimeout))
				status, keep, err := roundTrip(conn, br, req)
				if err != nil {
					fail(err)
					_ = conn.Close()
					conn = nil
					continue
				}
				if status != nethttp.StatusOK {
					fail(fmt.Errorf("status %d", status))
				} else {
					lat = append(lat, time.Since(t0))
				}
				if !keep {
					_ = conn.Close()
					conn = nil
				}
			}
			if conn != nil {
				_ = conn.Close()
			}
			mu.Lock()
			defer mu.Unlock()
			rep.Latencies = append(rep.Latencies, lat...)
			if rep.Errors == 0 && errs > 0 {
				rep.FirstErr = first
			}
			rep.Errors += errs
		})
	}
	wg.Wait()
	rep.Elapsed, rep.CPU = time.Since(start), processCPU()-cpu
	fmt.Println(generatorEnded)
	return rep
}

// roundTrip writes req and reads one response: its status, whether the
// connection stays open, and its body (by Content-Length, which the server
// sets on these small answers; a chunked answer is an error here).
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (status int, keep bool, err error) {
	if _, err := conn.Write(req); err != nil {
		return 0, false, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	length, keep := -1, true
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("malformed header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch strings.ToLower(string(bytes.TrimSpace(name))) {
		case "content-length":
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, false, fmt.Errorf("malformed Content-Length %q", value)
			}
		case "transfer-encoding":
			return 0, false, errors.New("chunked answer: the load generator reads Content-Length bodies only")
		case "connection":
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	if length < 0 {
		return 0, false, errors.New("answer without Content-Length")
	}
	if _, err := br.Discard(length); err != nil {
		return 0, false, err
	}
	return status, keep, nil
}

// netHTTPLoad is the HTTP side of BenchmarkLoad with net/http's client in
// this process (APPRAISAL_LOAD_CLIENT=nethttp).
func netHTTPLoad(base string, path func(int) string, tokens []string, body string, d time.Duration, pg *pgServer) loadResult {
	client := &nethttp.Client{Transport: &nethttp.Transport{MaxIdleConnsPerHost: loadClients}}
	return runLoad(loadClients, d, pg, func(ctx context.Context, c, _ int) error {
		req, err := nethttp.NewRequestWithContext(ctx, "PUT", base+path(c), strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tokens[c])
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != nethttp.StatusOK {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	})
}
