package postgres

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metricsTimeout bounds the queries one scrape makes.
const metricsTimeout = 2 * time.Second

var (
	unsealedDesc = prometheus.NewDesc("appraisal_eventstore_unsealed_events",
		"Committed events not yet given a position: what readers wait for.", nil, nil)
	oldestTxDesc = prometheus.NewDesc("appraisal_eventstore_oldest_transaction_seconds",
		"Age of the oldest append in flight, which holds sealing (appends and readers) back.", nil, nil)
)

// Collector exposes Lag to Prometheus, read at scrape time.
func (s *Store) Collector() prometheus.Collector { return lagCollector{s} }

type lagCollector struct{ s *Store }

func (c lagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- unsealedDesc
	ch <- oldestTxDesc
}

func (c lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
	defer cancel()
	l, err := c.s.Lag(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(unsealedDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(unsealedDesc, prometheus.GaugeValue, float64(l.Unsealed))
	ch <- prometheus.MustNewConstMetric(oldestTxDesc, prometheus.GaugeValue, l.OldestTxAge.Seconds())
}
