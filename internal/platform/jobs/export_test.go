package jobs

import "time"

// WithFetchPollInterval returns opts with the poll for new jobs set to d, so a test can make
// polling too slow to explain a job that starts at once.
func WithFetchPollInterval(opts Options, d time.Duration) Options {
	opts.fetchPollInterval = d
	return opts
}
