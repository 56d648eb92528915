// Command distribute is the distribution benchmark (issue 5): a whole Warta on SQLite or
// PostgreSQL sends a personalised release to N journalists (100,000 by default) through a local
// SMTP sink that accepts and discards, run as its own process. Every recipient is recorded before
// and after their SMTP transaction, as in production. It reports messages per second, the peak
// memory of the sending process during the send, and the CPU time of both processes, as a
// Markdown table row.
//
//	go run ./bench/distribute -engine sqlite
//	go run ./bench/distribute -engine postgres -database-url postgres://postgres@127.0.0.1:5432/test
//
// -lean-sink replaces the go-smtp server with a minimal sink (sink.go) that costs the machine less
// CPU, so that more of the two cores measure the sender.
//
// Targets (reported, not asserted): at least 7,500 messages/s with peak memory under 100 MB.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail/smtptest"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/distribute"
	"warta.dev/warta/internal/press/release"
)

type options struct {
	engine      string
	databaseURL string
	recipients  int
	connections int
	sink        bool
	lean        bool
	logLevel    string
	cpuProfile  string
}

func main() {
	var o options
	flag.StringVar(&o.engine, "engine", "sqlite", "database engine: sqlite or postgres")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("WARTA_TEST_DATABASE_URL"), "PostgreSQL URL (engine postgres); a schema bench_<random> is made and dropped")
	flag.IntVar(&o.recipients, "n", 100_000, "journalists the release goes to")
	flag.IntVar(&o.connections, "connections", 50, "SMTP connections")
	flag.BoolVar(&o.sink, "sink", false, "run as the SMTP sink (the benchmark starts itself this way)")
	flag.BoolVar(&o.lean, "lean-sink", false, "a minimal SMTP sink (accepts, discards, pipelines) instead of emersion/go-smtp's server")
	flag.StringVar(&o.logLevel, "log", "warn", "Warta's log level")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the send to this file")
	flag.Parse()
	var err error
	if o.sink {
		err = runSink(o.lean)
	} else {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "distribute:", err)
		os.Exit(1)
	}
}

// runSink serves SMTP on loopback, prints its port, and answers each line on stdin with the
// number of messages accepted so far.
func runSink(lean bool) error {
	var port int
	var count func() int64
	if lean {
		s, err := startLeanSink()
		if err != nil {
			return err
		}
		port, count = s.port(), s.count.Load
	} else {
		s, err := smtptest.Start(smtptest.Options{Discard: true})
		if err != nil {
			return err
		}
		defer s.Close()
		port, count = s.Port, s.Count
	}
	fmt.Println(port)
	signal.Ignore(syscall.SIGINT)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Println(count())
	}
	return nil
}

// sink is the sink process, seen from the benchmark.
type sink struct {
	cmd  *exec.Cmd
	port int
	in   io.WriteCloser
	out  *bufio.Scanner
}

