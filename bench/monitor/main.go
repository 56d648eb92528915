// Command monitor is the media monitoring benchmark (issue 7): 1,000 RSS feeds of 50 generated
// news items each (internal/monitor/corpus, Indonesian and English) are served on loopback by a
// child process, and a monitoring service built as the app builds it polls them all from cold,
// once, with 200 topics. It reports the time until every feed is stored and matched, items per
// second, mentions, duplicates, the monitoring process's peak memory (the feed server's is apart)
// and CPU time, and the topic matcher's own rate over the stored items, as a table and as JSON.
//
//	go run ./bench/monitor -engine sqlite
//	go run ./bench/monitor -engine postgres -database-url 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// See README.md for what each figure means. Targets (reported, not asserted): every feed ingested
// and matched within 60 s, matching at least 20,000 items/s, peak memory under 150 MB.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/monitor"
	"warta.dev/warta/internal/monitor/corpus"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/netsafe"
)

type options struct {
	engine      string
	databaseURL string
	feeds       int
	items       int
	ports       int
	seed        int64
	gap         time.Duration
	serve       bool
	feedsFrom   string
	cpuProfile  string
	jsonOnly    bool
	logLevel    string
	timeout     time.Duration
	keep        bool
}

func main() {
	var o options
	defaultURL := os.Getenv("WARTA_TEST_DATABASE_URL")
	if defaultURL == "" {
		defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	flag.StringVar(&o.engine, "engine", "sqlite", "database engine: sqlite or postgres")
	flag.StringVar(&o.databaseURL, "database-url", defaultURL, "PostgreSQL URL (engine postgres); a schema bench_<random> is made and dropped")
	flag.IntVar(&o.feeds, "feeds", 1000, "feeds served")
	flag.IntVar(&o.items, "items", 50, "items per feed")
	flag.IntVar(&o.ports, "ports", 100, "loopback ports the feeds are spread over (each a host to the fetcher's politeness)")
	flag.Int64Var(&o.seed, "seed", 1, "corpus seed")
	flag.DurationVar(&o.gap, "gap", -1, "least pause between two requests to one host (fetch.Options.Gap): negative for none, 0 for the default, 1s")
	flag.BoolVar(&o.serve, "serve", false, "only serve the feeds: print their URLs as JSON on one line, answer each line on stdin with the requests served")
	flag.StringVar(&o.feedsFrom, "feeds-from", "", "poll the feeds listed in this file (one URL a line, or -serve's JSON) instead of starting a server")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the ingestion to this file")
	flag.BoolVar(&o.jsonOnly, "json", false, "print only the JSON summary")
	flag.StringVar(&o.logLevel, "log", "warn", "Warta's log level")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up the ingestion after this long")
	flag.BoolVar(&o.keep, "keep", false, "keep the SQLite folder or the PostgreSQL schema afterwards")
	flag.Parse()
	var err error
	if o.serve {
		err = serve(o)
	} else {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "monitor bench:", err)
		os.Exit(1)
	}
}

// served is what -serve prints first.
type served struct {
	URLs []string `json:"urls"`
}

// serve serves the corpus's feeds until SIGTERM or SIGINT.
func serve(o options) error {
	srv, err := corpus.Serve(o.feeds, o.items, o.ports, o.seed)
	if err != nil {
		return err
	}
	defer srv.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	b, _ := json.Marshal(served{URLs: srv.URLs()})
	fmt.Printf("%s\n", b)
	// Stdin ending (as it does when started in the background) does not stop the server.
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			fmt.Println(srv.Requests())
		}
	}()
	<-ctx.Done()
	return nil
}

