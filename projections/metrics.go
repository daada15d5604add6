package projections

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metricsTimeout bounds the queries one scrape makes.
const metricsTimeout = 2 * time.Second

var (
	lagDesc = prometheus.NewDesc("appraisal_projection_lag_events",
		"Store head position minus the projection's committed checkpoint.", []string{"projection"}, nil)
	checkpointDesc = prometheus.NewDesc("appraisal_projection_checkpoint",
		"Last global position the projection committed.", []string{"projection"}, nil)
)

// Collector exposes each projection's lag and checkpoint to Prometheus. It
// reads the committed checkpoints at scrape time, so every process reports
// the truth whichever process leads the projection.
func (r *Runner) Collector() prometheus.Collector { return runnerCollector{r} }

type runnerCollector struct{ r *Runner }

func (c runnerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- lagDesc
	ch <- checkpointDesc
}

func (c runnerCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
	defer cancel()
	head, cps, err := c.r.positions(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(lagDesc, err)
		return
	}
	for name, cp := range cps {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(max(head-cp, 0)), name)
		ch <- prometheus.MustNewConstMetric(checkpointDesc, prometheus.GaugeValue, float64(cp), name)
	}
}
