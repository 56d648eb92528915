// Command publish is the publishing benchmark (issue 4): a whole Warta on loopback, on SQLite or
// PostgreSQL, publishing to in-process Mastodon contract servers. Phase "spread" schedules 10,000
// posts to 100 accounts, due evenly over one minute; phase "burst" schedules 1,000 posts due at the
// same instant. For each phase it reports throughput, lateness (the network's created_at minus the
// due time), duplicates, losses and peak memory, as Markdown table rows.
//
//	go run ./bench/publish -engine sqlite
//	go run ./bench/publish -engine postgres -database-url postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// Targets (reported, not asserted): lateness p99 under 1 s (spread) and 5 s (burst), no duplicate,
// no loss.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/mastodon/mastodontest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/publish"
)

type options struct {
	engine       string
	databaseURL  string
	accounts     int
	servers      int
	spread       int
	window       time.Duration
	burst        int
	margin       time.Duration
	drain        time.Duration
	setupWorkers int
	cpuProfile   string
	logLevel     string
	keep         bool
}

func main() {
	var o options
	flag.StringVar(&o.engine, "engine", "sqlite", "database engine: sqlite or postgres")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("WARTA_TEST_DATABASE_URL"),
		"PostgreSQL URL (engine postgres); a schema bench_<random> is created in it and dropped at the end")
	flag.IntVar(&o.accounts, "accounts", 100, "connected Mastodon accounts")
	flag.IntVar(&o.servers, "servers", 4, "Mastodon contract servers the accounts are spread over")
	flag.IntVar(&o.spread, "spread", 10_000, "posts of the spread phase (0 skips it)")
	flag.DurationVar(&o.window, "window", time.Minute, "the spread phase's posts are due evenly over this window")
	flag.IntVar(&o.burst, "burst", 1_000, "posts of the burst phase, all due at the same instant (0 skips it)")
	flag.DurationVar(&o.margin, "margin", 20*time.Second, "time between the end of scheduling and the first due time")
	flag.DurationVar(&o.drain, "drain", 2*time.Minute, "how long after the last due time to wait for the posts")
	flag.IntVar(&o.setupWorkers, "setup-workers", 8, "goroutines creating and scheduling items")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write CPU profiles of each phase: PREFIX.<phase>-schedule.pprof (scheduling) and PREFIX.<phase>.pprof (first due time to last post)")
	flag.StringVar(&o.logLevel, "log", "warn", "Warta's log level: debug, info, warn, error")
	flag.BoolVar(&o.keep, "keep", false, "keep the data folder and the PostgreSQL schema, to inspect them")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench/publish:", err)
		os.Exit(1)
	}
}

// phaseResult is one table row.
type phaseResult struct {
	engine, phase     string
	posts             int
	create, schedule  time.Duration
	slack             time.Duration // from the end of scheduling to the first due time
	throughput        float64
	p50, p99, max     time.Duration
	duplicates, lost  int
	notPublished      int
	rss, heap         uint64
	dispatch, claim   stats // dispatched_at − due, first attempt's start − due
	network           stats // published_at − first attempt's start
	retried, jobRetry int
	elapsed           time.Duration // first due to last published

	// The machine while the phase ran (first due time to the last post).
	procCPU     time.Duration // this process's user + system CPU time
	wall        time.Duration
	machineBusy float64 // share of all CPUs busy (every process, PostgreSQL too)
	load1       float64
	poolWaits   int64         // waits for a connection of the write pool (SQLite: the one writer)
	poolWait    time.Duration // their total
	poolFull    float64       // share of 10 ms samples with every write-pool connection in use
	poolInUse   float64       // mean write-pool connections in use
	byCommand   string        // the processes that used the most CPU, this one included
	// poolIdleClosed counts connections the write pool closed on release because MaxIdleConns
	// were already idle: on PostgreSQL each is a backend process that a later query forks again.
	poolIdleClosed int64
}

type stats struct{ p50, p99, max time.Duration }