// feedServer is the -serve child process, seen from the benchmark.
type feedServer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startFeedServer(o options) (*feedServer, []string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(self, "-serve", "-feeds", strconv.Itoa(o.feeds), "-items", strconv.Itoa(o.items),
		"-ports", strconv.Itoa(o.ports), "-seed", strconv.FormatInt(o.seed, 10))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // not left behind if the benchmark dies
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	s := &feedServer{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	s.out.Buffer(nil, 64<<20)
	var first served
	if !s.out.Scan() || json.Unmarshal(s.out.Bytes(), &first) != nil {
		s.stop()
		return nil, nil, fmt.Errorf("the feed server did not start: %q", s.out.Text())
	}
	return s, first.URLs, nil
}

func (s *feedServer) requests() int64 {
	fmt.Fprintln(s.in, "requests")
	if !s.out.Scan() {
		return -1
	}
	n, _ := strconv.ParseInt(s.out.Text(), 10, 64)
	return n
}

func (s *feedServer) stop() {
	_ = s.in.Close()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

// readFeeds reads -feeds-from: -serve's JSON, or one URL a line.
func readFeeds(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if text := strings.TrimSpace(string(b)); strings.HasPrefix(text, "{") {
		var s served
		err := json.Unmarshal([]byte(strings.SplitN(text, "\n", 2)[0]), &s)
		return s.URLs, err
	}
	var urls []string
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			urls = append(urls, line)
		}
	}
	return urls, nil
}

