package distribute

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"testing"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/press/inbox/dovecottest"
)

// Replies and delivery reports arrive in the reply mailbox (Dovecot, over IMAP): a reply is matched
// to its distribution and recipient and put on the contact's timeline; a delivery report about a
// message Warta sent bounces that recipient; a forged one, about a message Warta never sent,
// suppresses nobody.
func TestReplyMailbox(t *testing.T) {
	imap := dovecottest.Start(t)
	people := journalists(3)
	r := newRig(t, db.SQLite, newContacts(people...))
	ctx := context.Background()
	if err := r.s.SaveSettings(ctx, audit.Actor{Label: "test"}, r.ws, SettingsInput{Settings: Settings{FromName: "Humas Kota",
		FromEmail: "humas@sukamaju.example", ReplyTo: "balasan@sukamaju.example", SMTPTLS: TLSStartTLS, TrackClicks: true,
		IMAPHost: imap.Host, IMAPPort: imap.Port, IMAPTLS: TLSNone, IMAPUser: imap.User, IMAPMailbox: "INBOX"}, IMAPPassword: imap.Password}); err != nil {
		t.Fatal(err)
	}
	d := r.wait(t, r.send(t).ID, Done)
	sent := map[string]*mail.Message{}
	for _, m := range r.sink.Messages() {
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			t.Fatal(err)
		}
		sent[m.To] = msg
	}
	if got := sent[people[0].Email].Header.Get("Reply-To"); got != "balasan@sukamaju.example" {
		t.Errorf("Reply-To %q", got)
	}
	reply := fmt.Sprintf("From: %s <%s>\r\nTo: balasan@sukamaju.example\r\nSubject: Re: Cek kesehatan gratis\r\nMessage-ID: <balasan-1@media0.example>\r\n"+
		"In-Reply-To: %s\r\nDate: Thu, 03 Dec 2026 11:00:00 +0700\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Terima kasih, kami akan liput besok pagi.\r\n", people[0].Name, people[0].Email, sent[people[0].Email].Header.Get("Message-ID"))
	imap.Deliver(t, []byte(reply))
	dsn := func(to, original string) []byte {
		return []byte("From: MAILER-DAEMON@mx.media1.example\r\nTo: balasan@sukamaju.example\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
			"Message-ID: <dsn-" + to + ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n" +
			"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.media1.example\r\n\r\nFinal-Recipient: rfc822; " + to +
			"\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n" +
			"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: " + original + "\r\nSubject: Cek kesehatan gratis\r\n--b--\r\n")
	}
	imap.Deliver(t, dsn(people[1].Email, sent[people[1].Email].Header.Get("Message-ID")))
	// A report naming the third journalist but about a message that was never sent to them.
	imap.Deliver(t, dsn(people[2].Email, sent[people[1].Email].Header.Get("Message-ID")))

	res, err := r.s.ReadMailbox(ctx, r.ws)
	if err != nil {
		t.Fatal(err)
	}
	if res.Replies != 1 || res.Bounces != 2 {
		t.Errorf("read %+v", res)
	}
	replies, err := r.s.Replies(ctx, r.ws, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "kami akan liput besok pagi") || replies[0].Name != people[0].Name {
		t.Errorf("replies %+v", replies)
	}
	events := r.c.events[people[0].ContactID]
	if len(events) != 2 || events[1].Kind != "replied" {
		t.Errorf("the replying journalist's timeline: %+v", events)
	}
	if hard, ok := r.c.bounced[people[1].Email]; !ok || !hard {
		t.Errorf("the bounce was not told: %v", r.c.bounced)
	}
	if _, ok := r.c.bounced[people[2].Email]; ok {
		t.Error("a forged delivery report suppressed a journalist")
	}
	got, _ := r.s.Get(ctx, r.ws, d.ID)
	if got.Counts.Sent != 2 || got.Counts.Bounced != 1 || got.Counts.Replied != 1 {
		t.Errorf("counts %+v", got.Counts)
	}
	// Reading again finds nothing new and counts nothing twice.
	if res, err := r.s.ReadMailbox(ctx, r.ws); err != nil || res != (MailboxResult{}) {
		t.Errorf("second read: %+v %v", res, err)
	}
}
