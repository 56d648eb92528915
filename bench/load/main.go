// Command load is a small HTTP load generator for benchmarking Warta's pages from a second
// process on loopback, so that the server's CPU and memory are measured apart from the client's.
// Each of -c workers sends requests one after another on its own keep-alive connection, rotating
// over the -url values, for -warmup (not counted) and then -d. It reports throughput, exact
// latency percentiles, status codes, errors, bytes per response and, with -pid, the server's
// peak memory.
//
// Without -rate the workers send as fast as the server answers (closed loop): that measures the
// most the server can serve, and the latency then is mostly queueing behind the other
// connections. With -rate the workers together send that many requests per second on a fixed
// schedule (open loop, as wrk2 does), and each latency counts from when its request was due,
// so a slow answer that delays the next requests is charged to them too.
//
//	go run ./bench/load -url http://127.0.0.1:8080/ -c 100 -d 15s -pid $(pgrep -n warta)
//	go run ./bench/load -url http://127.0.0.1:8080/ -c 100 -rate 5000 -d 15s
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// tally is one worker's results; each worker owns its own so that recording needs no lock.
type tally struct {
	durations []time.Duration
	status    map[int]int
	errors    map[string]int
	bytes     int64
}

type report struct {
	URLs        []string       `json:"urls"`
	Connections int            `json:"connections"`
	Duration    float64        `json:"duration_s"`
	Requests    int            `json:"requests"`
	Rate        float64        `json:"offered_rate,omitempty"`
	RPS         float64        `json:"requests_per_s"`
	P50         float64        `json:"p50_ms"`
	P90         float64        `json:"p90_ms"`
	P99         float64        `json:"p99_ms"`
	Max         float64        `json:"max_ms"`
	Status      map[int]int    `json:"status"`
	Errors      int            `json:"errors"`
	ErrorKinds  map[string]int `json:"error_kinds,omitempty"`
	BytesPerRes float64        `json:"bytes_per_response"`
	PeakRSSKB   int64          `json:"peak_rss_kb,omitempty"`
	VmHWMKB     int64          `json:"vm_hwm_kb,omitempty"`
}

func main() {
	var urls, headers listFlag
	flag.Var(&urls, "url", "URL to request (repeatable; requests rotate over them)")
	conns := flag.Int("c", 100, "concurrent connections, one worker each")
	dur := flag.Duration("d", 15*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 3*time.Second, "warm-up before measuring (not counted)")
	pid := flag.Int("pid", 0, "server process id: sample its VmRSS every 200 ms and report the peak and VmHWM")
	flag.Var(&headers, "header", `request header "Name: value" (repeatable)`)
	rate := flag.Float64("rate", 0, "requests per second for all workers together, on a fixed schedule (0: as fast as answered)")
	asJSON := flag.Bool("json", false, "print one JSON object instead of text")
	flag.Parse()
	if err := run(urls, headers, *conns, *rate, *dur, *warmup, *pid, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(urls, headers []string, conns int, rate float64, dur, warmup time.Duration, pid int, asJSON bool) error {
	if len(urls) == 0 || conns < 1 || dur <= 0 || warmup < 0 || rate < 0 {
		return errors.New("need at least one -url, -c ≥ 1, -d > 0, -warmup ≥ 0 and -rate ≥ 0")
	}
	// With a rate, each worker's requests are due every interval, the workers spread evenly over it.
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(conns) / rate * float64(time.Second))
	}
	header := http.Header{}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("-header %q: want \"Name: value\"", h)
		}
		header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}

	client := &http.Client{
		Transport: &http.Transport{
			// MaxIdleConns too: its default of 100 would close idle connections beyond it when -c > 100.
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			// Bodies are counted as the server sends them; pass -header "Accept-Encoding: gzip" to
			// measure compressed pages (the Transport then leaves them compressed).
			DisableCompression: true,
		},
		// A redirect is the page's answer (e.g. to the sign-in page): count it, don't follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	start := time.Now()
	measureFrom := start.Add(warmup)
	// In-flight requests are cut off at the end: they belong to neither the results nor the errors.
	ctx, cancel := context.WithDeadline(context.Background(), measureFrom.Add(dur))
	defer cancel()

	rss := make(chan [2]int64, 1)
	if pid > 0 {
		go func() { rss <- sampleRSS(ctx, pid) }()
	}

	tallies := make([]*tally, conns)
	done := make(chan struct{})
	for w := range conns {
		t := &tally{status: map[int]int{}, errors: map[string]int{}}
		tallies[w] = t
		reqs, err := requests(ctx, urls, header)
		if err != nil {
			return err
		}
		go func() {
			defer func() { done <- struct{}{} }()
			// Workers start at different URLs so that every URL is under load at once.
			for i := w; ; i++ {
				t0 := time.Now()
				if interval > 0 {
					due := start.Add(interval*time.Duration(i-w) + interval*time.Duration(w)/time.Duration(conns))
					if wait := time.Until(due); wait > 0 {
						select {
						case <-time.After(wait):
						case <-ctx.Done():
							return
						}
					}
					t0 = due
				}
				n, code, err := fetch(client, reqs[i%len(reqs)])
				if ctx.Err() != nil {
					return
				}
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					t.errors[err.Error()]++
					continue
				}
				t.durations = append(t.durations, time.Since(t0))
				t.status[code]++
				t.bytes += n
			}
		}()
	}
	for range conns {
		<-done
	}

	r := report{URLs: urls, Connections: conns, Rate: rate, Duration: dur.Seconds(), Status: map[int]int{}, ErrorKinds: map[string]int{}}
	var all []time.Duration
	var bytes int64
	for _, t := range tallies {
		all = append(all, t.durations...)
		bytes += t.bytes
		for c, n := range t.status {
			r.Status[c] += n
		}
		for e, n := range t.errors {
			r.ErrorKinds[e] += n
			r.Errors += n
		}
	}
	slices.Sort(all)
	r.Requests = len(all)
	r.RPS = float64(len(all)) / dur.Seconds()
	if len(all) > 0 {
		r.P50, r.P90, r.P99 = ms(percentile(all, 50)), ms(percentile(all, 90)), ms(percentile(all, 99))
		r.Max = ms(all[len(all)-1])
		r.BytesPerRes = float64(bytes) / float64(len(all))
	}
	if pid > 0 {
		m := <-rss
		r.PeakRSSKB, r.VmHWMKB = m[0], m[1]
	}

	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	printText(r)
	return nil
}

