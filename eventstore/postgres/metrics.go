package postgres

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metricsTimeout bounds the queries one scrape makes.
const metricsTimeout = 2 * time.Second

var (
	queuedDesc = prometheus.NewDesc("appraisal_eventstore_queued_appends",
		"Appends of this process not yet committed (waiting for or in a group commit).", nil, nil)
	oldestAppendDesc = prometheus.NewDesc("appraisal_eventstore_oldest_append_seconds",
		"How long the oldest append of this process not yet committed has waited.", nil, nil)
	lockHolderDesc = prometheus.NewDesc("appraisal_eventstore_append_lock_held_seconds",
		"Age of the transaction holding the schema's append lock (any process), which every group commit waits for; 0 when free.", nil, nil)
)

// Collector exposes Lag to Prometheus, read at scrape time.
func (s *Store) Collector() prometheus.Collector { return lagCollector{s} }

type lagCollector struct{ s *Store }

func (c lagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queuedDesc
	ch <- oldestAppendDesc
	ch <- lockHolderDesc
}

func (c lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
	defer cancel()
	l, err := c.s.Lag(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queuedDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(queuedDesc, prometheus.GaugeValue, float64(l.Queued))
	ch <- prometheus.MustNewConstMetric(oldestAppendDesc, prometheus.GaugeValue, l.OldestAppendAge.Seconds())
	ch <- prometheus.MustNewConstMetric(lockHolderDesc, prometheus.GaugeValue, l.LockHolderAge.Seconds())
}
