package sentiment

import (
	"slices"
	"strings"
	"testing"
)

func TestNegation(t *testing.T) {
	for _, c := range []struct {
		text, lang string
		want       Label
		reason     string // a reason the result must show, on the side of want
	}{
		{"Proyek itu tidak berhasil", "id", Negative, "tidak berhasil"},
		{"Pembangunan jembatan belum berhasil", "id", Negative, "belum berhasil"},
		{"Tidak ada korban jiwa", "id", Positive, "Tidak ada korban jiwa"},
		{"Kebakaran gudang tanpa korban", "id", Negative, ""}, // still a fire
		{"Pelayanan kurang memuaskan", "id", Negative, "kurang memuaskan"},
		{"Jalan rusak tak kunjung diperbaiki", "id", Negative, "tak kunjung diperbaiki"},
		{"Kota itu kini bebas banjir", "id", Positive, "bebas banjir"},
		{"Tidak hanya berhasil, program itu juga murah", "id", Positive, ""},
		{"Tidak. Programnya berhasil", "id", Positive, "berhasil"}, // the full stop ends the negation
		{"Not bad", "en", Positive, "Not bad"},
		{"The plan did not succeed", "en", Negative, "not succeed"},
		{"The plan didn't succeed", "en", Negative, "didn't succeed"},
		{"We won’t fail you", "en", Positive, "won’t fail"},
		{"Not only successful but cheap", "en", Positive, ""},
		{"The clinic has hardly improved", "en", Negative, "hardly improved"},
		{"Without casualties", "en", Positive, ""},
	} {
		r := Analyze(c.text, c.lang)
		if r.Label != c.want {
			t.Errorf("%q: %s (%.2f, +%q -%q), want %s", c.text, r.Label, r.Score, r.Positive, r.Negative, c.want)
		}
		reasons := r.Positive
		if c.want == Negative {
			reasons = r.Negative
		}
		if c.reason != "" && !slices.Contains(reasons, c.reason) {
			t.Errorf("%q: reasons %q, want %q among them", c.text, reasons, c.reason)
		}
	}
	// Negation dampens: "not bad" is weaker praise than "good".
	if notBad, good := Analyze("not bad", "en").Score, Analyze("good", "en").Score; notBad >= good {
		t.Errorf("not bad scores %.2f, good %.2f", notBad, good)
	}
}

func TestIntensifiers(t *testing.T) {
	for _, c := range []struct{ strong, plain, weak, lang string }{
		{"Warga sangat kecewa", "Warga kecewa", "Warga agak kecewa", "id"},
		{"Layanannya bagus sekali", "Layanannya bagus", "Layanannya cukup bagus", "id"},
		{"Harga beras makin mahal", "Harga beras mahal", "Harga beras sedikit mahal", "id"},
		{"Residents are extremely disappointed", "Residents are disappointed", "Residents are slightly disappointed", "en"},
		{"A very good result", "A good result", "A fairly good result", "en"},
	} {
		s, p, w := Analyze(c.strong, c.lang).Score, Analyze(c.plain, c.lang).Score, Analyze(c.weak, c.lang).Score
		if !(abs(s) > abs(p) && abs(p) > abs(w) && w != 0) {
			t.Errorf("%q %.3f, %q %.3f, %q %.3f: want strictly weaker in that order", c.strong, s, c.plain, p, c.weak, w)
		}
	}
	if r := Analyze("Warga sangat kecewa", "id"); !slices.Equal(r.Negative, []string{"sangat kecewa"}) {
		t.Errorf("reasons %q, want [sangat kecewa]", r.Negative)
	}
}

// A fall of something bad is good news, a rise of it bad news.
func TestShifters(t *testing.T) {
	for _, c := range []struct {
		text, lang string
		want       Label
	}{
		{"Angka kemiskinan di Jawa Tengah turun", "id", Positive},
		{"Kasus demam berdarah meningkat", "id", Negative},
		{"Polisi berhasil menekan angka kecelakaan", "id", Positive},
		{"Ekspor kopi meningkat tajam", "id", Positive},
		{"Poverty falls to its lowest level", "en", Positive},
		{"Dengue cases rise sharply", "en", Negative},
		{"New programme cuts unemployment", "en", Positive},
	} {
		if r := Analyze(c.text, c.lang); r.Label != c.want {
			t.Errorf("%q: %s (%.2f, +%q -%q), want %s", c.text, r.Label, r.Score, r.Positive, r.Negative, c.want)
		}
	}
}

// Affixed forms reach their root; words whose affixed or compound meaning drifted do not.
func TestWordForms(t *testing.T) {
	for _, c := range []struct {
		text, lang string
		want       Label
	}{
		{"Hasilnya mengecewakan", "id", Negative},
		{"Kekecewaan warga memuncak", "id", Negative},
		{"Kecelakaan itu menewaskan dua orang", "id", Negative},
		{"Rumah warga kebanjiran", "id", Negative},
		{"Dana desa diselewengkan", "id", Negative},
		{"Keberhasilannya diakui", "id", Positive},
		{"Warga mengapresiasi petugas", "id", Positive},
		{"Bupati meresmikan pasar", "id", Positive},
		{"Pasien dirawat di rumah sakit", "id", Neutral},
		{"Rapat di Dinas Kesehatan", "id", Neutral},
		{"Aparat keamanan berjaga", "id", Neutral},
		{"Dia salah satu peserta", "id", Neutral},
		{"Floods submerged the village", "en", Negative},
		{"Flooding continues", "en", Negative},
		{"The district improved its services", "en", Positive},
		{"New toll road opens", "en", Neutral},
	} {
		if r := Analyze(c.text, c.lang); r.Label != c.want {
			t.Errorf("%q: %s (%.2f, +%q -%q), want %s", c.text, r.Label, r.Score, r.Positive, r.Negative, c.want)
		}
	}
}

