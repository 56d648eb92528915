package sentiment

// Detect says whether text is Indonesian ("id") or English ("en") by counting each language's
// common words; "" when it has none of them or as many of one as of the other, as a short
// headline of names and figures may.
func Detect(text string) string {
	b := getBuffers()
	defer putBuffers(b)
	b.words = tokenize(b.words[:0], text)
	return detect(b.words)
}

func detect(ws []word) string {
	id, en := 0, 0
	for _, w := range ws {
		switch common[w.text] {
		case 'i':
			id++
		case 'e':
			en++
		}
	}
	switch {
	case id > en:
		return "id"
	case en > id:
		return "en"
	}
	return ""
}

// common are frequent words of one language that the other does not use: function words, and
// the words of news and public affairs that headlines keep when they drop the function words.
var common = func() map[string]byte {
	m := map[string]byte{}
	for _, w := range []string{
		"yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "pada", "tidak", "tak",
		"akan", "dalam", "adalah", "oleh", "juga", "sudah", "telah", "karena", "atau", "ada", "para",
		"bagi", "kepada", "saat", "bisa", "lebih", "masih", "hingga", "sampai", "belum", "kami",
		"kita", "mereka", "ia", "dia", "tersebut", "secara", "serta", "namun", "tetapi", "agar",
		"sejak", "setelah", "sebelum", "antara", "atas", "selama", "terhadap", "akibat", "jadi",
		"kini", "lagi", "sebagai", "kembali", "soal", "terkait", "usai", "jelang", "bukan", "kata",
		"ujar", "menurut", "sebanyak", "tahun", "hari", "bulan", "pekan", "depan", "ribuan",
		"ratusan", "puluhan", "dua", "tiga", "lima", "warga", "kota", "kabupaten", "desa",
		"kecamatan", "pemerintah", "pemkab", "pemkot", "pemprov", "dinas", "bupati", "gubernur",
		"wali", "kepala", "rumah", "harga", "baru", "jalan", "sekolah", "layanan", "pelayanan",
		"masyarakat", "program", "bantuan", "rapat", "gelar", "kasus", "orang", "air", "listrik",
	} {
		m[w] = 'i'
	}
	for _, w := range []string{
		"the", "a", "an", "of", "to", "in", "on", "for", "with", "by", "at", "from", "is", "are",
		"was", "were", "be", "been", "has", "have", "had", "will", "would", "and", "or", "but",
		"not", "that", "this", "these", "those", "it", "its", "as", "after", "before", "over",
		"under", "into", "than", "more", "said", "says", "who", "which", "their", "they", "he",
		"she", "we", "our", "new", "about", "up", "out", "two", "three", "hundreds", "thousands",
		"dozens", "year", "years", "week", "month", "day", "next", "first", "government",
		"city", "district", "village", "villages", "residents", "people", "office", "agency",
		"minister", "ministry", "mayor", "governor", "regent", "police", "price", "prices",
		"school", "service", "services", "public", "council", "project", "water", "power",
		"local", "regional", "provincial", "home", "homes", "during", "amid", "against",
	} {
		m[w] = 'e'
	}
	return m
}()
