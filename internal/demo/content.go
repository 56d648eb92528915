package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	medialib "warta.dev/warta/internal/content/media"
)

// post is one sample item: days from today, the hour in the workspace's zone, and its channels.
type post struct {
	day, hour int
	title     string
	body      string
	variants  map[channel.Network]string
	schedule  bool
	offset    *campaign.Offset
	labels    []string
}

// loadContent gives a workspace a month of sample content around a campaign with an anchor.
func loadContent(ctx context.Context, a *app.App, actor audit.Actor, wsID int64, lang string, zone *time.Location, camp campaign.Input, anchorDays int, posts []post) error {
	today := time.Now().In(zone)
	anchor := time.Date(today.Year(), today.Month(), today.Day()+anchorDays, 10, 0, 0, 0, zone)
	camp.StartsOn = campaign.Date(anchor.AddDate(0, 0, -14).Format("2006-01-02"))
	camp.EndsOn = campaign.Date(anchor.AddDate(0, 0, 3).Format("2006-01-02"))
	c, err := a.Campaigns.Create(ctx, actor, wsID, camp, &anchor)
	if err != nil {
		return err
	}
	photo, err := samplePhoto(ctx, a, actor, wsID, lang)
	if err != nil {
		return err
	}
	for _, p := range posts {
		in := content.Input{Title: p.title, Body: p.body, Lang: lang, Labels: p.labels}
		if p.offset != nil {
			in.CampaignID = c.ID
		}
		for _, n := range channel.Networks {
			if text, ok := p.variants[n.Network]; ok {
				v := content.Variant{Network: n.Network, Text: text}
				if n.RequiresMedia {
					v.Media = []int64{photo}
				}
				in.Variants = append(in.Variants, v)
			}
		}
		it, probs, err := a.Content.Save(ctx, actor, wsID, 0, in)
		if err != nil {
			return err
		}
		if !probs.OK() {
			return fmt.Errorf("demo post %q breaks its channel rules: %+v", p.title, probs)
		}
		if !p.schedule {
			continue
		}
		when := content.When{Offset: p.offset}
		if p.offset == nil {
			at := time.Date(today.Year(), today.Month(), today.Day()+p.day, p.hour, 0, 0, 0, zone)
			if p.day == 0 {
				at = today.Add(2 * time.Hour).Truncate(time.Hour) // later today, whenever the demo is loaded
			}
			when.At = &at
		}
		if _, err := a.Content.Schedule(ctx, actor, wsID, it.ID, when, zone); err != nil {
			return fmt.Errorf("scheduling demo post %q: %w", p.title, err)
		}
	}
	return nil
}