func TestReasonsAsWritten(t *testing.T) {
	r := Analyze("BANJIR lagi! Warga Kecewa, tetapi bantuan datang cepat.", "id")
	if !slices.Equal(r.Negative, []string{"BANJIR", "Kecewa"}) || !slices.Equal(r.Positive, []string{"bantuan", "cepat"}) {
		t.Errorf("reasons +%q -%q", r.Positive, r.Negative)
	}
}

func TestDetect(t *testing.T) {
	for text, want := range map[string]string{
		"Banjir rendam ratusan rumah warga di Kecamatan Baleendah":  "id",
		"Pemkot Bandung gelar pengobatan gratis untuk warga lansia": "id",
		"Floods submerge hundreds of homes in Bandung regency":      "en",
		"The governor did not comment on the matter.":               "en",
		"":             "",
		"Jakarta 2024": "",
		"Kota Bandung and the province sign a deal di Gedung Sate yang baru": "id",
	} {
		if got := Detect(text); got != want {
			t.Errorf("Detect(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestEmptyAndUnknown(t *testing.T) {
	for _, text := range []string{"", "   ", "12.000", "—"} {
		for _, lang := range []string{"", "id", "en"} {
			r := Analyze(text, lang)
			if r.Label != Neutral || r.Score != 0 || r.Positive != nil || r.Negative != nil {
				t.Errorf("Analyze(%q, %q) = %+v, want neutral and empty", text, lang, r)
			}
		}
	}
	// A text too short to tell its language is read with both lexicons.
	if r := Analyze("Mantap!", ""); r.Label != Positive {
		t.Errorf("Mantap! is %s", r.Label)
	}
	if r := Analyze("Disappointing.", ""); r.Label != Negative {
		t.Errorf("Disappointing. is %s", r.Label)
	}
}

// Long texts stay within -1..1 and a long article of bad news is negative.
func TestScoreRange(t *testing.T) {
	r := Analyze(strings.Repeat("Banjir besar menewaskan warga. ", 200), "id")
	if r.Label != Negative || r.Score < -1 || r.Score > -0.5 {
		t.Errorf("%s %.3f", r.Label, r.Score)
	}
	r = Analyze(article, "id")
	if r.Score < -1 || r.Score > 1 {
		t.Errorf("score %.3f", r.Score)
	}
}

func TestLexiconFiles(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		lx, err := loadLexicon(lang)
		if err != nil {
			t.Fatal(err)
		}
		own := 0
		if err := readTSV(lang+".tsv", 2, func([]string) error { own++; return nil }); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d entries written, %d word forms known, %d phrases", lang, own, len(lx.words), len(lx.phrases))
		if own < 300 {
			t.Errorf("%s: only %d entries", lang, own)
		}
	}
}

func abs(f float64) float64 { return max(f, -f) }

// article is a regional news report of about 1,500 characters, mixed in tone.
const article = `Banjir kembali merendam ratusan rumah warga di Kecamatan Baleendah, Kabupaten Bandung, sejak Senin (12/2) malam setelah hujan deras mengguyur kawasan hulu Sungai Citarum. Ketinggian air mencapai satu meter di beberapa titik, dan sedikitnya 1.200 warga terpaksa mengungsi ke masjid dan gedung sekolah terdekat. Badan Penanggulangan Bencana Daerah (BPBD) Kabupaten Bandung menyatakan tidak ada korban jiwa dalam peristiwa ini, tetapi dua warga lanjut usia mengalami luka ringan saat dievakuasi. "Petugas kami bergerak cepat sejak malam. Perahu karet dan dapur umum sudah disiagakan," kata Kepala BPBD, Rina Kusumawati, Selasa (13/2). Warga mengeluhkan lambatnya penyaluran bantuan makanan di posko pengungsian. "Kami sangat kecewa, bantuan baru datang siang ini," ujar Asep, warga RW 07. Pemerintah kabupaten berjanji menambah armada distribusi dan membuka dua posko kesehatan. Bupati juga mengapresiasi relawan dan organisasi masyarakat yang membantu evakuasi. Sementara itu, Dinas Pekerjaan Umum menyebut normalisasi sungai yang dimulai tahun lalu belum rampung karena kendala pembebasan lahan. Proyek senilai Rp120 miliar itu ditargetkan selesai akhir tahun ini dan diharapkan mengurangi genangan di permukiman padat. Warga berharap pemerintah segera menuntaskan pekerjaan tersebut agar banjir tidak lagi menjadi langganan setiap musim hujan. Hingga Selasa sore, air mulai surut di sebagian wilayah dan warga mulai membersihkan rumah mereka dari lumpur.`

func BenchmarkAnalyze(b *testing.B) {
	b.SetBytes(int64(len(article)))
	b.ReportAllocs()
	Analyze(article, "id")
	for b.Loop() {
		Analyze(article, "id")
	}
}

func BenchmarkAnalyzeDetect(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Analyze(article, "")
	}
}
