package http

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// loadResult is what a fixed-time load run measured.
type loadResult struct {
	ops      int
	errors   int
	elapsed  time.Duration
	p50, p99 time.Duration
}

func (r loadResult) rate() float64 { return float64(r.ops) / r.elapsed.Seconds() }

func (r loadResult) String() string {
	return fmt.Sprintf("%8.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  (%d ops, %d errors)",
		r.rate(), ms(r.p50), ms(r.p99), r.ops, r.errors)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runLoad runs op from clients goroutines for d; op gets the client number
// and that client's sequence number so that each call can be distinct.
func runLoad(clients int, d time.Duration, op func(ctx context.Context, client, seq int) error) loadResult {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for seq := 0; ctx.Err() == nil; seq++ {
				t0 := time.Now()
				if err := op(context.WithoutCancel(ctx), c, seq); err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	res := loadResult{ops: len(lat), errors: errs, elapsed: time.Since(start)}
	if len(lat) > 0 {
		slices.Sort(lat)
		res.p50 = lat[len(lat)*50/100]
		res.p99 = lat[min(len(lat)*99/100, len(lat)-1)]
	}
	return res
}

var _ = testing.Short