// Result is the JSON summary.
type Result struct {
	Engine        string  `json:"engine"`
	Feeds         int     `json:"feeds"`
	ItemsPerFeed  int     `json:"items_per_feed,omitempty"`
	Hosts         int     `json:"hosts"`
	Gap           string  `json:"politeness_gap"`
	Workers       int     `json:"fetch_workers"`
	Topics        int     `json:"topics"`
	CPUs          int     `json:"cpus"`
	IngestSeconds float64 `json:"ingest_s"`
	Passes        int     `json:"poll_passes"`
	SourcesOK     int     `json:"sources_ok"`
	SourcesFailed int     `json:"sources_failed"`
	Requests      int64   `json:"requests_served,omitempty"`
	Items         int     `json:"items"`
	ItemsPerSec   float64 `json:"items_per_s"`
	Mentions      int     `json:"mentions"`
	ItemsMatched  int     `json:"items_matched"`
	MatchedShare  float64 `json:"matched_share"`
	Duplicates    int     `json:"duplicates"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	SetupRSSMB    float64 `json:"setup_peak_rss_mb"`
	PeakAnonMB    float64 `json:"peak_rss_anon_mb"`
	PeakHeapMB    float64 `json:"peak_heap_inuse_mb"`
	HeapSysMB     float64 `json:"heap_sys_mb"`
	CPUSeconds    float64 `json:"cpu_s"`
	ServerCPU     float64 `json:"server_cpu_s,omitempty"`
	ServerRSSMB   float64 `json:"server_peak_rss_mb,omitempty"`
	MachineBusy   float64 `json:"machine_busy"`
	LoadBefore    string  `json:"load_before"`
	DBCPU         float64 `json:"postgres_cpu_s,omitempty"`
	Matcher       struct {
		Items          int     `json:"items"`
		MB             float64 `json:"text_mb"`
		Matches        int     `json:"matches"`
		FirstSeconds   float64 `json:"first_pass_s"`
		FirstPerSec    float64 `json:"first_pass_items_per_s"`
		SecondSeconds  float64 `json:"second_pass_s"`
		SecondPerSec   float64 `json:"second_pass_items_per_s"`
		AgreesMentions bool    `json:"agrees_with_mentions"`
	} `json:"matcher"`
	Targets struct {
		Within60s      bool `json:"ingested_within_60s"`
		Matching20k    bool `json:"matcher_20000_items_per_s"`
		EndToEnd20k    bool `json:"end_to_end_20000_items_per_s"`
		MemoryUnder150 bool `json:"peak_rss_under_150mb"`
	} `json:"targets"`
}

func run(o options) error {
	// Interrupted, the run still removes its database (cleanup uses a context of its own).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	progress := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

	// The feeds first: generating 50,000 stories takes the server a few seconds.
	var urls []string
	var srv *feedServer
	if o.feedsFrom != "" {
		var err error
		if urls, err = readFeeds(o.feedsFrom); err != nil {
			return err
		}
		o.items = 0
	} else {
		var err error
		if srv, urls, err = startFeedServer(o); err != nil {
			return err
		}
		defer srv.stop()
	}
	if len(urls) == 0 {
		return errors.New("no feeds to poll")
	}
	hosts := map[string]bool{}
	for _, u := range urls {
		if p, err := url.Parse(u); err == nil {
			hosts[p.Host] = true
		}
	}

	d, cleanup, err := openDatabase(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	if _, err := d.Migrate(ctx, app.Migrations()); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return err
	}

	// The monitoring service as internal/app builds it, less the neighbours polling feeds does
	// not use. The job queue is not started: a new topic's backfill job is only inserted.
	const baseURL = "http://127.0.0.1:8080"
	bundle, err := i18n.NewBundle(app.Catalogs()...)
	if err != nil {
		return err
	}
	q, err := jobs.New(d, log)
	if err != nil {
		return err
	}
	users := auth.NewService(d, mail.New(d, q, nil, "Warta <warta@bench.example>"), bundle, baseURL, log)
	ua := netsafe.UserAgent(app.Version, baseURL)
	client := netsafe.New(netsafe.Options{Timeout: 30 * time.Second, MaxBytes: 10 << 20, UserAgent: ua, AllowPrivate: true})
	svc := monitor.New(monitor.Deps{DB: d, Fetcher: fetch.New(client, fetch.Options{Gap: o.gap, UserAgent: ua}),
		Queue: q, Bundle: bundle, Log: log, BaseURL: baseURL})
	svc.RegisterJobs(q)

	user, ws, err := users.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "pantau@agensi.example", Name: "Tim Pemantauan",
		Password: "pantau-media-2026", Role: access.Owner, Workspace: "Agensi Humas Nusantara", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		return err
	}
	actor := audit.Actor{UserID: user.ID, Label: user.Email}
	inputs, err := benchTopics()
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if _, err := svc.CreateTopic(ctx, actor, ws.ID, in); err != nil {
			return fmt.Errorf("topic %s (%s): %w", in.Name, in.Query, err)
		}
	}
	// Sources as AddSource stores them, minus its first fetch (that would not be cold), all due.
	now := time.Now().UTC()
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		for i, u := range urls {
			if _, err := tx.Exec(ctx, `INSERT INTO monitor_sources (workspace_id, kind, name, url, interval_s, next_poll_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ws.ID, string(fetch.Feed), fmt.Sprintf("Corpus feed %d", i), u, 900, now, now, now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	progress("%s: %d topics and %d sources on %d hosts; polling (politeness gap %s)", o.engine, len(inputs), len(urls), len(hosts), gapText(o.gap))

	// Workers is monitor's pollWorkers (unexported): sources fetched at once.
	res := Result{Engine: o.engine, Feeds: len(urls), ItemsPerFeed: o.items, Hosts: len(hosts), Gap: gapText(o.gap), Workers: 16,
		Topics: len(inputs), CPUs: runtime.NumCPU()}
	// What setup took (migrations above all) is handed back first, so the peak is the ingestion's.
	res.SetupRSSMB = mb(peakRSS("self"))
	debug.FreeOSMemory()
	resetPeakRSS()
	heap := sampleHeap()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	var serverCPU0 time.Duration
	if srv != nil {
		serverCPU0 = processCPUOf(srv.cmd.Process.Pid)
	}
	res.LoadBefore = loadAverage()
	var dbCPU0 time.Duration
	if d.Engine == db.Postgres {
		dbCPU0 = commandCPU("postgres")
	}
	busy0, cpu0, start := machineTicks(), processCPU(), time.Now()
	pctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	for {
		n, err := svc.PollDue(pctx)
		if err != nil {
			return fmt.Errorf("after %d passes: %w", res.Passes, err)
		}
		res.Passes++
		var waiting int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_sources WHERE last_success_at IS NULL`).Scan(&waiting); err != nil {
			return err
		}
		if waiting == 0 || n == 0 {
			break // all stored, or the rest failed and back off
		}
	}
	elapsed := time.Since(start)
	pprof.StopCPUProfile()
	res.CPUSeconds = (processCPU() - cpu0).Seconds()
	res.MachineBusy = machineTicks().busySince(busy0)
	if d.Engine == db.Postgres {
		res.DBCPU = (commandCPU("postgres") - dbCPU0).Seconds()
	}
	res.PeakRSSMB = mb(peakRSS("self"))
	res.PeakHeapMB, res.HeapSysMB, res.PeakAnonMB = heap.stop()
	res.IngestSeconds = elapsed.Seconds()
	if srv != nil {
		res.ServerCPU = (processCPUOf(srv.cmd.Process.Pid) - serverCPU0).Seconds()
		res.ServerRSSMB = mb(peakRSS(strconv.Itoa(srv.cmd.Process.Pid)))
		res.Requests = srv.requests()
	}

	if err := d.QueryRow(ctx, `SELECT COUNT(CASE WHEN last_success_at IS NOT NULL THEN 1 END), COUNT(CASE WHEN last_success_at IS NULL THEN 1 END)
		FROM monitor_sources`).Scan(&res.SourcesOK, &res.SourcesFailed); err != nil {
		return err
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*), COUNT(duplicate_of) FROM monitor_items`).Scan(&res.Items, &res.Duplicates); err != nil {
		return err
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT item_id) FROM monitor_mentions`).Scan(&res.Mentions, &res.ItemsMatched); err != nil {
		return err
	}
	if res.SourcesFailed > 0 {
		if err := reportFailures(ctx, d); err != nil {
			return err
		}
	}
	res.ItemsPerSec = float64(res.Items) / elapsed.Seconds()
	if res.Items > 0 {
		res.MatchedShare = float64(res.ItemsMatched) / float64(res.Items)
	}
	progress("ingested %d items from %d feeds in %.1f s; matching them again with the matcher alone", res.Items, res.SourcesOK, res.IngestSeconds)

	if err := matchAlone(ctx, d, svc, ws.ID, &res); err != nil {
		return err
	}
	res.Targets.Within60s = res.SourcesFailed == 0 && res.IngestSeconds <= 60
	res.Targets.Matching20k = res.Matcher.FirstPerSec >= 20000
	res.Targets.EndToEnd20k = res.ItemsPerSec >= 20000
	res.Targets.MemoryUnder150 = res.PeakRSSMB < 150

	if !o.jsonOnly {
		printTable(res)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	fmt.Printf("%s\n", b)
	return nil
}

// matchAlone times query.Matcher.Match over every stored item's text (as ingestion builds it:
// title, a line break, body or else summary) on one goroutine, with a matcher compiled afresh
// from the workspace's topics, twice: first seeing every word for the first time, then knowing
// them. Items are read a thousand at a time, outside the timing, so their text is never all in
// memory at once.
func matchAlone(ctx context.Context, d *db.DB, svc *monitor.Service, wsID int64, res *Result) error {
	topics, err := svc.Topics(ctx, wsID)
	if err != nil {
		return err
	}
	queries := map[int64]*query.Query{}
	for _, t := range topics {
		if queries[t.ID], err = query.Parse(t.Query); err != nil {
			return err
		}
	}
	m := query.NewMatcher(queries)
	for pass := 1; pass <= 2; pass++ {
		var took time.Duration
		var items, matches, size int
		after := int64(0)
		for {
			rows, err := d.Query(ctx, `SELECT id, title, summary, body FROM monitor_items WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT 1000`, wsID, after)
			if err != nil {
				return err
			}
			var texts []string
			for rows.Next() {
				var it monitor.Item
				if err := rows.Scan(&after, &it.Title, &it.Summary, &it.Body); err != nil {
					rows.Close()
					return err
				}
				texts = append(texts, it.Text())
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(texts) == 0 {
				break
			}
			t0 := time.Now()
			for _, t := range texts {
				matches += len(m.Match(t))
			}
			took += time.Since(t0)
			items += len(texts)
			for _, t := range texts {
				size += len(t)
			}
		}
		rate := float64(items) / took.Seconds()
		if pass == 1 {
			res.Matcher.Items, res.Matcher.Matches, res.Matcher.MB = items, matches, float64(size)/1e6
			res.Matcher.FirstSeconds, res.Matcher.FirstPerSec = took.Seconds(), rate
			res.Matcher.AgreesMentions = matches == res.Mentions
		} else {
			res.Matcher.SecondSeconds, res.Matcher.SecondPerSec = took.Seconds(), rate
		}
	}
	return nil
}

func printTable(r Result) {
	yes := func(ok bool) string { return map[bool]string{true: "met", false: "MISSED"}[ok] }
	fmt.Printf("| engine | feeds × items | hosts, gap | ingest (cold) | items stored | items/s end to end | mentions | items with a mention | duplicates | peak RSS | peak Go heap |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|\n")
	perFeed := "?" // -feeds-from: not known
	if r.ItemsPerFeed > 0 {
		perFeed = strconv.Itoa(r.ItemsPerFeed)
	}
	fmt.Printf("| %s | %d × %s | %d, %s | %.1f s | %d | %.0f | %d | %d (%.0f %%) | %d | %.0f MB | %.0f MB |\n\n",
		r.Engine, r.Feeds, perFeed, r.Hosts, r.Gap, r.IngestSeconds, r.Items, r.ItemsPerSec, r.Mentions, r.ItemsMatched,
		100*r.MatchedShare, r.Duplicates, r.PeakRSSMB, r.PeakHeapMB)
	fmt.Printf("| matcher alone (1 goroutine, %d topics) | items | first pass | second pass | matches (= mentions?) |\n|---|---|---|---|---|\n", r.Topics)
	fmt.Printf("| %s | %d (%.1f MB) | %.0f items/s | %.0f items/s | %d (%v) |\n\n", r.Engine, r.Matcher.Items, r.Matcher.MB,
		r.Matcher.FirstPerSec, r.Matcher.SecondPerSec, r.Matcher.Matches, r.Matcher.AgreesMentions)
	fmt.Printf("| CPU during ingestion: benchmark | feed server | PostgreSQL | all CPUs busy | load before |\n|---|---|---|---|---|\n")
	fmt.Printf("| %.1f s | %.1f s | %.1f s | %.0f %% of %d | %s |\n\n", r.CPUSeconds, r.ServerCPU, r.DBCPU, 100*r.MachineBusy, r.CPUs, r.LoadBefore)
	fmt.Printf("targets: every feed within 60 s %s; matching ≥ 20,000 items/s: matcher %s, end to end %s; peak RSS < 150 MB %s\n\n",
		yes(r.Targets.Within60s), yes(r.Targets.Matching20k), yes(r.Targets.EndToEnd20k), yes(r.Targets.MemoryUnder150))
}

// reportFailures prints why sources failed, by error.
func reportFailures(ctx context.Context, d *db.DB) error {
	rows, err := d.Query(ctx, `SELECT last_error_key, COUNT(*) FROM monitor_sources WHERE last_success_at IS NULL GROUP BY last_error_key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%d sources not stored: %q\n", n, key)
	}
	return rows.Err()
}

