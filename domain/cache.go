package domain

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Every evaluation a rater submits reads the organisation, the cycle and the
// template besides the employee's own review. Replaying the organisation
// stream (one event per hire, transfer, ...) on every request would make a
// submission cost grow with the size of the company, so the service keeps
// these shared aggregates and only reads the events appended since.
//
// Commands never change an aggregate (they return events), so a cached
// aggregate is shared read-only between requests. New events are applied to
// a clone, which then replaces the cached one: a request holding the old
// aggregate keeps a consistent snapshot.

// sharedCache holds the latest known state of the shared aggregates.
type sharedCache struct {
	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	agg     any
	version int64
}

// shared is an aggregate the cache can hold.
type shared[A any] interface {
	apply(Event)
	clone() A
}

// loadShared returns the aggregate of stream as of now and the version it
// reflects, reading only the events after the cached version.
func loadShared[A shared[A]](ctx context.Context, s *Service, stream string, fresh func() A) (A, int64, error) {
	s.cache.mu.Lock()
	entry, ok := s.cache.entries[stream]
	s.cache.mu.Unlock()
	var agg A
	var after int64
	if ok {
		agg, after = entry.agg.(A), entry.version
	}
	events, _, err := s.log.Load(ctx, stream, after)
	if err != nil {
		return agg, 0, fmt.Errorf("load stream %s: %w", stream, err)
	}
	if ok && len(events) == 0 {
		return agg, after, nil
	}
	if ok {
		agg = agg.clone()
	} else {
		agg = fresh()
	}
	version := applyAll(agg, events, after)
	s.cache.mu.Lock()
	if cur, ok := s.cache.entries[stream]; !ok || cur.version < version {
		s.cache.entries[stream] = cached{agg: agg, version: version}
	}
	s.cache.mu.Unlock()
	return agg, version, nil
}

// applyAll applies events and returns the version the aggregate now
// reflects: that of the last event applied (the stream may have grown since
// the read, and an append must expect what was actually seen).
func applyAll(agg applier, events []Recorded, after int64) int64 {
	for _, r := range events {
		agg.apply(r.Event)
		after = r.Version
	}
	return after
}

func (o *Organisation) clone() *Organisation {
	c := NewOrganisation()
	for id, u := range o.units {
		u := *u
		c.units[id] = &u
	}
	for id, l := range o.levels {
		l := *l
		c.levels[id] = &l
	}
	for id, m := range o.employees {
		m := *m
		c.employees[id] = &m
	}
	return c
}

// clone copies the maps apply mutates; slices are only ever replaced by
// apply, never written in place, so they can be shared.
func (c *Cycle) clone() *Cycle {
	n := *c
	n.unitSigned = maps.Clone(c.unitSigned)
	n.overrides = maps.Clone(c.overrides)
	n.decided = maps.Clone(c.decided)
	return &n
}

func (v *TemplateVersions) clone() *TemplateVersions {
	return &TemplateVersions{Versions[scoring.Template]{list: slices.Clone(v.list)}}
}

func (v *PolicyVersions) clone() *PolicyVersions {
	return &PolicyVersions{Versions[scoring.Policy]{list: slices.Clone(v.list)}}
}

// Organisation loads the organisation as it is now, with its version. The
// returned aggregate is shared: read it, never keep it for long.
func (s *Service) Organisation(ctx context.Context) (*Organisation, int64, error) {
	return loadShared(ctx, s, OrganisationStream, NewOrganisation)
}

// Cycle loads a cycle, refusing one that does not exist.
func (s *Service) Cycle(ctx context.Context, id uuid.UUID) (*Cycle, int64, error) {
	c, v, err := loadShared(ctx, s, CycleStream(id), NewCycle)
	if err == nil && !c.Exists() {
		err = &NotFoundError{Kind: "cycle", ID: id.String()}
	}
	return c, v, err
}

// Template loads a template's versions.
func (s *Service) Template(ctx context.Context, id uuid.UUID) (*TemplateVersions, int64, error) {
	return loadShared(ctx, s, TemplateStream(id), func() *TemplateVersions { return &TemplateVersions{} })
}

// templateVersion returns version n of a template (zero value when n is 0
// or unknown). A published version never changes, so once the cache holds
// it no read is needed: review commands, the busiest path, save a round trip.
func (s *Service) templateVersion(ctx context.Context, id uuid.UUID, n int) (scoring.Template, error) {
	s.cache.mu.Lock()
	entry, ok := s.cache.entries[TemplateStream(id)]
	s.cache.mu.Unlock()
	if ok {
		if t, found := entry.agg.(*TemplateVersions).At(n); found {
			return t, nil
		}
	}
	tv, _, err := s.Template(ctx, id)
	if err != nil {
		return scoring.Template{}, err
	}
	t, _ := tv.At(n)
	return t, nil
}

// Policy loads a policy's versions.
func (s *Service) Policy(ctx context.Context, id uuid.UUID) (*PolicyVersions, int64, error) {
	return loadShared(ctx, s, PolicyStream(id), func() *PolicyVersions { return &PolicyVersions{} })
}