// requests builds one request per URL for a worker to reuse: Client.Do allows reuse once the
// previous response's body is closed, and it keeps allocation out of the measured loop.
func requests(ctx context.Context, urls []string, header http.Header) ([]*http.Request, error) {
	reqs := make([]*http.Request, len(urls))
	for i, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header = header.Clone()
		// The Transport takes the Host header from req.Host only.
		if h := header.Get("Host"); h != "" {
			req.Host = h
		}
		reqs[i] = req
	}
	return reqs, nil
}

// fetch sends one request and reads the whole body, as a browser would, so that the latency
// covers rendering and sending the page and the connection can be reused.
func fetch(client *http.Client, req *http.Request) (int64, int, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return n, resp.StatusCode, err
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100 // ceil(n·p/100), the 1-based rank
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// sampleRSS reads the process's VmRSS every 200 ms until ctx ends (warm-up included, since the
// server is under the same load then) and returns its peak and the final VmHWM (the process's lifetime peak, which also catches spikes between samples), in kB.
func sampleRSS(ctx context.Context, pid int) [2]int64 {
	var peak int64
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if rss, _ := procStatus(pid); rss > peak {
			peak = rss
		}
		select {
		case <-ctx.Done():
			_, hwm := procStatus(pid)
			return [2]int64{peak, hwm}
		case <-tick.C:
		}
	}
}

// procStatus returns VmRSS and VmHWM in kB from /proc/PID/status (zero if unreadable).
func procStatus(pid int) (rss, hwm int64) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, _ := strings.Cut(s.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rss = kb
		case "VmHWM":
			hwm = kb
		}
	}
	return rss, hwm
}

func printText(r report) {
	fmt.Printf("urls         %s\n", strings.Join(r.URLs, " "))
	fmt.Printf("requests     %d in %gs with %d connections: %.1f/s\n", r.Requests, r.Duration, r.Connections, r.RPS)
	if r.Rate > 0 {
		fmt.Printf("offered      %.0f/s on a fixed schedule; latency counts from each request's due time\n", r.Rate)
	}
	fmt.Printf("latency      p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n", r.P50, r.P90, r.P99, r.Max)
	codes := make([]string, 0, len(r.Status))
	for _, c := range slices.Sorted(maps.Keys(r.Status)) {
		codes = append(codes, fmt.Sprintf("%d: %d", c, r.Status[c]))
	}
	fmt.Printf("status       %s\n", strings.Join(codes, "  "))
	fmt.Printf("errors       %d\n", r.Errors)
	for _, e := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
		fmt.Printf("             %d× %s\n", r.ErrorKinds[e], e)
	}
	fmt.Printf("bytes/resp   %.0f\n", r.BytesPerRes)
	if r.PeakRSSKB > 0 || r.VmHWMKB > 0 {
		fmt.Printf("server RSS   peak %.1f MiB (sampled)  VmHWM %.1f MiB\n", float64(r.PeakRSSKB)/1024, float64(r.VmHWMKB)/1024)
	}
}
