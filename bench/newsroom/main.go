// Command newsroom is the newsroom benchmark (issue 6): a Warta holding N published releases
// (10,000 by default, each approved through the release service and copied to the newsroom by
// its sync) serves its public newsroom from one process while the load generator (bench/load)
// requests a release page and the home page from another, over loopback. It prints one Markdown
// table row per page: requests per second, latency p50/p99 and the serving process's memory.
//
//	go run ./bench/newsroom -engine sqlite
//	go run ./bench/newsroom -engine postgres -database-url postgres://postgres@127.0.0.1:5432/test
//
// Targets (reported, not asserted): at least 5,000 requests/s with p99 under 20 ms for a cached
// page at 100 connections. Without -rate the load is as fast as answered (the most it serves);
// -rate 5000 offers the target's rate on a fixed schedule and gives the latency at that rate.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
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
	"warta.dev/warta/internal/press/release"
)

func main() {
	engine := flag.String("engine", "sqlite", "sqlite or postgres")
	databaseURL := flag.String("database-url", "", "PostgreSQL URL (engine postgres); its schema is reset")
	n := flag.Int("n", 10000, "published releases")
	conns := flag.Int("c", 100, "concurrent connections")
	duration := flag.String("d", "15s", "load duration per page")
	rate := flag.String("rate", "0", "requests per second offered on a fixed schedule (0: as fast as answered); see bench/load")
	dir := flag.String("dir", "", "data folder (default: a new temporary one)")
	serve := flag.String("serve", "", "internal: serve the data folder on this address")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the seeding (or, with -serve, of the serving) to this file")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *serve != "" {
		if err := serveOnly(*dir, *databaseURL, *serve, log); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(*engine, *databaseURL, *dir, *n, *conns, *duration, *rate, *cpuProfile, log); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func configFor(dir, databaseURL, addr string) (*config.Config, error) {
	cfg, err := config.Default()
	if err != nil {
		return nil, err
	}
	cfg.DataDir, cfg.DatabaseURL, cfg.Addr, cfg.BaseURL = dir, databaseURL, addr, "http://"+addr
	cfg.SMTPHost = ""
	return cfg, nil
}

func run(engine, databaseURL, dir string, n, conns int, duration, rate, profile string, log *slog.Logger) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "warta-newsroom-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	if engine == "postgres" {
		if databaseURL == "" {
			return fmt.Errorf("-engine postgres needs -database-url")
		}
		if err := resetPostgres(databaseURL); err != nil {
			return err
		}
	} else {
		databaseURL = ""
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	// A folder seeded by an earlier run (-dir) is used as it is: seeding takes minutes.
	var seeded struct {
		Slug  string
		First int64
		N     int
	}
	if b, err := os.ReadFile(filepath.Join(dir, "bench.json")); err == nil && json.Unmarshal(b, &seeded) == nil && seeded.N == n && engine == "sqlite" {
		fmt.Fprintf(os.Stderr, "using the %d releases seeded in %s\n", n, dir)
	} else {
		if seeded.Slug, seeded.First, err = seed(dir, databaseURL, addr, n, log); err != nil {
			return err
		}
		seeded.N = n
		b, _ := json.Marshal(seeded)
		if err := os.WriteFile(filepath.Join(dir, "bench.json"), b, 0o600); err != nil {
			return err
		}
	}
	slug, first := seeded.Slug, seeded.First
	// The server runs in a process of its own, so its memory is the serving's alone.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-serve", addr, "-dir", dir, "-database-url", databaseURL}
	if profile != "" {
		args = append(args, "-cpuprofile", profile+".serve")
	}
	srv := exec.Command(self, args...)
	srv.Stderr = os.Stderr
	out, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Signal(syscall.SIGTERM); _ = srv.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || !strings.HasPrefix(line, "ready") {
		return fmt.Errorf("server did not start: %q %v", line, err)
	}
	base := "http://" + addr + "/newsroom/" + slug
	fmt.Printf("| engine | page | releases | connections | requests/s | p50 | p99 | server RSS peak |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range []struct{ name, url string }{{"release page", fmt.Sprintf("%s/releases/%d", base, first)}, {"home page", base + "/"}} {
		cmd := exec.Command("go", "run", "./bench/load", "-url", p.url, "-c", strconv.Itoa(conns), "-d", duration, "-warmup", "3s", "-rate", rate,
			"-pid", strconv.Itoa(srv.Process.Pid), "-json", "-header", "User-Agent: warta-bench (Mozilla/5.0)")
		cmd.Stderr = os.Stderr
		res, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("load on %s: %w", p.name, err)
		}
		var r struct {
			RPS    float64        `json:"requests_per_s"`
			P50    float64        `json:"p50_ms"`
			P99    float64        `json:"p99_ms"`
			Peak   int64          `json:"peak_rss_kb"`
			Status map[string]int `json:"status"`
			Errors int            `json:"errors"`
		}
		if err := json.Unmarshal(res, &r); err != nil {
			return fmt.Errorf("load output %q: %w", res, err)
		}
		if r.Errors > 0 || r.Status["200"] == 0 {
			return fmt.Errorf("%s: errors %d, statuses %v", p.name, r.Errors, r.Status)
		}
		fmt.Printf("| %s | %s | %d | %d | %.0f | %.2f ms | %.2f ms | %.0f MB |\n", engine, p.name, n, conns, r.RPS, r.P50, r.P99, float64(r.Peak)/1024)
	}
	return nil
}

