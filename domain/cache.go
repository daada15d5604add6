package domain

import (
	"container/list"
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

// Each employee's review stream is cached the same way, in a bounded cache
// (reviewCache) since there is one per employee and cycle: a rater saving
// drafts would otherwise read and decode every earlier draft of the review
// on each save.
//
// A cached aggregate is never trusted on its own: every load still reads
// the stream after the cached version, so it sees what other processes
// appended. What a command then appends expects the version it saw, so a
// writer that got in between is a conflict, as without the cache.

// aggregates is a cache of aggregates by stream.
type aggregates interface {
	get(stream string) (cached, bool)
	// put stores c unless the cache holds a newer version of stream.
	put(stream string, c cached)
	// drop forgets stream.
	drop(stream string)
}

// sharedCache holds the latest known state of the shared aggregates
// (organisation, cycles, templates, policies: few, and read by every
// command), without a bound.
type sharedCache struct {
	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	agg     any
	version int64
}

func (c *sharedCache) get(stream string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[stream]
	return e, ok
}

func (c *sharedCache) put(stream string, e cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.entries[stream]; !ok || cur.version < e.version {
		c.entries[stream] = e
	}
}

func (c *sharedCache) drop(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, stream)
}

// reviewCacheSize bounds the review cache: the reviews most recently used
// stay (a few KB each), the others are read from their stream again.
const reviewCacheSize = 4096

// reviewCache is a least-recently-used cache of review aggregates.
type reviewCache struct {
	mu      sync.Mutex
	size    int
	order   *list.List // of *reviewEntry, most recently used first
	entries map[string]*list.Element
}

type reviewEntry struct {
	stream string
	cached
}

func newReviewCache(size int) *reviewCache {
	return &reviewCache{size: size, order: list.New(), entries: map[string]*list.Element{}}
}

func (c *reviewCache) get(stream string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[stream]
	if !ok {
		return cached{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*reviewEntry).cached, true
}

func (c *reviewCache) put(stream string, e cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[stream]; ok {
		cur := el.Value.(*reviewEntry)
		if cur.version < e.version {
			cur.cached = e
		}
		c.order.MoveToFront(el)
		return
	}
	c.entries[stream] = c.order.PushFront(&reviewEntry{stream: stream, cached: e})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*reviewEntry).stream)
	}
}

func (c *reviewCache) drop(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[stream]; ok {
		c.order.Remove(el)
		delete(c.entries, stream)
	}
}

// shared is an aggregate the caches can hold.
type shared[A any] interface {
	apply(Event)
	clone() A
}

// loadShared returns the aggregate of stream as of now and the version it
// reflects, reading only the events after the cached version.
func loadShared[A shared[A]](ctx context.Context, s *Service, stream string, fresh func() A) (A, int64, error) {
	return loadCached(ctx, s, &s.cache, stream, fresh)
}

// loadCached returns the aggregate of stream as of now from cache, read up
// to the stream's current version. The aggregate returned is shared with
// other requests: a command reads it and never changes it.
func loadCached[A shared[A]](ctx context.Context, s *Service, cache aggregates, stream string, fresh func() A) (A, int64, error) {
	entry, ok := cache.get(stream)
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
	cache.put(stream, cached{agg: agg, version: version})
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

// clone copies the maps apply mutates and the structs they point to.
// after is the review with events applied: a new copy, since a cached
// review is shared and never changed, or the review itself when none of
// the events changes a review's state. Saving a draft is the common
// command and changes nothing here (drafts are read back from the stream),
// so it no longer copies every map of the review.
func (r *Review) after(events []Event) *Review {
	if !slices.ContainsFunc(events, changesReview) {
		return r
	}
	next := r.clone()
	for _, e := range events {
		next.apply(e)
	}
	return next
}

// changesReview reports whether Review.apply changes anything for e; it
// does for every event but a saved draft (TestDraftChangesNoReview).
func changesReview(e Event) bool {
	_, draft := e.(EvaluationDraftSaved)
	return !draft
}

func (r *Review) clone() *Review {
	n := *r
	n.goals = make(map[uuid.UUID]*goal, len(r.goals))
	for id, g := range r.goals {
		g := *g
		n.goals[id] = &g
	}
	n.peers = slices.Clone(r.peers)
	n.requests = make(map[uuid.UUID]*customerRequest, len(r.requests))
	for id, q := range r.requests {
		q := *q
		n.requests[id] = &q
	}
	n.evaluations = make(map[uuid.UUID]*evaluation, len(r.evaluations))
	for id, e := range r.evaluations {
		e := *e
		n.evaluations[id] = &e
	}
	n.byRater = maps.Clone(r.byRater)
	n.kpiTargets = maps.Clone(r.kpiTargets)
	n.kpiActuals = maps.Clone(r.kpiActuals)
	n.ids = maps.Clone(r.ids)
	n.appeals = maps.Clone(r.appeals)
	n.decidedRecs = maps.Clone(r.decidedRecs)
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
	if entry, ok := s.cache.get(TemplateStream(id)); ok {
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
