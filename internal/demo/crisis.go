package demo

import (
	"context"
	"regexp"
	"strings"
	"time"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/crisis"
	"warta.dev/warta/internal/crisis/playbook"
)

// loadCrisis keeps the city's crisis team ready (Rina, Budi and Dewi first, the head of the
// communications office on escalation, Dewi approving statements) and leaves the record of last
// week's drill: a data-leak exercise with its injects, acknowledgements, a decision, tasks, a
// holding statement approved and "published" (an exercise sends nothing), the stakeholder matrix,
// the Q&A bank and its review. Nothing real is paused or published by it.
func loadCrisis(ctx context.Context, a *app.App, owner audit.Actor, wsID int64) error {
	// The room's record names people as the team knows them.
	rina := audit.Actor{UserID: owner.UserID, Label: "Rina Wulandari"}
	people := map[string]*auth.User{}
	for _, email := range []string{"budi@sukamaju.example", "dewi@sukamaju.example"} {
		u, err := a.Auth.UserByEmail(ctx, email)
		if err != nil {
			return err
		}
		people[email] = u
	}
	budi, dewi := people["budi@sukamaju.example"], people["dewi@sukamaju.example"]
	if err := a.Crisis.SaveSettings(ctx, rina, wsID, crisis.Settings{MinAcks: 2, EscalateMinutes: 15, Approvers: []int64{dewi.ID},
		Team: []crisis.Member{{List: crisis.FirstList, UserID: rina.UserID}, {List: crisis.FirstList, UserID: budi.ID},
			{List: crisis.FirstList, UserID: dewi.ID},
			{List: crisis.EscalationList, Name: "Drs. Bambang Wicaksono", Email: "kadis.kominfo@sukamaju.example", Role: "Kepala Dinas Kominfo"}}}); err != nil {
		return err
	}

	// The drill ran last Tuesday morning; the room's clock follows it, then comes back.
	wib, _ := time.LoadLocation("Asia/Jakarta")
	day := time.Now().In(wib).AddDate(0, 0, -7)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, wib)
	at := func(minutes int) {
		a.Crisis.SetClock(func() time.Time { return start.Add(time.Duration(minutes) * time.Minute) })
	}
	defer a.Crisis.SetClock(time.Now)
	at(0)
	c, err := a.Crisis.Declare(ctx, rina, wsID, crisis.DeclareInput{Name: "Simulasi: kebocoran data pemohon PPID", Type: playbook.Accidental,
		Severity: "high", OwnerID: rina.UserID, Exercise: true, Pause: true,
		Description: "Skenario latihan: data 2.300 pemohon informasi publik (nama, NIK, nomor telepon) beredar di sebuah forum daring.",
		PublicName:  "Kebocoran data pemohon informasi publik"})
	if err != nil {
		return err
	}
	for _, inj := range []crisis.InjectInput{
		{Kind: "mention", Source: "Akun X @infosukamaju", Text: "Data ribuan pemohon PPID Kota Sukamaju dijual di forum! Pemkot diam saja?", Sentiment: "negative"},
		{Kind: "message", Source: "Wartawan Radar Sukamaju", Text: "Minta konfirmasi: benarkah server PPID diretas? Deadline pukul 11.00.", After: 6 * time.Minute},
		{Kind: "mention", Source: "Kabar Jatim", Text: "Warga Sukamaju cemas data KTP bocor, Diskominfo belum beri penjelasan", Sentiment: "negative", After: 18 * time.Minute},
	} {
		if _, err := a.Crisis.AddInject(ctx, rina, wsID, c.ID, inj); err != nil {
			return err
		}
	}
	step := func(minutes int, f func() error) error {
		at(minutes)
		if err := f(); err != nil {
			return err
		}
		return a.Crisis.Watch(ctx)
	}
	budiActor, dewiActor := audit.Actor{UserID: budi.ID, Label: budi.Name}, audit.Actor{UserID: dewi.ID, Label: dewi.Name}
	var st *crisis.Statement
	steps := []struct {
		minutes int
		do      func() error
	}{
		{1, func() error { return a.Crisis.Watch(ctx) }},
		{3, func() error { return a.Crisis.AcknowledgeAs(ctx, wsID, c.ID, budi.ID, budi.Name, budi.Email) }},
		{5, func() error { return a.Crisis.AcknowledgeAs(ctx, wsID, c.ID, dewi.ID, dewi.Name, dewi.Email) }},
		{8, func() error {
			_, err := a.Crisis.AddDecision(ctx, rina, wsID, c.ID, "Formulir permohonan PPID daring ditutup sementara", "Rina Wulandari",
				"Mencegah kebocoran lanjutan sampai audit server selesai; permohonan tetap diterima di loket.")
			return err
		}},
		{9, func() error {
			_, err := a.Crisis.AddTask(ctx, rina, wsID, c.ID, crisis.TaskInput{Title: "Minta Diskominfo memeriksa log akses server PPID", OwnerID: budi.ID,
				DueAt: new(start.Add(2 * time.Hour))})
			return err
		}},
		{10, func() error {
			var err error
			st, err = a.Crisis.DraftStatement(ctx, rina, wsID, c.ID, "holding-data", "id")
			return err
		}},
		{13, func() error { return fillDemoStatement(ctx, a, rina, wsID, st.ItemID, start.Add(-30*time.Minute)) }},
		{14, func() error { return a.Crisis.SubmitStatement(ctx, rina, wsID, c.ID, st.ID) }},
		{19, func() error {
			_, err := a.Approvals.Decide(ctx, dewiActor, approval.Reviewer{UserID: dewi.ID, Name: dewi.Name, Email: dewi.Email}, wsID, st.ItemID, 0, true, "")
			return err
		}},
		{22, func() error {
			_, err := a.Crisis.PublishStatement(ctx, rina, wsID, c.ID, st.ID, crisis.PublishInput{Newsroom: true})
			return err
		}},
		{25, func() error {
			_, err := a.Crisis.PostUpdate(ctx, rina, wsID, c.ID, "investigating", "Kami sedang memeriksa laporan tentang data pemohon informasi publik. Pembaruan berikutnya pukul 12.00 WIB.", "id")
			return err
		}},
		{30, func() error { return demoMatrix(ctx, a, rina, wsID, c.ID, budi.ID, dewi.ID) }},
		{34, func() error {
			if _, err := a.Crisis.SeedQuestions(ctx, rina, wsID, c.ID, "id"); err != nil {
				return err
			}
			qs, err := a.Crisis.Questions(ctx, wsID, c.ID)
			if err != nil || len(qs) == 0 {
				return err
			}
			_, err = a.Crisis.SaveQuestion(ctx, budiActor, wsID, c.ID, qs[0].ID, qs[0].Question,
				"Data yang beredar berasal dari formulir PPID daring periode Januari–Oktober. Kami sudah menutup formulir tersebut dan memberi tahu setiap pemohon yang terdampak.", true)
			return err
		}},
		{95, func() error {
			tasks, err := a.Crisis.Tasks(ctx, wsID, c.ID)
			if err != nil || len(tasks) == 0 {
				return err
			}
			return a.Crisis.CompleteTask(ctx, budiActor, wsID, c.ID, tasks[0].ID)
		}},
		{150, func() error {
			return a.Crisis.Close(ctx, rina, wsID, c.ID, crisis.CloseInput{Note: "Latihan selesai. Pernyataan awal terbit 22 menit setelah krisis dinyatakan; " +
				"target berikutnya di bawah 15 menit. Daftar eskalasi perlu nomor telepon cadangan."})
		}},
	}
	for _, s := range steps {
		if err := step(s.minutes, s.do); err != nil {
			return err
		}
	}
	return nil
}

