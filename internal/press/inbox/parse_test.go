package inbox

import (
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func parseFile(t *testing.T, name string) Message {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return parse(raw)
}

func TestParseIndonesianReply(t *testing.T) {
	m := parseFile(t, "reply_id.eml")
	if m.DSN != nil {
		t.Errorf("a reply was taken for a bounce: %+v", m.DSN)
	}
	if m.InReplyTo != "rilis-12.r-481@surabaya.example.go.id" {
		t.Errorf("In-Reply-To = %q", m.InReplyTo)
	}
	if want := "Re: Siaran Pers: Pemkot Surabaya Luncurkan “Sehat Keliling” untuk 31 Kecamatan"; m.Subject != want {
		t.Errorf("Subject = %q, want %q", m.Subject, want)
	}
	if m.From != "rina.wulandari@jawapos.example" {
		t.Errorf("From = %q", m.From)
	}
	if want := time.Date(2025, 11, 3, 4, 41, 52, 0, time.UTC); !m.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", m.Date, want)
	}
	for _, want := range []string{"Selamat siang Mbak Dewi,", "layanan “Sehat Keliling” ini", "Rina Wulandari", "0812-3456-7890"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, quoted := range []string{"menulis:", "Nomor: 012/HUMAS", "SIARAN PERS", "Pada Sen"} {
		if strings.Contains(m.Text, quoted) {
			t.Errorf("quoted history %q left in the text:\n%s", quoted, m.Text)
		}
	}
}

func TestParseHTMLOnlyReply(t *testing.T) {
	m := parseFile(t, "reply_html_en.eml")
	want := "Dear Humas team,\n\nThanks — we’ll run the story on Thursday. Could you send two photos in high resolution?\n\nBest,\nMichael Tan\nThe Jakarta Post"
	if m.Text != want {
		t.Errorf("text =\n%s\nwant\n%s", m.Text, want)
	}
	if m.InReplyTo != "rilis-12-en.r-77@surabaya.example.go.id" || m.From != "michael.tan@thejakartapost.example" {
		t.Errorf("In-Reply-To %q From %q", m.InReplyTo, m.From)
	}
}

func TestParseWindows1252Reply(t *testing.T) {
	m := parseFile(t, "reply_cp1252.eml")
	if m.Subject != "RE: Siaran Pers – “Sehat Keliling”" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if !strings.Contains(m.Text, "tentang “Sehat Keliling” di halaman 3 edisi besok – terima kasih") {
		t.Errorf("text not decoded from windows-1252:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "Original Message") || strings.Contains(m.Text, "SIARAN PERS") {
		t.Errorf("Outlook history left in the text:\n%s", m.Text)
	}
	if m.InReplyTo != "rilis-12.r-490@surabaya.example.go.id" {
		t.Errorf("In-Reply-To without brackets read as %q", m.InReplyTo)
	}
}

func TestParseBounces(t *testing.T) {
	hard := parseFile(t, "dsn_postfix_hard.eml")
	if hard.DSN == nil {
		t.Fatal("Postfix bounce not recognised")
	}
	want := DSN{
		Recipient:         "budi.santoso@kompas.example",
		Action:            "failed",
		Status:            "5.1.1",
		Diagnostic:        "550 5.1.1 <budi.santoso@kompas.example>: Recipient address rejected: User unknown in virtual mailbox table",
		OriginalMessageID: "rilis-12.r-482@surabaya.example.go.id",
		Hard:              true,
	}
	if *hard.DSN != want {
		t.Errorf("DSN = %+v\nwant %+v", *hard.DSN, want)
	}

	delayed := parseFile(t, "dsn_postfix_delayed.eml")
	if delayed.DSN == nil || delayed.DSN.Hard || delayed.DSN.Status != "4.4.1" || delayed.DSN.Action != "delayed" {
		t.Errorf("delayed DSN = %+v", delayed.DSN)
	}

	gmail := parseFile(t, "dsn_nested_gmail.eml")
	if gmail.DSN == nil {
		t.Fatal("Gmail-style bounce (multipart/mixed with a delivery-status part) not recognised")
	}
	if !gmail.DSN.Hard || gmail.DSN.Recipient != "siti.aminah@tempo.example" ||
		gmail.DSN.OriginalMessageID != "pitch-5.c-33@surabaya.example.go.id" {
		t.Errorf("Gmail DSN = %+v", gmail.DSN)
	}
	if !strings.HasPrefix(gmail.Text, "Address not found") {
		t.Errorf("bounce text = %q", gmail.Text)
	}

	// A person forwarding a bounce in words is not a bounce: nothing would say which address failed.
	if fwd := parseFile(t, "forwarded_bounce_text.eml"); fwd.DSN != nil {
		t.Errorf("a plain mail with a bounce subject became a DSN: %+v", fwd.DSN)
	}
}

func TestTextCappedAt4KB(t *testing.T) {
	raw := "From: a@b.example\r\nSubject: panjang\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.Repeat("Liputan “Sehat Keliling” – ", 400)
	m := parse([]byte(raw))
	if len(m.Text) > 4096 || len(m.Text) < 4000 || !utf8.ValidString(m.Text) {
		t.Errorf("text is %d bytes (valid UTF-8: %v)", len(m.Text), utf8.ValidString(m.Text))
	}
}

func TestTrimQuoted(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Siap, kami hadir.\n\nOn Mon, 3 Nov 2025 at 10:00, Humas <h@x.id> wrote:\n> undangan", "Siap, kami hadir."},
		{"Baik.\n\nPada tanggal Sen, 3 Nov 2025 pukul 10.00 Humas <h@x.id> menulis:\n> undangan", "Baik."},
		{"Jawaban saya di bawah.\n> Pertanyaan 1?\nYa.\n> Pertanyaan 2?\nTidak.", "Jawaban saya di bawah.\nYa.\nTidak."},
		{"OK\r\n\r\n\r\n\r\nSalam\r\n", "OK\n\nSalam"},
		{"Noted.\n\nDari: Humas\nDikirim: Senin, 3 November 2025\nPerihal: Siaran pers", "Noted."},
	} {
		if got := trimQuoted(c.in); got != c.want {
			t.Errorf("trimQuoted(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseGmailHTMLWithoutPlainPart(t *testing.T) {
	raw := "From: Rina <rina@jawapos.example>\r\nSubject: Re: undangan\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n" +
		`<div dir="ltr">Siap, kami kirim <b>fotografer</b> dan&nbsp;reporter.<br>Salam,<br>Rina</div><br>` +
		`<div class="gmail_quote"><div class="gmail_attr">Pada Sen, 3 Nov 2025 pukul 10.00 Humas menulis:</div>` +
		`<blockquote class="gmail_quote">Undangan konferensi pers</blockquote></div>`
	if got, want := parse([]byte(raw)).Text, "Siap, kami kirim fotografer dan reporter.\nSalam,\nRina"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}