func startSink(lean bool) (*sink, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-sink"}
	if lean {
		args = append(args, "-lean-sink")
	}
	cmd := exec.Command(self, args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &sink{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	if !s.out.Scan() {
		return nil, errors.New("the sink did not start")
	}
	s.port, err = strconv.Atoi(s.out.Text())
	return s, err
}

func (s *sink) count() int64 {
	fmt.Fprintln(s.in, "count")
	if !s.out.Scan() {
		return -1
	}
	n, _ := strconv.ParseInt(s.out.Text(), 10, 64)
	return n
}

func (s *sink) cpu() time.Duration { return processCPUOf(s.cmd.Process.Pid) }

func (s *sink) stop() {
	_ = s.in.Close()
	_ = s.cmd.Wait()
}

func run(o options) error {
	ctx := context.Background()
	var engine db.Dialect
	switch o.engine {
	case "sqlite":
		engine = db.SQLite
	case "postgres":
		engine = db.Postgres
	default:
		return fmt.Errorf("unknown engine %q", o.engine)
	}
	dir, err := os.MkdirTemp("", "warta-bench-distribute-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	databaseURL := ""
	if engine == db.Postgres {
		if o.databaseURL == "" {
			return errors.New("engine postgres needs -database-url or WARTA_TEST_DATABASE_URL")
		}
		u, drop, err := freshSchema(ctx, o.databaseURL)
		if err != nil {
			return err
		}
		defer drop()
		databaseURL = u
	}
	sk, err := startSink(o.lean)
	if err != nil {
		return err
	}
	defer sk.stop()

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
	cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPTLS = "127.0.0.1", sk.port, "none"
	cfg.MailFrom = "Humas Kota Sukamaju <humas@sukamaju.example>"
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
		Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Bench", Lang: "id"})
	if err != nil {
		return err
	}
	actor := audit.Actor{UserID: u.ID, Label: u.Email}

	// The journalists, imported as an import would, into one list.
	t0 := time.Now()
	var listID int64
	for start := 0; start < o.recipients; start += 5000 {
		rows := make([]press.ImportRow, 0, 5000)
		for i := start; i < min(start+5000, o.recipients); i++ {
			lang := "id"
			if i%5 == 0 {
				lang = "en"
			}
			rows = append(rows, press.ImportRow{Input: press.ContactInput{Name: fmt.Sprintf("Jurnalis Nomor %d", i), Salutation: []string{"Bapak", "Ibu", ""}[i%3],
				Emails: []string{fmt.Sprintf("jurnalis%d@media%d.example", i, i%97)}, Languages: []string{lang},
				Outlets: []press.OutletRole{{Outlet: fmt.Sprintf("Media %d", i%97), Role: "Reporter"}}, Beats: []string{"kesehatan"}}})
		}
		if err := a.DB.Tx(ctx, func(tx *db.Tx) error {
			if listID == 0 {
				if listID, err = a.Press.CreateList(ctx, tx, actor, ws.ID, "Jurnalis kesehatan"); err != nil {
					return err
				}
			}
			_, err := a.Press.ApplyImport(ctx, tx, actor, ws.ID, rows, listID, "bench")
			return err
		}); err != nil {
			return err
		}
	}
	zone, _ := time.LoadLocation("Asia/Jakarta")
	embargo := time.Date(2026, 12, 3, 10, 0, 0, 0, zone)
	r, err := a.Releases.Create(ctx, actor, ws.ID, release.Input{Lang: "id", Headline: "Pemkot Sukamaju buka layanan cek kesehatan gratis di 30 puskesmas",
		Subheadline: "Layanan berlaku untuk semua warga ber-KTP Sukamaju", DatelineCity: "Sukamaju", DatelineDate: "2026-12-03",
		Body: "Pemerintah Kota Sukamaju membuka layanan cek kesehatan gratis mulai Kamis. Jadwal lengkap ada di https://sukamaju.example/cek.\n\n" +
			"\"Kami ingin warga memeriksakan diri sejak dini,\" kata Kepala Dinas Kesehatan.",
		Boilerplate: "Tentang Pemkot Sukamaju: kota di pesisir utara dengan 1,2 juta penduduk.", ContactName: "Rina Kusuma",
		ContactRole: "Humas", ContactPhone: "+62 812-3456-7890", ContactEmail: "humas@sukamaju.example", Embargo: &embargo, Zone: "Asia/Jakarta"}, zone)
	if err != nil {
		return err
	}
	if _, err := a.Releases.Translate(ctx, actor, ws.ID, r.ID); err != nil {
		return err
	}
	if _, err := a.DB.Exec(ctx, `INSERT INTO press_sending (workspace_id, from_name, from_email, connections, track_clicks, updated_at)
		VALUES (?, 'Humas Kota Sukamaju', 'humas@sukamaju.example', ?, TRUE, ?)`, ws.ID, o.connections, time.Now().UTC()); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d journalists imported in %s; %d CPUs\n", o.engine, o.recipients, time.Since(t0).Round(time.Millisecond), runtime.NumCPU())

	runtime.GC()
	resetPeakRSS()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	cpu0, sinkCPU0 := processCPU(), sk.cpu()
	start := time.Now()
	d, err := a.Distribute.Create(ctx, actor, ws.ID, distribute.Input{Kind: distribute.KindRelease, ID: r.ID, Lists: []int64{listID}}, false)
	if err != nil {
		return err
	}
	// Polled cheaply (the state, not the counts), so the benchmark does not measure itself.
	var firstSent time.Time
	for {
		time.Sleep(100 * time.Millisecond)
		var state string
		var started bool
		if err := a.DB.QueryRow(ctx, `SELECT state, EXISTS (SELECT 1 FROM distribution_recipients WHERE distribution_id = ? AND state = 'sent')
			FROM distributions WHERE id = ?`, d.ID, d.ID).Scan(&state, &started); err != nil {
			return err
		}
		if firstSent.IsZero() && started {
			firstSent = time.Now()
		}
		if distribute.State(state) == distribute.Done {
			break
		}
		if time.Since(start) > 30*time.Minute {
			return errors.New("not done after 30 minutes")
		}
	}
	elapsed := time.Since(start)
	if d, err = a.Distribute.Get(ctx, ws.ID, d.ID); err != nil {
		return err
	}
	pprof.StopCPUProfile()
	cpu, sinkCPU, peak := processCPU()-cpu0, sk.cpu()-sinkCPU0, peakRSS()
	received := sk.count()
	fmt.Fprintf(os.Stderr, "sink received %d; sent %d, uncertain %d, failed %d, skipped %d\n", received, d.Counts.Sent, d.Counts.Uncertain, d.Counts.Failed, d.Counts.Skipped)
	fmt.Println("| engine | recipients | connections | total time | messages/s (whole) | messages/s (sending) | peak RSS | Warta CPU | sink CPU | received by the sink |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	sending := elapsed - firstSent.Sub(start)
	fmt.Printf("| %s | %d | %d | %.1f s | %.0f | %.0f | %.0f MB | %.1f s | %.1f s | %d |\n", o.engine, o.recipients, o.connections,
		elapsed.Seconds(), float64(d.Counts.Sent)/elapsed.Seconds(), float64(d.Counts.Sent)/sending.Seconds(), float64(peak)/(1<<20),
		cpu.Seconds(), sinkCPU.Seconds(), received)
	return nil
}

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

// resetPeakRSS resets VmHWM (Linux: writing 5 to clear_refs), so the send reports its own peak.
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

// freshSchema creates schema bench_<random> and returns base with it as search_path, and a
// function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
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
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}, nil
}
