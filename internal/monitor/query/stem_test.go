package query

import "testing"

// Expected stems follow the Snowball Indonesian algorithm's rules, including where a
// dictionary-free stemmer is knowingly imperfect (menulis → ulis, as penulis → ulis).
func TestStemIndonesian(t *testing.T) {
	for word, want := range map[string]string{
		"membaca":       "baca",
		"pembangunan":   "bangun",
		"membangun":     "bangun",
		"dibangun":      "bangun",
		"kebersamaan":   "sama",
		"bukunya":       "buku",
		"dimakan":       "makan",
		"bersepeda":     "sepeda",
		"pelajaran":     "ajar",
		"belajar":       "ajar",
		"kebanjiran":    "banjir",
		"banjir":        "banjir",
		"memukul":       "pukul",
		"menyapu":       "sapu",
		"penyakit":      "sakit",
		"pemukul":       "pukul",
		"mengambil":     "ambil",
		"pengambilan":   "ambil",
		"terlambat":     "lambat",
		"ditemukan":     "temu",
		"menemukan":     "emu", // men- cannot know a t was swallowed; ditemukan gives temu
		"kedatangan":    "datang",
		"perbaikan":     "baik",
		"memperbaiki":   "baik",
		"diperkenalkan": "kenal",
		"persatuan":     "satu",
		"bekerja":       "kerja",
		"pekerja":       "kerja",
		"pekerjaan":     "kerja",
		"bermain":       "main",
		"permainan":     "main",
		"rumahnya":      "rumah",
		"bukumu":        "buku",
		"mobilku":       "mobil",
		"bacalah":       "baca",
		"bagaimanakah":  "bagaimana",
		"apapun":        "apa",
		"dia":           "dia",   // two vowels or fewer: never cut
		"kursi":         "kursi", // -i after s stays
		"mengurangi":    "urang",
		"ketahui":       "tahui", // ke-…-i is not a pair Indonesian forms, so the i stays
		"dengarkan":     "dengar",
		"pemerintah":    "intah",
		"kemerdekaan":   "merdeka",
		"menulis":       "ulis",
		"penulis":       "ulis",
		"jakarta":       "jakarta",
		"makan":         "makan",
		"ibu":           "ibu",
	} {
		if got := StemIndonesian(word); got != want {
			t.Errorf("StemIndonesian(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestStemEnglish(t *testing.T) {
	groups := [][]string{
		{"flood", "floods", "flooded", "flooding"},
		{"make", "makes", "making"},
		{"run", "runs", "running"},
		{"policy", "policies"},
		{"study", "studied", "studies"},
		{"church", "churches"},
		{"minister", "ministers"},
		{"stop", "stopped", "stopping"},
		{"fall", "falls", "falling"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if StemEnglish(w) != StemEnglish(g[0]) {
				t.Errorf("StemEnglish(%q) = %q, StemEnglish(%q) = %q: want the same", w, StemEnglish(w), g[0], StemEnglish(g[0]))
			}
		}
	}
	for _, pair := range [][2]string{{"news", "new"}, {"keras", "kera"}, {"bus", "bu"}} {
		if StemEnglish(pair[0]) == StemEnglish(pair[1]) {
			t.Errorf("%q and %q should not share a stem (%q)", pair[0], pair[1], StemEnglish(pair[0]))
		}
	}
}
