package postgres

// SetCommitFault makes every group commit of s call before (an error stands
// for a connection lost before the commit was sent) and after (an error
// stands for a connection lost after the commit, its answer with it). Call
// it before the first append.
func SetCommitFault(s *Store, before, after func() error) {
	s.commitFault = &commitFault{before: before, after: after}
}