var blank = regexp.MustCompile(`\[[a-z_]+\]`)

// fillDemoStatement writes the drill's facts into the template's blanks, as the officer did.
func fillDemoStatement(ctx context.Context, a *app.App, actor audit.Actor, wsID, itemID int64, found time.Time) error {
	it, err := a.Content.Get(ctx, wsID, itemID)
	if err != nil {
		return err
	}
	values := map[string]string{"organisasi": "Pemerintah Kota Sukamaju", "kejadian": "dugaan kebocoran data pemohon informasi publik",
		"waktu": "Selasa pagi pukul " + found.Format("15.04") + " WIB", "dampak": "data yang terdampak berupa nama, NIK dan nomor telepon sekitar 2.300 pemohon",
		"langkah": "menutup formulir PPID daring, mengganti seluruh kata sandi admin dan meminta audit log server",
		"imbauan": "mewaspadai telepon atau pesan yang mengatasnamakan Pemkot Sukamaju", "pembaruan_berikutnya": "pukul 12.00 WIB hari ini",
		"kanal_info": "newsroom dan akun media sosial resmi Pemkot Sukamaju", "narahubung": "Rina Wulandari, Humas Pemkot Sukamaju (0812-3456-7890)"}
	// The template's blanks show as "[name]" in the drafted text.
	fill := func(s string) string {
		return blank.ReplaceAllStringFunc(s, func(m string) string {
			if v, ok := values[strings.Trim(m, "[]")]; ok {
				return v
			}
			return m
		})
	}
	in := content.Input{Title: fill(it.Title), Body: fill(it.Body), Lang: it.Lang, BaseVersion: it.Version}
	for _, v := range it.Variants {
		v.Text = fill(v.Text)
		in.Variants = append(in.Variants, v)
	}
	_, _, err = a.Content.Save(ctx, actor, wsID, itemID, in)
	return err
}

// demoMatrix is who heard what during the drill.
func demoMatrix(ctx context.Context, a *app.App, actor audit.Actor, wsID, id, budi, dewi int64) error {
	for _, m := range []crisis.MessageInput{
		{Audience: "Pemohon yang terdampak", Message: "Data Anda termasuk yang terdampak; ini langkah kami dan yang perlu Anda waspadai.", Channel: "Email dan SMS", OwnerID: budi, Status: "sent"},
		{Audience: "Media", Message: "Pernyataan awal dan jadwal konferensi pers pukul 13.00.", Channel: "Siaran pers, newsroom", OwnerID: actor.UserID, Status: "sent"},
		{Audience: "Pegawai", Message: "Jangan menanggapi pertanyaan wartawan; arahkan ke Humas.", Channel: "Pengumuman internal", OwnerID: dewi, Status: "approved"},
		{Audience: "Regulator", Message: "Pemberitahuan insiden sesuai UU PDP dalam 3 × 24 jam.", Channel: "Surat resmi", OwnerID: actor.UserID, Status: "drafted"},
	} {
		if _, err := a.Crisis.SaveMessage(ctx, actor, wsID, id, 0, m); err != nil {
			return err
		}
	}
	return nil
}
