package dedupe

import "sync"

// NearDistance is the largest Distance at which two fingerprints are taken for the same story.
//
// The distance between two copies is random around 64·θ/π, θ the angle between their shingle
// sets, with a spread of about ±2.5 bits. Measured on testdata/articles.txt (TestSyndication logs
// it): copies of one report with another intro line, a portal's footer, a few words changed or
// the ending cut were 5 to 17 bits apart on reports of about 170 words (they share 89% of their
// shingles), 2 to 15 when run on to about 350 words (95%; over 1,000 hash seeds such a pair
// averages 6.6 bits and is within 9 bits 87% of the time); different stories, three of them
// floods, were 23 or more apart, 32 on average, as unrelated texts are. The threshold also sets
// how often an unrelated text matches by chance, (Σ_{i≤d} C(64,i))/2⁶⁴ per pair: at 9 that is
// 1.8·10⁻⁹, so about 2 in 10,000 queries against a full index of 100,000 (at 7, 4 in a million,
// but 7 found 10 of the 16 pairs of copies run on to 350 words where 9 finds 14; at 10, 1 in
// 1,000). Nine finds most copies of full-length articles and some of short ones; a copy it misses
// shows as a separate mention.
const NearDistance = 9

// The index splits a fingerprint into bands and looks each band up with up to searchRadius of
// its bits changed: two fingerprints at most NearDistance bits apart differ in at most
// searchRadius bits of one band at least, as bands·(searchRadius+1) > NearDistance (the
// pigeonhole principle), so the lookup misses no candidate. Five bands of 13 or 12 bits make 66
// small buckets to read per lookup instead of ten large ones.
const (
	bands        = 5
	searchRadius = 1                        // Near changes one bit at a time
	bandBits     = (64 + bands - 1) / bands // the last band has the bits left over
)

// The build fails if a change of NearDistance breaks the pigeonhole condition.
var _ [bands*(searchRadius+1) - NearDistance - 1]struct{}

// Index remembers the fingerprints of recent items and finds the earliest one near a new
// fingerprint. It holds at most its capacity; adding to a full index forgets the oldest item. It
// is safe for concurrent use.
//
// Memory is 100 to 200 bytes an item (each fingerprint is kept once per band, beside the item),
// plus 1 MB of bucket heads; Near reads about 1,000 entries of a full index of 100,000 (see
// BenchmarkIndexNear).
type Index struct {
	mu       sync.RWMutex
	ring     []item // by sequence number modulo capacity
	next     uint64 // sequence number of the next Add
	buckets  [bands][1 << bandBits][]bucketEntry
	capacity uint64
}

type item struct {
	id int64
	fp uint64
}

// bucketEntry keeps the fingerprint beside its sequence number so a lookup reads one array. A
// bucket is in order of addition: its first entries are the oldest.
type bucketEntry struct {
	fp, seq uint64
}

// NewIndex makes an index that holds up to capacity items (at least 1).
func NewIndex(capacity int) *Index {
	capacity = max(capacity, 1)
	return &Index{ring: make([]item, 0, min(capacity, 1024)), capacity: uint64(capacity)}
}

func band(fp uint64, b int) uint64 { return fp >> (b * bandBits) & (1<<bandBits - 1) }

// Add remembers an item's fingerprint, forgetting the oldest item when the index is full. A zero
// fingerprint (an empty text) is not remembered: it is no story.
func (x *Index) Add(id int64, fp uint64) {
	if fp == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.next >= x.capacity {
		oldest := x.next - x.capacity
		old := x.ring[oldest%x.capacity]
		for b := range bands {
			bucket := &x.buckets[b][band(old.fp, b)]
			// The oldest item of the index is the oldest of each of its buckets.
			*bucket = (*bucket)[1:]
			if len(*bucket) == 0 {
				*bucket = nil // let the emptied array go
			}
		}
	}
	if pos := x.next % x.capacity; pos < uint64(len(x.ring)) {
		x.ring[pos] = item{id, fp}
	} else {
		x.ring = append(x.ring, item{id, fp})
	}
	for b := range bands {
		bucket := &x.buckets[b][band(fp, b)]
		*bucket = append(*bucket, bucketEntry{fp, x.next})
	}
	x.next++
}

// Near gives the earliest-added item still in the index whose fingerprint is within NearDistance
// of fp.
func (x *Index) Near(fp uint64) (id int64, ok bool) {
	if fp == 0 {
		return 0, false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	best := uint64(1<<64 - 1)
	for b := range bands {
		key, width := band(fp, b), bandBits
		if b == bands-1 {
			width = 64 - (bands-1)*bandBits
		}
		// The band as it is, then with each one of its bits changed (searchRadius is 1).
		for i := -1; i < width; i++ {
			k := key
			if i >= 0 {
				k ^= 1 << i
			}
			for _, e := range x.buckets[b][k] {
				if e.seq >= best {
					break // the rest of this bucket is newer than what was found
				}
				if Distance(e.fp, fp) <= NearDistance {
					best = e.seq
					break
				}
			}
		}
	}
	if best == 1<<64-1 {
		return 0, false
	}
	return x.ring[best%x.capacity].id, true
}

// Len is the number of items the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return int(min(x.next, x.capacity))
}
