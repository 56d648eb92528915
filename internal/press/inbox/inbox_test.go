package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/press/inbox"
	"warta.dev/warta/internal/press/inbox/dovecottest"
)

func config(s *dovecottest.Server) inbox.Config {
	return inbox.Config{Host: s.Host, Port: s.Port, TLS: "none", User: s.User, Password: s.Password}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// simple is a plain mail a journalist might send, numbered so paging can be checked.
func simple(n int) []byte {
	return fmt.Appendf(nil, "From: Wartawan %d <wartawan%d@media.example>\r\nTo: humas@surabaya.example.go.id\r\n"+
		"Subject: Pertanyaan %d\r\nDate: Tue, 4 Nov 2025 09:%02d:00 +0700\r\nMessage-ID: <q%d@media.example>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nPertanyaan nomor %d.\r\n", n, n, n, n, n, n)
}

func TestFetchReplyAndBounces(t *testing.T) {
	t.Parallel()
	srv := dovecottest.Start(t)
	srv.Deliver(t, testdata(t, "reply_id.eml"))
	srv.Deliver(t, testdata(t, "dsn_postfix_hard.eml"))
	srv.Deliver(t, testdata(t, "dsn_postfix_delayed.eml"))

	msgs, validity, err := inbox.Fetch(ctx(t), config(srv), 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if validity == 0 || len(msgs) != 3 {
		t.Fatalf("got %d messages, UIDVALIDITY %d", len(msgs), validity)
	}
	reply, hard, delayed := msgs[0], msgs[1], msgs[2]
	if !(reply.UID < hard.UID && hard.UID < delayed.UID) {
		t.Errorf("not oldest first: UIDs %d %d %d", reply.UID, hard.UID, delayed.UID)
	}

	if reply.InReplyTo != "rilis-12.r-481@surabaya.example.go.id" || reply.DSN != nil {
		t.Errorf("reply: In-Reply-To %q, DSN %+v", reply.InReplyTo, reply.DSN)
	}
	if !strings.HasPrefix(reply.Subject, "Re: Siaran Pers: Pemkot Surabaya Luncurkan “Sehat Keliling”") {
		t.Errorf("reply subject = %q", reply.Subject)
	}
	if !strings.HasPrefix(reply.Text, "Selamat siang Mbak Dewi,\n\nTerima kasih atas kiriman siaran persnya.") ||
		!strings.HasSuffix(reply.Text, "0812-3456-7890") {
		t.Errorf("reply text (quoted history should be gone):\n%s", reply.Text)
	}

	if hard.DSN == nil {
		t.Fatal("Postfix bounce not recognised")
	}
	if d := hard.DSN; !d.Hard || d.Status != "5.1.1" || d.Recipient != "budi.santoso@kompas.example" ||
		d.OriginalMessageID != "rilis-12.r-482@surabaya.example.go.id" || !strings.Contains(d.Diagnostic, "User unknown") {
		t.Errorf("hard bounce = %+v", d)
	}
	if d := delayed.DSN; d == nil || d.Hard || d.Status != "4.4.1" || d.Recipient != "redaksi@radarmadura.example" {
		t.Errorf("delayed DSN = %+v", d)
	}
}

func TestFetchPaging(t *testing.T) {
	t.Parallel()
	srv := dovecottest.Start(t)
	cfg := config(srv)
	for n := 1; n <= 3; n++ {
		srv.Deliver(t, simple(n))
	}
	first, v, err := inbox.Fetch(ctx(t), cfg, 0, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].Subject != "Pertanyaan 1" || first[1].Subject != "Pertanyaan 2" {
		t.Fatalf("first page: %v", subjects(first))
	}
	rest, v2, err := inbox.Fetch(ctx(t), cfg, first[1].UID, v, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v2 != v || len(rest) != 1 || rest[0].Subject != "Pertanyaan 3" {
		t.Fatalf("second page: %v (validity %d then %d)", subjects(rest), v, v2)
	}
	// Nothing new: the highest UID must not come back (IMAP's "n:*" includes it).
	none, _, err := inbox.Fetch(ctx(t), cfg, rest[0].UID, v, 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("after the last message: %v, %v", subjects(none), err)
	}
	srv.Deliver(t, simple(4))
	fresh, _, err := inbox.Fetch(ctx(t), cfg, rest[0].UID, v, 10)
	if err != nil || len(fresh) != 1 || fresh[0].Subject != "Pertanyaan 4" || fresh[0].From != "wartawan4@media.example" {
		t.Fatalf("new mail: %v, %v", subjects(fresh), err)
	}
}

func TestFetchUIDValidityChange(t *testing.T) {
	t.Parallel()
	srv := dovecottest.Start(t)
	cfg := config(srv)
	cfg.Mailbox = "Pantulan"
	srv.DeliverTo(t, cfg.Mailbox, simple(1))
	srv.DeliverTo(t, cfg.Mailbox, simple(2))
	old, v, err := inbox.Fetch(ctx(t), cfg, 0, 0, 10)
	if err != nil || len(old) != 2 {
		t.Fatalf("before: %v, %v", subjects(old), err)
	}

	srv.Recreate(t, cfg.Mailbox)
	srv.DeliverTo(t, cfg.Mailbox, simple(3))
	// The new message's UID is below the last one seen; only UIDVALIDITY tells that it is new.
	msgs, v2, err := inbox.Fetch(ctx(t), cfg, old[1].UID, v, 10)
	if err != nil {
		t.Fatal(err)
	}
	if v2 == v {
		t.Fatalf("UIDVALIDITY did not change (%d)", v)
	}
	if len(msgs) != 1 || msgs[0].Subject != "Pertanyaan 3" {
		t.Fatalf("after the mailbox was recreated: %v", subjects(msgs))
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	srv := dovecottest.Start(t)
	good := config(srv)
	if err := good.Check(ctx(t)); err != nil {
		t.Fatalf("Check with the right settings: %v", err)
	}

	wrongPassword := good
	wrongPassword.Password = "salah"
	missing := good
	missing.Mailbox = "TidakAda"
	implicitTLS := good
	implicitTLS.TLS = "tls"
	startTLS := good
	startTLS.TLS = "starttls" // this Dovecot has no TLS at all
	closed := good
	closed.Port = closedPort(t)
	for _, c := range []struct {
		name string
		cfg  inbox.Config
		want error
	}{
		{"wrong password", wrongPassword, inbox.ErrLogin},
		{"missing mailbox", missing, inbox.ErrMailbox},
		{"TLS to a plain port", implicitTLS, inbox.ErrTLS},
		{"STARTTLS not offered", startTLS, inbox.ErrTLS},
		{"nothing listening", closed, inbox.ErrConnect},
	} {
		err := c.cfg.Check(ctx(t))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, _, err := inbox.Fetch(ctx(t), missing, 0, 0, 10); !errors.Is(err, inbox.ErrMailbox) {
		t.Errorf("Fetch from a missing mailbox: %v", err)
	}
}

// A server that accepts and then says nothing must not hold the caller past its deadline.
func TestCheckTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cfg := inbox.Config{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, TLS: "none", User: "u", Password: "p"}
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = cfg.Check(c)
	if !errors.Is(err, inbox.ErrConnect) {
		t.Errorf("silent server: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Check took %v past a 300ms deadline", d)
	}
}

func TestPlainIMAPRefusedOutsidePrivateNetworks(t *testing.T) {
	cfg := inbox.Config{Host: "192.0.2.1", Port: 143, TLS: "none", User: "u", Password: "p"} // TEST-NET-1
	c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := cfg.Check(c); !errors.Is(err, inbox.ErrInsecure) {
		t.Fatalf("plain IMAP to a public address: %v", err)
	}
}

func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func subjects(msgs []inbox.Message) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, fmt.Sprintf("%d:%s", m.UID, m.Subject))
	}
	return s
}
