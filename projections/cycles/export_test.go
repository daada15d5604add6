package cycles

// Computed is how many units and whole cycles the projection has computed.
func (p *Projection) Computed() int64 { return p.computed.Load() }

// SyncedResults is how many results the unit path has compared and written.
func (p *Projection) SyncedResults() int64 { return p.syncedResults.Load() }