func run(o options) error {
	var engine db.Dialect
	switch o.engine {
	case "sqlite":
		engine = db.SQLite
	case "postgres":
		engine = db.Postgres
	default:
		return fmt.Errorf("unknown engine %q (sqlite or postgres)", o.engine)
	}
	if o.accounts < 1 || o.servers < 1 {
		return errors.New("need at least one account and one server")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "warta-bench-publish-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "keeping the data folder", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	databaseURL := ""
	if engine == db.Postgres {
		if o.databaseURL == "" {
			return errors.New("engine postgres needs -database-url or WARTA_TEST_DATABASE_URL")
		}
		u, drop, err := freshSchema(ctx, o.databaseURL, o.keep)
		if err != nil {
			return err
		}
		defer drop()
		databaseURL = u
	}

	// The network: a few instances, the accounts spread over them.
	servers := make([]*mastodontest.Server, o.servers)
	for i := range servers {
		servers[i] = mastodontest.New()
		defer servers[i].Close()
	}
	var remote []channel.Account
	for i := range o.accounts {
		srv := servers[i%len(servers)]
		id, token := srv.NewAccountToken()
		remote = append(remote, channel.Account{Network: channel.Mastodon, Server: srv.URL(), RemoteID: id,
			Handle: "@user" + id, Name: fmt.Sprintf("Bench %d", i+1), Secret: channel.Secret{AccessToken: token}})
	}

	// Warta, as apptest starts it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cfg, err := config.Default()
	if err != nil {
		return err
	}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.DatabaseURL = databaseURL
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	cfg.SMTPHost = ""
	cfg.AllowPrivateURLs = true
	cfg.ShutdownGrace = 10 * time.Second
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	actx, cancel := context.WithCancel(ctx)
	a, err := app.Open(actx, cfg, log)
	if err != nil {
		cancel()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(actx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
		a.Close()
	}()

	u, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "bench@humas.example", Name: "Bench",
		Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Bench", Lang: "en"})
	if err != nil {
		return err
	}
	b := &bench{o: o, a: a, servers: servers, actor: audit.Actor{UserID: u.ID, Label: u.Email}, wsID: ws.ID, engine: o.engine}
	t0 := time.Now()
	accts, err := a.Publish.AddAccounts(ctx, b.actor, ws.ID, remote)
	if err != nil {
		return err
	}
	byRemote := map[string]int64{}
	for _, ac := range accts {
		byRemote[ac.Server+"\x00"+ac.RemoteID] = ac.ID
	}
	for _, r := range remote {
		id, ok := byRemote[r.Server+"\x00"+r.RemoteID]
		if !ok {
			return fmt.Errorf("account %s on %s was not connected", r.RemoteID, r.Server)
		}
		b.accounts = append(b.accounts, id)
	}
	fmt.Fprintf(os.Stderr, "%s: %d accounts on %d servers connected in %s; %d CPUs, GOMAXPROCS %d\n",
		o.engine, len(b.accounts), len(servers), time.Since(t0).Round(time.Millisecond), runtime.NumCPU(), runtime.GOMAXPROCS(0))

	go b.sampleHeap(actx)
	var results []phaseResult
	if o.spread > 0 {
		r, err := b.phase(ctx, "spread", o.spread, o.window)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if o.burst > 0 {
		r, err := b.phase(ctx, "burst", o.burst, 0)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	printResults(o, results)
	printMachine(results)
	return nil
}

type bench struct {
	o        options
	a        *app.App
	servers  []*mastodontest.Server
	actor    audit.Actor
	wsID     int64
	engine   string
	accounts []int64

	heapPeak atomic.Uint64
}

// startProfile writes a CPU profile to prefix.name.pprof until the returned function is called;
// nothing when prefix is empty.
func startProfile(prefix, name string) (func(), error) {
	if prefix == "" {
		return func() {}, nil
	}
	f, err := os.Create(prefix + "." + name + ".pprof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// posted counts the posts on every server.
func (b *bench) posted() int {
	n := 0
	for _, srv := range b.servers {
		n += len(srv.Posts())
	}
	return n
}

// samplePool samples the write pool every 10 ms until the returned function is called, and
// records the share of samples in which every connection was in use (SQLite: the one writer was
// busy) and the mean number in use.
func (b *bench) samplePool(res *phaseResult) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var samples, full, inUse int
		for {
			select {
			case <-done:
				if samples > 0 {
					res.poolFull = float64(full) / float64(samples)
					res.poolInUse = float64(inUse) / float64(samples)
				}
				return
			case <-t.C:
			}
			st := b.a.DB.Write.Stats()
			samples++
			inUse += st.InUse
			if st.MaxOpenConnections > 0 && st.InUse >= st.MaxOpenConnections {
				full++
			}
		}
	}()
	return func() { close(done); <-finished }
}

// sampleHeap keeps the peak of HeapInuse, sampled every 100 ms.
func (b *bench) sampleHeap(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var m runtime.MemStats
	for {
		runtime.ReadMemStats(&m)
		for {
			cur := b.heapPeak.Load()
			if m.HeapInuse <= cur || b.heapPeak.CompareAndSwap(cur, m.HeapInuse) {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// phase creates n items, schedules them due over window (0: all at the same instant) starting
// a margin after scheduling ends, waits for them and measures.
func (b *bench) phase(ctx context.Context, name string, n int, window time.Duration) (phaseResult, error) {
	res := phaseResult{engine: b.engine, phase: name, posts: n}
	texts := make([]string, n)
	items := make([]int64, n)
	for i := range n {
		texts[i] = fmt.Sprintf("Bench %s post %d: pengumuman humas nomor %d untuk warga, jadwal layanan dan informasi terbaru.", name, i+1, i+1)
	}

	// Create.
	t0 := time.Now()
	err := parallel(ctx, b.o.setupWorkers, n, func(i int) error {
		it, probs, err := b.a.Content.Save(ctx, b.actor, b.wsID, 0, content.Input{Title: fmt.Sprintf("Bench %s %d", name, i+1),
			Lang: "id", Body: texts[i], Variants: []content.Variant{{Network: channel.Mastodon, Text: texts[i]}}})
		if err != nil {
			return fmt.Errorf("saving item %d: %w", i, err)
		}
		if !probs.OK() {
			return fmt.Errorf("saving item %d: %+v", i, probs)
		}
		items[i] = it.ID
		return nil
	})
	if err != nil {
		return res, err
	}
	res.create = time.Since(t0)
	fmt.Fprintf(os.Stderr, "%s/%s: %d items created in %s (%.0f/s)\n", b.engine, name, n, res.create.Round(time.Millisecond), float64(n)/res.create.Seconds())

	// Schedule. The due times must be known before the first Schedule, and every item must be
	// scheduled before the first is due; so the first k items are scheduled far ahead to measure
	// the rate, then moved to their time with the rest. A Schedule gets slower as queued
	// publications pile up (about 2 ms at none, 5.5 ms at 10,000 on SQLite; see README), hence
	// the factor growing with n.
	t1 := time.Now()
	account := func(i int) int64 { return b.accounts[i%len(b.accounts)] }
	k := min(n, max(100, n/20))
	far := time.Now().Add(2 * time.Hour)
	err = parallel(ctx, b.o.setupWorkers, k, func(i int) error {
		_, err := b.a.Content.Schedule(ctx, b.actor, b.wsID, items[i], content.When{At: &far, Accounts: []int64{account(i)}}, time.UTC)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("scheduling: %w", err)
	}
	per := time.Since(t1) / time.Duration(k)
	estimate := time.Duration(float64(per) * float64(n) * (1.5 + float64(n)/10_000))
	fmt.Fprintf(os.Stderr, "%s/%s: %.1f ms per Schedule at first; scheduling %d should take %s\n", b.engine, name,
		float64(per.Microseconds())/1000, n, estimate.Round(time.Second))
	start := time.Now().Add(estimate + b.o.margin).Truncate(time.Second).Add(time.Second)
	due := func(i int) time.Time {
		if window == 0 {
			return start
		}
		return start.Add(window * time.Duration(i) / time.Duration(n))
	}
	stopProfile, err := startProfile(b.o.cpuProfile, name+"-schedule")
	if err != nil {
		return res, err
	}
	var done atomic.Int64
	step := max(n/5, 1)
	lap := time.Now()
	var lapMu sync.Mutex
	err = parallel(ctx, b.o.setupWorkers, n, func(i int) error {
		at := due(i)
		_, err := b.a.Content.Schedule(ctx, b.actor, b.wsID, items[i], content.When{At: &at, Accounts: []int64{account(i)}}, time.UTC)
		if err != nil {
			return fmt.Errorf("scheduling item %d: %w", i, err)
		}
		if d := done.Add(1); d%int64(step) == 0 {
			lapMu.Lock()
			fmt.Fprintf(os.Stderr, "%s/%s: %d scheduled, the last %d at %.1f ms each\n", b.engine, name, d, step,
				float64(time.Since(lap).Microseconds())/1000/float64(step))
			lap = time.Now()
			lapMu.Unlock()
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	stopProfile()
	res.schedule = time.Since(t1)
	res.slack = time.Until(start)
	last := due(n - 1)
	fmt.Fprintf(os.Stderr, "%s/%s: scheduled in %s (%.0f/s); first due in %s, last due at +%s\n", b.engine, name,
		res.schedule.Round(time.Millisecond), float64(n)/res.schedule.Seconds(), res.slack.Round(time.Millisecond), last.Sub(start))
	if res.slack < 0 {
		fmt.Fprintf(os.Stderr, "%s/%s: WARNING scheduling ran past the first due time; raise -margin\n", b.engine, name)
	}

	// Measure from the first due time: peaks are reset then.
	before := b.posted()
	time.Sleep(time.Until(start) - 200*time.Millisecond)
	resetPeakRSS()
	b.heapPeak.Store(0)
	cpu0, pool0, wall0, procs0 := processCPU(), b.a.DB.Write.Stats(), time.Now(), cpuByCommand()
	busy0, total0 := machineCPU()
	if stopProfile, err = startProfile(b.o.cpuProfile, name); err != nil {
		return res, err
	}
	// Wait for the posts: the servers' in-memory record is watched closely (reading it costs the
	// app nothing); the publications table, which is what says a post failed, every 2 s and once
	// every post has arrived.
	deadline := last.Add(b.o.drain)
	stopSampling := b.samplePool(&res)
	var lastCount time.Time
	for {
		arrived := b.posted() >= before+n
		if arrived || time.Since(lastCount) > 2*time.Second {
			lastCount = time.Now()
			counts, err := b.a.Publish.Counts(ctx, b.wsID)
			if err != nil {
				return res, err
			}
			pending := counts[publish.Queued] + counts[publish.Sending] + counts[publish.Retrying] + counts[publish.Checking]
			if pending == 0 && time.Now().After(last) {
				break
			}
			if time.Now().After(deadline) {
				fmt.Fprintf(os.Stderr, "%s/%s: gave up waiting with %d publications pending: %v\n", b.engine, name, pending, counts)
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopSampling()
	stopProfile()
	res.rss = peakRSS()
	res.heap = b.heapPeak.Load()
	res.wall = time.Since(wall0)
	res.procCPU = processCPU() - cpu0
	if busy1, total1 := machineCPU(); total1 > total0 {
		res.machineBusy = (busy1 - busy0) / (total1 - total0)
	}
	res.load1 = load1()
	res.byCommand = topCommands(procs0, cpuByCommand(), 5)
	pool1 := b.a.DB.Write.Stats()
	res.poolWaits, res.poolWait = pool1.WaitCount-pool0.WaitCount, pool1.WaitDuration-pool0.WaitDuration
	res.poolIdleClosed = pool1.MaxIdleClosed - pool0.MaxIdleClosed

	return res, b.measure(ctx, &res, items, texts, due)
}

// measure reads the phase's publications and the servers' posts.
func (b *bench) measure(ctx context.Context, res *phaseResult, items []int64, texts []string, due func(int) time.Time) error {
	index := make(map[int64]int, len(items))
	for i, id := range items {
		index[id] = i
	}
	type pub struct {
		state                 string
		dueAt                 time.Time
		dispatched, published *time.Time
		attempts              int
	}
	pubs := map[int]*pub{}
	byID := map[int64]*pub{}
	rows, err := b.a.DB.Query(ctx, `SELECT id, item_id, state, due_at, dispatched_at, published_at, attempts FROM publications WHERE workspace_id = ?`, b.wsID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, item int64
		p := &pub{}
		if err := rows.Scan(&id, &item, &p.state, &p.dueAt, &p.dispatched, &p.published, &p.attempts); err != nil {
			rows.Close()
			return err
		}
		if i, ok := index[item]; ok {
			pubs[i] = p
			byID[id] = p
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	started := map[*pub]time.Time{}
	rows, err = b.a.DB.Query(ctx, `SELECT publication_id, started_at FROM publish_attempts WHERE workspace_id = ? AND number = 1`, b.wsID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return err
		}
		if p := byID[id]; p != nil {
			started[p] = at
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// River jobs of publishing that needed more than one attempt (a database error in the worker).
	if err := b.a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'publish' AND attempt > 1`).Scan(&res.jobRetry); err != nil {
		return err
	}

	var late, dispatch, claim, network []time.Duration
	first := due(0)
	var lastPub time.Time
	for i := range items {
		p := pubs[i]
		if p == nil || p.state != string(publish.Published) || p.published == nil {
			res.notPublished++
			continue
		}
		if p.attempts > 1 {
			res.retried++
		}
		late = append(late, p.published.Sub(p.dueAt))
		if p.published.After(lastPub) {
			lastPub = *p.published
		}
		if p.dispatched != nil {
			dispatch = append(dispatch, p.dispatched.Sub(p.dueAt))
		}
		if s, ok := started[p]; ok {
			claim = append(claim, s.Sub(p.dueAt))
			network = append(network, p.published.Sub(s))
		}
	}
	res.p50, res.p99, res.max = percentiles(late)
	res.dispatch = statsOf(dispatch)
	res.claim = statsOf(claim)
	res.network = statsOf(network)
	if !lastPub.IsZero() {
		res.elapsed = lastPub.Sub(first)
		res.throughput = float64(len(late)) / res.elapsed.Seconds()
	}

	// What reached the network: each text exactly once.
	seen := map[string]int{}
	for _, srv := range b.servers {
		for _, p := range srv.Posts() {
			seen[p.Text]++
		}
	}
	for _, t := range texts {
		switch c := seen[t]; {
		case c == 0:
			res.lost++
		case c > 1:
			res.duplicates += c - 1
		}
	}
	return nil
}

func statsOf(d []time.Duration) stats {
	p50, p99, mx := percentiles(d)
	return stats{p50, p99, mx}
}

// percentiles returns the nearest-rank p50, p99 and max.
func percentiles(d []time.Duration) (p50, p99, mx time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	rank := func(p float64) time.Duration {
		i := int(float64(len(d))*p+0.999999) - 1
		return d[max(0, min(i, len(d)-1))]
	}
	return rank(0.50), rank(0.99), d[len(d)-1]
}

// parallel runs fn(0..n-1) on workers goroutines; it stops at the first error.
func parallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for !failed.Load() && ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU returns the busy and total jiffies of all CPUs, from /proc/stat.
func machineCPU() (busy, total float64) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:min(len(f), 9)] { // guest time, after steal, is already counted in user time
		n, _ := strconv.ParseFloat(v, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// cpuByCommand sums the CPU time of every process by command name, from /proc/<pid>/stat.
func cpuByCommand() map[string]time.Duration {
	out := map[string]time.Duration{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range dirs {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		open, closing := strings.IndexByte(string(raw), '('), strings.LastIndexByte(string(raw), ')')
		if open < 0 || closing < open {
			continue
		}
		fields := strings.Fields(string(raw[closing+1:]))
		if len(fields) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		out[string(raw[open+1:closing])] += time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	}
	return out
}

// topCommands lists the n commands that used the most CPU between two readings.
func topCommands(before, after map[string]time.Duration, n int) string {
	type use struct {
		name string
		d    time.Duration
	}
	var all []use
	for name, d := range after {
		if d -= before[name]; d >= 100*time.Millisecond {
			all = append(all, use{name, d})
		}
	}
	slices.SortFunc(all, func(a, b use) int { return int(b.d - a.d) })
	var parts []string
	for _, u := range all[:min(n, len(all))] {
		parts = append(parts, fmt.Sprintf("%s %.1f s", u.name, u.d.Seconds()))
	}
	return strings.Join(parts, ", ")
}

func load1() float64 {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// resetPeakRSS resets VmHWM (Linux: writing 5 to clear_refs), so each phase reports its own peak.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM, the peak resident set size, from /proc/self/status.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// freshSchema creates schema bench_<random> and returns base with it as search_path, as
// internal/platform/db/dbtest does, and a function that drops it.
func freshSchema(ctx context.Context, base string, keep bool) (string, func(), error) {
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	schema := "bench_" + hex.EncodeToString(buf)
	admin, err := db.OpenPostgres(ctx, base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	drop := func() {
		if keep {
			fmt.Fprintln(os.Stderr, "keeping schema", schema)
			admin.Close()
			return
		}
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintln(os.Stderr, "dropping schema:", err)
		}
		admin.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func printResults(o options, rs []phaseResult) {
	fmt.Printf("\nWarta publishing benchmark: %d accounts on %d Mastodon contract servers, %d CPUs, %s, %s\n\n",
		o.accounts, o.servers, runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format(time.RFC3339))
	fmt.Println("| engine | phase | posts | setup (create + schedule) | throughput | lateness p50 | p99 | max | duplicates | lost | peak RSS | peak heap in use |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		fmt.Printf("| %s | %s | %d | %s + %s | %.0f posts/s | %s | %s | %s | %d | %d | %s | %s |\n",
			r.engine, r.phase, r.posts, ms(r.create), ms(r.schedule), r.throughput, ms(r.p50), ms(r.p99), ms(r.max),
			r.duplicates, r.lost, mib(r.rss), mib(r.heap))
	}
	fmt.Println("\nWhere the time goes (each from the due time; the last from the first attempt's start to the network's created_at):")
	fmt.Println()
	fmt.Println("| engine | phase | dispatched p50 / p99 / max | attempt started p50 / p99 / max | network call p50 / p99 / max | first due → last post | not published | retried | River job retries | slack before first due |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %d | %d | %d | %s |\n", r.engine, r.phase, st(r.dispatch), st(r.claim), st(r.network),
			ms(r.elapsed), r.notPublished, r.retried, r.jobRetry, ms(r.slack))
	}
}

func printMachine(rs []phaseResult) {
	fmt.Println("\nThe machine during each phase (first due time to last post):")
	fmt.Println()
	fmt.Println("| engine | phase | wall | this process CPU | all CPUs busy | load (1 min) at end | write pool all in use | mean in use | waits for it | total wait | closed as surplus idle |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		fmt.Printf("| %s | %s | %s | %s (%.0f%% of one CPU) | %.0f%% | %.1f | %.0f%% | %.1f | %d | %s | %d |\n", r.engine, r.phase, ms(r.wall), ms(r.procCPU),
			100*r.procCPU.Seconds()/max(r.wall.Seconds(), 1e-9), 100*r.machineBusy, r.load1, 100*r.poolFull, r.poolInUse, r.poolWaits, ms(r.poolWait),
			r.poolIdleClosed)
	}
	fmt.Println()
	for _, r := range rs {
		fmt.Printf("CPU by command during %s/%s: %s\n", r.engine, r.phase, r.byCommand)
	}
}

func st(s stats) string { return ms(s.p50) + " / " + ms(s.p99) + " / " + ms(s.max) }