func gapText(gap time.Duration) string {
	switch {
	case gap < 0:
		return "none"
	case gap == 0:
		return fetch.DefaultGap.String()
	}
	return gap.String()
}

// openDatabase opens SQLite in a new temporary folder, or PostgreSQL in a new schema, as
// internal/platform/db/dbtest does; cleanup removes them unless -keep.
func openDatabase(ctx context.Context, o options) (*db.DB, func(), error) {
	switch o.engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "warta-bench-monitor-")
		if err != nil {
			return nil, nil, err
		}
		d, err := db.Open(ctx, "", dir)
		if err != nil {
			return nil, nil, err
		}
		return d, func() {
			d.Close()
			if o.keep {
				fmt.Fprintln(os.Stderr, "kept", dir)
				return
			}
			os.RemoveAll(dir)
		}, nil
	case "postgres":
		buf := make([]byte, 6)
		_, _ = rand.Read(buf)
		schema := "bench_" + hex.EncodeToString(buf)
		admin, err := db.OpenPostgres(ctx, o.databaseURL)
		if err != nil {
			return nil, nil, err
		}
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			return nil, nil, err
		}
		drop := func() {
			if o.keep {
				fmt.Fprintln(os.Stderr, "kept schema", schema)
			} else {
				_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			}
			admin.Close()
		}
		u, err := url.Parse(o.databaseURL)
		if err != nil {
			drop()
			return nil, nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		d, err := db.Open(ctx, u.String(), "")
		if err != nil {
			drop()
			return nil, nil, err
		}
		return d, func() { d.Close(); drop() }, nil
	}
	return nil, nil, fmt.Errorf("unknown engine %q", o.engine)
}

