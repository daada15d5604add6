package cycles

// Computed is how many units and whole cycles the projection has computed.
func (p *Projection) Computed() int64 { return p.computed.Load() }
