package fetch

import (
	"context"
	"sync"
	"time"
)

// gates hands out one turn at a time per host and spaces the turns by gap.
type gates struct {
	gap   time.Duration
	mu    sync.Mutex
	hosts map[string]*gate
	// sweepAt is the map size at which idle gates are next dropped, so a long-running
	// process that has seen many hosts does not keep them all.
	sweepAt int
}

type gate struct {
	turn  chan struct{} // holds one token while the host is free
	users int           // holders and waiters, under gates.mu
	last  time.Time     // when the last request to the host ended, under the turn
}

func newGates(gap time.Duration) *gates {
	return &gates{gap: gap, hosts: map[string]*gate{}, sweepAt: 256}
}

// acquire waits for host's turn and for the gap since its last request. The returned function
// ends the turn; call it once the response body has been read.
func (g *gates) acquire(ctx context.Context, host string) (func(), error) {
	g.mu.Lock()
	h := g.hosts[host]
	if h == nil {
		if len(g.hosts) >= g.sweepAt {
			g.sweep()
		}
		h = &gate{turn: make(chan struct{}, 1)}
		h.turn <- struct{}{}
		g.hosts[host] = h
	}
	h.users++
	g.mu.Unlock()

	leave := func() {
		g.mu.Lock()
		h.users--
		g.mu.Unlock()
	}
	select {
	case <-h.turn:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	if wait := time.Until(h.last.Add(g.gap)); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			h.turn <- struct{}{}
			leave()
			return nil, ctx.Err()
		}
	}
	return func() {
		h.last = time.Now()
		h.turn <- struct{}{}
		leave()
	}, nil
}

// sweep drops the gates nobody holds or waits for whose gap has passed; under g.mu.
func (g *gates) sweep() {
	now := time.Now()
	for host, h := range g.hosts {
		if h.users > 0 {
			continue
		}
		select {
		case <-h.turn:
			// Free: its last is safe to read.
			if now.Sub(h.last) >= g.gap {
				delete(g.hosts, host)
				continue
			}
			h.turn <- struct{}{}
		default:
		}
	}
	g.sweepAt = max(256, 2*len(g.hosts))
}