// samplePhoto puts one generated picture, with alt text, in the workspace's media library.
func samplePhoto(ctx context.Context, a *app.App, actor audit.Actor, wsID int64, lang string) (int64, error) {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 1200; x++ {
			img.Set(x, y, color.RGBA{R: uint8(11 + y/10), G: uint8(95 + x/20), B: uint8(115 + y/12), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return 0, err
	}
	asset, err := a.Library.Upload(ctx, medialib.Actor(actor), wsID, "demo-"+lang+".png", &buf)
	if err != nil {
		return 0, err
	}
	alt := "Gradasi warna biru kehijauan, gambar contoh untuk demo"
	if lang == "en" {
		alt = "A blue-green colour gradient, a sample picture for the demo"
	}
	_, err = a.Library.Update(ctx, medialib.Actor(actor), wsID, asset.ID, alt, "Warta demo", "CC0")
	return asset.ID, err
}

func offset(days int, clock string) *campaign.Offset {
	return &campaign.Offset{Days: days, Clock: clock}
}

var cityPosts = []post{
	{day: 0, title: "Pengingat: pembayaran PBB jatuh tempo akhir bulan", body: "Bapenda mengingatkan pembayaran **PBB** jatuh tempo akhir bulan. Bayar lewat aplikasi atau bank mitra.", schedule: true, labels: []string{"pajak"},
		variants: map[channel.Network]string{channel.X: "Pengingat: PBB jatuh tempo akhir bulan. Bayar lewat aplikasi Sukamaju Pintar atau bank mitra, tanpa antre. #SukamajuMelayani", channel.Facebook: "Warga Sukamaju, pembayaran Pajak Bumi dan Bangunan jatuh tempo akhir bulan ini. Bayar lewat aplikasi Sukamaju Pintar atau bank mitra."}},
	{day: 1, hour: 8, title: "Jadwal pelayanan KTP elektronik akhir pekan", body: "Disdukcapil membuka **pelayanan KTP elektronik** pada Sabtu pukul 08.00–12.00 WIB di Mal Pelayanan Publik.", schedule: true, labels: []string{"layanan publik"},
		variants: map[channel.Network]string{channel.X: "Pelayanan KTP-el buka Sabtu 08.00–12.00 WIB di Mal Pelayanan Publik. Bawa KK asli ya! #SukamajuMelayani", channel.Facebook: "Warga Sukamaju, pelayanan KTP elektronik dibuka Sabtu pukul 08.00–12.00 WIB di Mal Pelayanan Publik. Jangan lupa membawa Kartu Keluarga asli."}},
	{day: 2, hour: 10, title: "Posko banjir Balai Kota tetap buka", body: "Posko banjir di Balai Kota tetap buka 24 jam. Warga yang membutuhkan bantuan dapat menghubungi 112.", schedule: true, labels: []string{"banjir"},
		variants: map[channel.Network]string{channel.X: "Posko banjir di Balai Kota tetap buka 24 jam. Butuh bantuan? Hubungi 112. #BanjirSukamaju", channel.Bluesky: "Posko banjir di Balai Kota tetap buka 24 jam. Butuh bantuan? Hubungi 112.", channel.Instagram: "Posko banjir Balai Kota buka 24 jam 🙏 Butuh bantuan? Hubungi 112. #BanjirSukamaju #SukamajuTangguh"}},
	{day: 4, hour: 9, title: "Uji coba bus listrik koridor 3", body: "Dinas Perhubungan menguji coba **bus listrik** di koridor 3 selama dua pekan, gratis untuk penumpang.", schedule: true, labels: []string{"transportasi"},
		variants: map[channel.Network]string{channel.X: "Mulai Senin, bus listrik koridor 3 diuji coba dua pekan. Gratis! Rute lengkap: https://sukamaju.example/bus-listrik", channel.Mastodon: "Mulai Senin, bus listrik koridor 3 diuji coba selama dua pekan dan gratis untuk penumpang. Rute lengkap: https://sukamaju.example/bus-listrik"}},
	{day: 6, hour: 15, title: "Siaran pers: Festival UMKM Sukamaju", body: "**Sukamaju, 2026** – Pemerintah Kota Sukamaju menggelar Festival UMKM di Alun-alun dengan 120 pelaku usaha lokal.", labels: []string{"umkm", "siaran pers"},
		variants: map[channel.Network]string{channel.LinkedIn: "Pemerintah Kota Sukamaju menggelar Festival UMKM di Alun-alun bersama 120 pelaku usaha lokal. Kami mengundang mitra dan investor untuk hadir."}},
	{day: 8, hour: 19, title: "Imbauan hemat air saat kemarau", body: "PDAM Sukamaju mengimbau warga menghemat air selama musim kemarau.", schedule: true, labels: []string{"lingkungan"},
		variants: map[channel.Network]string{channel.Telegram: "📢 Imbauan PDAM Sukamaju: hemat air selama kemarau. Tutup keran saat tidak dipakai dan laporkan kebocoran ke 0800-123-456.", channel.Threads: "Musim kemarau, yuk hemat air. Tutup keran saat tidak dipakai dan laporkan kebocoran pipa ke PDAM."}},
	{title: "Hitung mundur Hari Jadi Kota: sepekan lagi", body: "Sepekan menuju **Hari Jadi Kota Sukamaju ke-75**.", schedule: true, offset: offset(-7, "09:00"), labels: []string{"hari jadi"},
		variants: map[channel.Network]string{channel.X: "Sepekan lagi menuju Hari Jadi Kota Sukamaju ke-75! Siapkan diri untuk pawai budaya di Alun-alun. #HUTSukamaju75", channel.Instagram: "Sepekan lagi! Hari Jadi Kota Sukamaju ke-75 dirayakan dengan pawai budaya di Alun-alun. #HUTSukamaju75"}},
	{title: "Rekayasa lalu lintas pawai Hari Jadi", body: "Beberapa ruas jalan ditutup sementara selama pawai budaya.", schedule: true, offset: offset(-2, "16:00"), labels: []string{"hari jadi", "transportasi"},
		variants: map[channel.Network]string{channel.X: "Pawai Hari Jadi: Jl. Merdeka dan Jl. Diponegoro ditutup pukul 07.00–12.00 WIB. Gunakan jalur alternatif ya.", channel.Facebook: "Info rekayasa lalu lintas: selama pawai budaya Hari Jadi Kota, Jl. Merdeka dan Jl. Diponegoro ditutup pukul 07.00–12.00 WIB."}},
	{title: "Selamat Hari Jadi Kota Sukamaju ke-75", body: "Selamat Hari Jadi Kota Sukamaju ke-75. Bersama membangun kota yang ramah dan tangguh.", schedule: true, offset: offset(0, "07:00"), labels: []string{"hari jadi"},
		variants: map[channel.Network]string{channel.X: "Selamat Hari Jadi Kota Sukamaju ke-75! Bersama membangun kota yang ramah dan tangguh. #HUTSukamaju75", channel.Bluesky: "Selamat Hari Jadi Kota Sukamaju ke-75! Bersama membangun kota yang ramah dan tangguh.", channel.Instagram: "Dirgahayu Kota Sukamaju ke-75 🎉 #HUTSukamaju75"}},
	{title: "Terima kasih warga atas pawai yang tertib", body: "Terima kasih kepada seluruh warga yang mengikuti pawai dengan tertib.", offset: offset(1, "10:00"), labels: []string{"hari jadi"},
		variants: map[channel.Network]string{channel.X: "Terima kasih warga Sukamaju atas pawai budaya yang tertib dan meriah! #HUTSukamaju75"}},
	{day: 20, hour: 9, title: "Pendaftaran beasiswa pelajar berprestasi dibuka", body: "Pendaftaran beasiswa pelajar berprestasi dibuka hingga akhir bulan.", schedule: true, labels: []string{"pendidikan"},
		variants: map[channel.Network]string{channel.X: "Pendaftaran beasiswa pelajar berprestasi Kota Sukamaju dibuka! Syarat & formulir: https://sukamaju.example/beasiswa", channel.Facebook: "Pendaftaran beasiswa pelajar berprestasi dibuka hingga akhir bulan. Syarat dan formulir: https://sukamaju.example/beasiswa"}},
	{day: 27, hour: 13, title: "Rapat paripurna APBD 2027", body: "Ringkasan rapat paripurna pembahasan APBD 2027 bersama DPRD.", labels: []string{"anggaran"},
		variants: map[channel.Network]string{channel.LinkedIn: "Pemerintah Kota Sukamaju dan DPRD membahas APBD 2027 dengan fokus pada layanan dasar, pengendalian banjir, dan transportasi publik."}},
}

var ngoPosts = []post{
	{day: 1, hour: 9, title: "Mangrove planting day in Untia", body: "Volunteers plant **2,000 mangrove seedlings** along the Untia coast with fishing families.", schedule: true, labels: []string{"mangrove"},
		variants: map[channel.Network]string{channel.X: "This Saturday: 2,000 mangrove seedlings along the Untia coast, planted with fishing families. Join us! https://pesisirlestari.example/volunteer", channel.Instagram: "2,000 mangrove seedlings, one coast 🌱 Join us in Untia this Saturday. #MangroveMakassar"}},
	{day: 5, hour: 14, title: "Report: plastic on Makassar's beaches", body: "Our quarterly beach audit counted plastic waste at 12 sites.", labels: []string{"research"},
		variants: map[channel.Network]string{channel.LinkedIn: "Our quarterly beach audit counted plastic waste at 12 sites around Makassar. Read what we found and what local government can do next.", channel.Bluesky: "New: our quarterly beach audit of 12 sites around Makassar. What we found, and what can be done."}},
	{title: "One week to the coastal clean-up", body: "One week until the **Losari coastal clean-up**.", schedule: true, offset: offset(-7, "10:00"), labels: []string{"clean-up"},
		variants: map[channel.Network]string{channel.X: "One week to go until the Losari coastal clean-up! Bring gloves and a water bottle. #CleanLosari", channel.Facebook: "One week to go until the Losari coastal clean-up. Register and bring gloves and a refillable water bottle."}},
	{title: "Clean-up day: meet at the Losari arch", body: "Meet at the Losari arch at 06:30 WITA.", schedule: true, offset: offset(0, "06:00"), labels: []string{"clean-up"},
		variants: map[channel.Network]string{channel.X: "Today! Meet at the Losari arch at 06:30 WITA. #CleanLosari", channel.Telegram: "Clean-up day! Meet at the Losari arch at 06:30 WITA. Gloves and bags provided."}},
	{day: 18, hour: 10, title: "Thank you to our donors", body: "A thank-you to the donors who funded this year's seedlings.", labels: []string{"donors"},
		variants: map[channel.Network]string{channel.LinkedIn: "Thank you to the companies and families whose donations funded 10,000 mangrove seedlings this year."}},
}
