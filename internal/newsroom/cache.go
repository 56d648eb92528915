package newsroom

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"warta.dev/warta/internal/platform/db"
)

// pageCache keeps rendered public pages. A page is valid while its workspace's epoch is the one
// it was rendered in; the epoch moves when the workspace's generation in the database moves (a
// change made here, at once; one made by another process, within checkEvery) and when the next
// release lift passes, so a release appears at its lift on every page.
type pageCache struct {
	s      *Service
	pages  *lru.Cache[string, *page]
	flight singleflight.Group

	mu     sync.Mutex
	states map[int64]*wsState
	// marks counts stale calls per workspace: a refresh that read the database before one
	// leaves its state dirty
	marks   map[int64]uint64
	slugs   map[string]int64
	domains map[string]domainEntry
}

// domainEntry remembers which workspace a host belongs to, or for a while that it belongs to none.
type domainEntry struct {
	ws    int64
	until time.Time
}

// checkEvery is how often a process asks the database whether a workspace's newsroom changed.
const checkEvery = time.Second

type wsState struct {
	settings *Settings
	gen      int64
	epoch    uint64
	checked  time.Time
	nextLift time.Time // the next lift or notice leaving a list; zero when none waits
	dirty    bool
}

// page is a rendered response.
type page struct {
	status int
	ctype  string
	body   []byte
	etag   string
	epoch  uint64
	// short pages (not yet published) are not kept by browsers
	noStore bool
	// visit is the release whose view a serving of the page counts, 0 for none
	visit int64
}

func newPageCache(s *Service, size int) *pageCache {
	pages, _ := lru.New[string, *page](size)
	return &pageCache{s: s, pages: pages, states: map[int64]*wsState{}, marks: map[int64]uint64{}, slugs: map[string]int64{}, domains: map[string]domainEntry{}}
}

// stale makes the next request of the workspace ask the database.
func (c *pageCache) stale(wsID int64) {
	c.mu.Lock()
	c.marks[wsID]++
	if st := c.states[wsID]; st != nil {
		st.dirty = true
	}
	c.mu.Unlock()
}

// forget drops a slug and domain that may no longer be the workspace's.
func (c *pageCache) forget(slug, domain string) {
	c.mu.Lock()
	delete(c.slugs, slug)
	delete(c.domains, domain)
	c.mu.Unlock()
}

// bySlug finds the workspace whose newsroom answers at slug.
func (c *pageCache) bySlug(ctx context.Context, slug string) (int64, error) {
	c.mu.Lock()
	id, ok := c.slugs[slug]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := workspaceBySlug(ctx, c.s.d, slug)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	c.slugs[slug] = id
	c.mu.Unlock()
	return id, nil
}

// byDomain finds the workspace whose newsroom has host as its own domain, 0 when none has. An
// answer is kept for a minute, so requests for unknown hosts do not reach the database each time.
func (c *pageCache) byDomain(ctx context.Context, host string) (int64, error) {
	now := c.s.now()
	c.mu.Lock()
	e, ok := c.domains[host]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.ws, nil
	}
	id, _, err := workspaceByDomain(ctx, c.s.d, host)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return 0, err
	}
	c.mu.Lock()
	if len(c.domains) >= 1000 { // hosts nobody configured are not kept for ever
		c.domains = map[string]domainEntry{}
	}
	c.domains[host] = domainEntry{ws: id, until: now.Add(time.Minute)}
	c.mu.Unlock()
	return id, nil
}

// state returns the workspace's settings and current epoch, asking the database when the last
// answer is older than checkEvery, was marked stale, or a lift has passed since.
func (c *pageCache) state(ctx context.Context, wsID int64) (*Settings, uint64, time.Time, error) {
	now := c.s.now()
	c.mu.Lock()
	st := c.states[wsID]
	if st != nil && !st.dirty && now.Sub(st.checked) < checkEvery && (st.nextLift.IsZero() || now.Before(st.nextLift)) {
		defer c.mu.Unlock()
		return st.settings, st.epoch, st.nextLift, nil
	}
	c.mu.Unlock()

	// The refresh serves everyone waiting on it: the first visitor leaving must not fail them.
	v, err, _ := c.flight.Do("state:"+strconv.FormatInt(wsID, 10), func() (any, error) {
		return c.refresh(context.WithoutCancel(ctx), wsID, now)
	})
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	st = v.(*wsState)
	return st.settings, st.epoch, st.nextLift, nil
}

// epochs numbers states across every workspace of the process, so a page kept for one workspace
// never matches another's state (a slug that moved from one workspace to another).
var epochs atomic.Uint64

func (c *pageCache) refresh(ctx context.Context, wsID int64, now time.Time) (*wsState, error) {
	gen, err := generationOf(ctx, c.s.d, wsID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	old := c.states[wsID]
	mark := c.marks[wsID]
	c.mu.Unlock()
	next := &wsState{gen: gen, checked: now}
	liftPassed := old != nil && !old.nextLift.IsZero() && !now.Before(old.nextLift)
	if old != nil && old.gen == gen && !liftPassed {
		next.settings, next.epoch = old.settings, old.epoch
	} else {
		if next.settings, err = settingsOf(ctx, c.s.d, wsID); err != nil {
			return nil, err
		}
		next.epoch = epochs.Add(1)
		if old != nil {
			if old.settings.Slug != next.settings.Slug || old.settings.Domain != next.settings.Domain {
				c.forget(old.settings.Slug, old.settings.Domain)
			}
		}
	}
	if next.nextLift, err = nextLift(ctx, c.s.d, wsID, now.UTC()); err != nil {
		return nil, err
	}
	// A notice leaving a list by its age changes the pages as a lift does.
	aged, err := nextNoticeChange(ctx, c.s.d, wsID, now.UTC())
	if err != nil {
		return nil, err
	}
	if !aged.IsZero() && (next.nextLift.IsZero() || aged.Before(next.nextLift)) {
		next.nextLift = aged
	}
	c.mu.Lock()
	next.dirty = c.marks[wsID] != mark
	c.states[wsID] = next
	c.mu.Unlock()
	return next, nil
}

// get returns the page under key when it belongs to epoch, else renders it once (concurrent
// requests for the same page wait for that one rendering) and keeps it.
func (c *pageCache) get(key string, epoch uint64, render func() (*page, error)) (*page, error) {
	if p, ok := c.pages.Get(key); ok && p.epoch == epoch {
		return p, nil
	}
	v, err, _ := c.flight.Do(key, func() (any, error) {
		p, err := render()
		if err != nil {
			return nil, err
		}
		p.epoch = epoch
		sum := sha256.Sum256(p.body)
		p.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
		c.pages.Add(key, p)
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*page), nil
}
