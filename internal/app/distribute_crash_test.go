package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail/smtptest"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/distribute"
	"warta.dev/warta/internal/press/release"
)

// A Warta sending a release to 20,000 journalists through 10 SMTP connections is killed with
// SIGKILL three times mid-way and restarted: afterwards nobody is in the server's mailbox twice,
// everyone is either there once or listed as uncertain, and the uncertain number no more than
// the connections times the kills.
func TestDistributionCrashNeitherLosesNorRepeats(t *testing.T) {
	const journalists, connections, kills = 20_000, 10, 3
	sink, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	t.Setenv(crashSMTPEnv, sink.Addr())
	dir := t.TempDir()
	ctx := context.Background()
	a, err := app.Open(ctx, crashConfig(dir), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Oka",
		Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Humas Kota", Lang: "id"})
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: u.ID, Label: u.Email}
	rows := make([]press.ImportRow, journalists)
	for i := range rows {
		rows[i] = press.ImportRow{Input: press.ContactInput{Name: fmt.Sprintf("Jurnalis %d", i), Languages: []string{"id"},
			Emails: []string{fmt.Sprintf("jurnalis%d@media.example", i)}}}
	}
	var list int64
	if err := a.DB.Tx(ctx, func(tx *db.Tx) error {
		if list, err = a.Press.CreateList(ctx, tx, actor, ws.ID, "Semua jurnalis"); err != nil {
			return err
		}
		_, err := a.Press.ApplyImport(ctx, tx, actor, ws.ID, rows, list, "test")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation("Asia/Jakarta")
	r, err := a.Releases.Create(ctx, actor, ws.ID, release.Input{Lang: "id", Headline: "Jembatan Sukamaju dibuka untuk umum",
		DatelineCity: "Sukamaju", DatelineDate: "2026-12-03", Body: "Jembatan baru dibuka Kamis pagi.", ContactName: "Rina",
		ContactEmail: "humas@sukamaju.example"}, zone)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Distribute.SaveSettings(ctx, actor, ws.ID, distribute.SettingsInput{Settings: distribute.Settings{FromName: "Humas Kota",
		FromEmail: "humas@sukamaju.example", SMTPTLS: distribute.TLSStartTLS, IMAPTLS: distribute.TLSImplicit, Connections: connections, TrackClicks: true}}); err != nil {
		t.Fatal(err)
	}
	d, err := a.Distribute.Create(ctx, actor, ws.ID, distribute.Input{Kind: distribute.KindRelease, ID: r.ID, Lists: []int64{list}}, false)
	if err != nil {
		t.Fatal(err)
	}

	run := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	for range kills {
		cmd := run()
		// Kill once sending is under way, at a random moment of it.
		before := sink.Count()
		for deadline := time.Now().Add(30 * time.Second); sink.Count() == before && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(100+rand.IntN(900)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("killed with %d messages in the mailbox", sink.Count())
	}
	cmd := run()
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for deadline := time.Now().Add(2 * time.Minute); ; {
		got, err := a.Distribute.Get(ctx, ws.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == distribute.Done {
			d = got
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not done after the crashes: %s %+v", got.State, got.Counts)
		}
		time.Sleep(200 * time.Millisecond)
	}

	inMailbox := map[string]int{}
	for _, m := range sink.Messages() {
		if strings.HasSuffix(m.To, "@media.example") {
			inMailbox[m.To]++
		}
	}
	for to, n := range inMailbox {
		if n > 1 {
			t.Errorf("%s got the release %d times", to, n)
		}
	}
	uncertain := 0
	var after int64
	for {
		page, err := a.Distribute.Recipients(ctx, ws.ID, d.ID, distribute.RecipientFilter{After: after, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, rc := range page {
			switch rc.State {
			case distribute.Sent:
				if inMailbox[rc.Email] != 1 {
					t.Errorf("%s is recorded as sent but is %d times in the mailbox", rc.Email, inMailbox[rc.Email])
				}
			case distribute.Uncertain:
				uncertain++
			default:
				t.Errorf("%s ended %s (%s)", rc.Email, rc.State, rc.Reason)
			}
			delete(inMailbox, rc.Email)
		}
		after = page[len(page)-1].ID
	}
	if len(inMailbox) > 0 {
		t.Errorf("%d addresses in the mailbox are not recipients", len(inMailbox))
	}
	if d.Counts.Total != journalists || d.Counts.Sent+d.Counts.Uncertain != journalists {
		t.Errorf("counts %+v", d.Counts)
	}
	if uncertain > connections*kills {
		t.Errorf("%d uncertain, more than %d connections × %d kills", uncertain, connections, kills)
	}
	t.Logf("%d sent, %d uncertain after %d kills", d.Counts.Sent, uncertain, kills)
}