// heapSampler keeps the largest HeapInuse and RssAnon (the RSS less the binary's and libraries'
// pages) seen every 50 ms.
type heapSampler struct {
	done       chan struct{}
	wg         sync.WaitGroup
	peak, anon uint64
}

func sampleHeap() *heapSampler {
	h := &heapSampler{done: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.peak = max(h.peak, ms.HeapInuse)
			h.anon = max(h.anon, statusKB("self", "RssAnon:"))
			select {
			case <-t.C:
			case <-h.done:
				return
			}
		}
	}()
	return h
}

// stop returns the peak HeapInuse, the current HeapSys and the peak RssAnon, in MB.
func (h *heapSampler) stop() (peak, sys, anon float64) {
	close(h.done)
	h.wg.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return mb(max(h.peak, ms.HeapInuse)), mb(ms.HeapSys), mb(h.anon)
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPUOf reads another process's user and system time from /proc/<pid>/stat.
func processCPUOf(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	closing := strings.LastIndexByte(string(raw), ')')
	fields := strings.Fields(string(raw[closing+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// commandCPU adds up the CPU time of every process named command, with their exited children's:
// PostgreSQL's backends, when it runs on this machine (other clients' work included).
func commandCPU(command string) time.Duration {
	dirs, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, e := range dirs {
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		open, closing := strings.IndexByte(string(raw), '('), strings.LastIndexByte(string(raw), ')')
		if open < 0 || closing < open || string(raw[open+1:closing]) != command {
			continue
		}
		fields := strings.Fields(string(raw[closing+1:]))
		if len(fields) < 15 {
			continue
		}
		for _, f := range fields[11:15] { // utime, stime, cutime, cstime
			n, _ := strconv.ParseInt(f, 10, 64)
			total += time.Duration(n) * 10 * time.Millisecond
		}
	}
	return total
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute averages: how busy the machine was already.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// resetPeakRSS resets VmHWM (Linux: writing 5 to clear_refs), so the ingestion reports its own peak.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM, the peak resident set size, from /proc/<pid>/status.
func peakRSS(pid string) uint64 { return statusKB(pid, "VmHWM:") }

// statusKB reads one of the sizes in /proc/<pid>/status, in bytes.
func statusKB(pid, field string) uint64 {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// ticks are the machine's CPU time counters from /proc/stat: busy and all.
type ticks struct{ busy, all int64 }

func machineTicks() ticks {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return ticks{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var t ticks
	fields := strings.Fields(line)
	for i, f := range fields[1:min(9, len(fields))] { // guest time is already in user time
		n, _ := strconv.ParseInt(f, 10, 64)
		t.all += n
		if i != 3 && i != 4 { // idle and iowait
			t.busy += n
		}
	}
	return t
}

// busySince is the share of all CPUs' time spent busy since t0 (every process, PostgreSQL too).
func (t ticks) busySince(t0 ticks) float64 {
	if t.all == t0.all {
		return 0
	}
	return float64(t.busy-t0.busy) / float64(t.all-t0.all)
}