// seed makes a workspace with n releases, each written, submitted (the workspace needs no
// approval, so submitted is ready) and copied to the newsroom, as an office that published
// them over the years would have them.
func seed(dir, databaseURL, addr string, n int, log *slog.Logger) (string, int64, error) {
	ctx := context.Background()
	cfg, err := configFor(dir, databaseURL, addr)
	if err != nil {
		return "", 0, err
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return "", 0, err
	}
	defer a.Close()
	user, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "humas@sukamaju.example", Name: "Humas",
		Password: "bench-password-2026", Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		return "", 0, err
	}
	actor := audit.Actor{UserID: user.ID, Label: "bench"}
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	started := time.Now()
	var first int64
	// Published over the years: release i lifted i×6 hours ago, so only the last week's are new
	// enough to be mailed to subscribers (there are none here).
	now := time.Now().UTC().Truncate(time.Minute)
	body := strings.Repeat("Pemerintah Kota Sukamaju menyampaikan perkembangan program layanan publik kepada warga. ", 40)
	for i := range n {
		lift := now.Add(-time.Duration(n-i) * 6 * time.Hour)
		rl, err := a.Releases.Create(ctx, actor, ws.ID, release.Input{Lang: "id", Headline: fmt.Sprintf("Siaran pers %d: layanan publik Kota Sukamaju", i+1),
			Subheadline: "Perkembangan program untuk warga", DatelineCity: "Sukamaju", DatelineDate: lift.In(jakarta).Format(time.DateOnly), Body: body,
			Boilerplate: "Tentang Pemerintah Kota Sukamaju.", ContactName: "Rina Wulandari", ContactPhone: "+62 812-3456-7890",
			Embargo: &lift, Zone: "Asia/Jakarta"}, jakarta)
		if err != nil {
			return "", 0, err
		}
		if err := a.Releases.Submit(ctx, actor, ws.ID, rl.ID); err != nil {
			return "", 0, err
		}
		if first == 0 {
			first = rl.ID
		}
		if (i+1)%1000 == 0 {
			fmt.Fprintf(os.Stderr, "seeded %d releases in %s\n", i+1, time.Since(started).Round(time.Second))
		}
	}
	if err := a.Newsroom.SyncChanged(ctx); err != nil {
		return "", 0, err
	}
	public, _, err := a.Newsroom.Count(ctx, ws.ID)
	if err != nil || public != n {
		return "", 0, fmt.Errorf("%d of %d releases public after the sync (%v)", public, n, err)
	}
	fmt.Fprintf(os.Stderr, "%d releases public on the newsroom after %s\n", public, time.Since(started).Round(time.Second))
	return ws.Slug, first, nil
}

// serveOnly serves the data folder until SIGTERM, saying "ready" on stdout once it listens.
func serveOnly(dir, databaseURL, addr string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	cfg, err := configFor(dir, databaseURL, addr)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	return a.Serve(ctx, ln)
}

// resetPostgres empties the benchmark's database, so every run starts from the same state.
func resetPostgres(url string) error {
	cmd := exec.Command("psql", url, "-q", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
	cmd.Stderr = os.Stderr
	return cmd.Run()
}
