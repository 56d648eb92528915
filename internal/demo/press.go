package demo

import (
	"bytes"
	"context"
	_ "embed"
	"strings"
	"time"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/release"
	"warta.dev/warta/internal/press/tabular"
)

// journalists is the city's media list, as an officer would keep it in a spreadsheet; the same
// file is what a newcomer can try the import with.
//
//go:embed data/jurnalis.csv
var journalists []byte

// loadPress gives the city office its journalists (in one list), a segment of health reporters
// in East Java, and a press release under embargo with its English version, waiting for approval.
func loadPress(ctx context.Context, a *app.App, actor audit.Actor, wsID int64, zone *time.Location) error {
	t, err := tabular.Read(bytes.NewReader(journalists), "jurnalis.csv", tabular.Options{})
	if err != nil {
		return err
	}
	fields := tabular.Guess(t.Header)
	rows := make([]press.ImportRow, 0, len(t.Rows))
	for _, r := range t.Rows {
		var in press.ContactInput
		for i, v := range r {
			if i >= len(fields) {
				break
			}
			switch fields[i] {
			case "name":
				in.Name = v
			case "salutation":
				in.Salutation = v
			case "outlet":
				in.Outlets = []press.OutletRole{{Outlet: v}}
			case "role":
				if len(in.Outlets) > 0 {
					in.Outlets[0].Role = v
				}
			case "beats":
				in.Beats = split(v)
			case "province":
				in.Province = v
			case "city":
				in.City = v
			case "languages":
				in.Languages = split(v)
			case "email":
				in.Emails = []string{v}
			case "mobile":
				in.Phones = []string{v}
			case "whatsapp":
				in.WhatsApp = v
			}
		}
		in.Country = "ID"
		if in.City == "Singapore" {
			in.Country = "SG"
		}
		in.Consent = press.Consent{Status: "granted", Basis: "legitimate_interest", Source: "daftar media Humas 2026", At: time.Now().UTC()}
		rows = append(rows, press.ImportRow{Input: in})
	}
	if err := a.DB.Tx(ctx, func(tx *db.Tx) error {
		list, err := a.Press.CreateList(ctx, tx, actor, wsID, "Media lokal dan nasional")
		if err != nil {
			return err
		}
		_, err = a.Press.ApplyImport(ctx, tx, actor, wsID, rows, list, "daftar media Humas 2026")
		return err
	}); err != nil {
		return err
	}
	if _, err := a.Press.SaveSegment(ctx, actor, wsID, 0, "Jurnalis kesehatan Jawa Timur", []press.Condition{
		{Field: "beat", Values: []string{"kesehatan"}}, {Field: "province", Values: []string{"Jawa Timur"}}}); err != nil {
		return err
	}
	lift := time.Now().In(zone).AddDate(0, 0, 6)
	lift = time.Date(lift.Year(), lift.Month(), lift.Day(), 10, 0, 0, 0, zone)
	r, err := a.Releases.Create(ctx, actor, wsID, release.Input{Lang: "id",
		Headline:     "Pemkot Sukamaju buka layanan cek kesehatan gratis di 30 puskesmas",
		Subheadline:  "Semua warga ber-KTP Sukamaju dapat memeriksakan tekanan darah, gula darah dan kolesterol tanpa biaya",
		DatelineCity: "Sukamaju", DatelineDate: lift.Format(time.DateOnly),
		Body: "Pemerintah Kota Sukamaju membuka layanan cek kesehatan gratis di 30 puskesmas mulai pekan depan. " +
			"Layanan ini terbuka untuk semua warga yang memiliki KTP Sukamaju, tanpa perlu mendaftar lebih dulu.\n\n" +
			"\"Kami ingin warga mengenali risiko penyakit sejak dini, sebelum menjadi mahal untuk diobati,\" kata Kepala Dinas Kesehatan Kota Sukamaju, dr. Maya Anggraini, M.Kes.\n\n" +
			"Jadwal lengkap per puskesmas tersedia di https://sukamaju.example/cek-kesehatan.",
		Boilerplate: releaseBoilerplateID,
		ContactName: "Rina Wulandari", ContactRole: "Kepala Bagian Humas", ContactPhone: "+62 812-3456-7890", ContactEmail: AdminEmail,
		Embargo: &lift, Zone: zone.String()}, zone)
	if err != nil {
		return err
	}
	en, err := a.Releases.Translate(ctx, actor, wsID, r.ID)
	if err != nil {
		return err
	}
	if _, err := a.Releases.Update(ctx, actor, wsID, en.ID, release.Input{Number: en.Number,
		Headline:     "Sukamaju opens free health checks at 30 community health centres",
		Subheadline:  "Every resident with a Sukamaju ID card can have blood pressure, blood sugar and cholesterol checked at no cost",
		DatelineCity: "Sukamaju", DatelineDate: en.DatelineDate,
		Body: "The City of Sukamaju opens free health checks at 30 community health centres from next week. " +
			"Every resident with a Sukamaju ID card can come without registering first.\n\n" +
			"\"We want residents to know their risks early, before treatment becomes expensive,\" said Maya Anggraini, head of the city's health office.\n\n" +
			"The schedule of each centre is at https://sukamaju.example/cek-kesehatan.",
		Boilerplate: releaseBoilerplateEN,
		ContactName: en.ContactName, ContactRole: "Head of Public Relations", ContactPhone: en.ContactPhone, ContactEmail: en.ContactEmail,
		Embargo: en.Embargo, Zone: en.Zone, BaseVersion: en.Version}); err != nil {
		return err
	}
	if err := a.Releases.Submit(ctx, actor, wsID, en.ID); err != nil {
		return err
	}
	return a.Releases.Submit(ctx, actor, wsID, r.ID)
}

func split(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
