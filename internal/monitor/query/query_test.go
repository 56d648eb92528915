package query_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/i18n"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		query, text string
		want        bool
	}{
		// Indonesian affixes
		{"banjir", "Warga Kampung Melayu kebanjiran lagi", true},
		{"kebanjiran", "Banjir setinggi dua meter", true},
		{"pembangunan", "Jembatan itu dibangun tahun lalu", true},
		{"pembangunan", "Pemerintah membangun jembatan", true},
		{"membaca", "Pembaca setia harian ini", true},
		{"makan", "Nasinya sudah dimakan kucing", true},
		{"sepeda", "Mereka bersepeda ke kantor", true},
		{"ajar", "Pelajaran dimulai pukul tujuh", true},
		{"terlambat", "Kereta lambat sekali", true},
		{"sama", "Semangat kebersamaan warga", true},
		{"rumah", "Rumahnya terendam", true},
		{"baca", "Bacalah berita ini", true},
		{"temukan", "Polisi menemukan barang bukti", false}, // known limit: men- hides the t
		{"temukan", "Barang bukti ditemukan polisi", true},
		// English plurals and tenses
		{"floods", "Flooding hit the city", true},
		{"flood", "The river flooded twice", true},
		{"policy", "New policies announced", true},
		{"minister", "Two ministers resigned", true},
		{"run", "She is running for governor", true},
		// case and diacritics
		{"cafe", "Kami bertemu di CAFÉ dekat stasiun", true},
		{"café", "a cafe in Bandung", true},
		{"kafe", "a café in Bandung", false}, // a different spelling, not an accent
		// phrases
		{`"banjir jakarta"`, "Banjir Jakarta surut", true},
		{`"banjir jakarta"`, "Jakarta tidak banjir", false},
		{`banjir jakarta`, "Jakarta tidak banjir", true},
		{`"presiden jokowi"`, "Presiden Jokowi meninjau lokasi", true},
		{`covid-19`, "Kasus COVID 19 naik", true},
		{`covid-19`, "19 kasus covid baru", false},
		// boolean
		{"banjir NOT bekasi", "Banjir di Bekasi", false},
		{"banjir NOT bekasi", "Banjir di Depok", true},
		{"banjir -bekasi", "Banjir di Bekasi", false},
		{"banjir BUKAN bekasi", "Banjir di Bekasi", false},
		{"banjir DAN depok", "Banjir di Depok", true},
		{"(banjir ATAU longsor) bogor", "Longsor di Bogor", true},
		{"(banjir OR longsor) AND bogor", "Longsor di Depok", false},
		{"banjir OR longsor bogor", "Banjir di Depok", true},
		{"dan", "Banjir dan longsor", true}, // lower case is a word, not an operator
		// proximity
		{"banjir NEAR/3 jakarta", "Banjir besar melanda Jakarta", true},
		{"banjir NEAR/1 jakarta", "Banjir besar melanda Jakarta", false},
		{"banjir DEKAT/3 jakarta", "Jakarta dilanda banjir", true},
		{`"air bersih" NEAR/2 warga`, "air bersih untuk warga", true},
		{"banjir NEAR/2 jakarta", "Banjir di Bogor. Sementara itu, di Jakarta cerah", false},
		// wildcard
		{"bencan*", "Bencananya datang tiba-tiba", true},
		{"bencan*", "Bencana alam", true},
		{"bencan*", "Benci", false},
		{"jakar* NEAR/2 banjir", "Jakarta banjir", true},
	} {
		q, err := query.Parse(c.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.query, err)
		}
		if _, got := q.Match(c.text); got != c.want {
			t.Errorf("%q on %q = %v, want %v", c.query, c.text, got, c.want)
		}
		m := query.NewMatcher(map[int64]*query.Query{7: q})
		if got := len(m.Match(c.text)) == 1; got != c.want {
			t.Errorf("Matcher: %q on %q = %v, want %v", c.query, c.text, got, c.want)
		}
	}
}

// Words are runs of letters and digits in any script, folded, with their place in the original.
func TestTokenize(t *testing.T) {
	type tok = query.Token
	for text, want := range map[string][]tok{
		"COVID-19 melanda":   {{"covid", 0, 5}, {"19", 6, 8}, {"melanda", 9, 16}},
		"Café Ölé":           {{"cafe", 0, 5}, {"ole", 6, 11}},
		"“Kami” — kata":      {{"kami", 3, 7}, {"kata", 15, 19}},
		"Rp 14.500,00":       {{"rp", 0, 2}, {"14", 3, 5}, {"500", 6, 9}, {"00", 10, 12}},
		"e\u0301tat":         {{"etat", 0, 6}},             // a combining accent stays with its letter
		"\u0301abc":          {{"abc", 2, 5}},              // but does not start a word
		"ab\xffcd":           {{"ab", 0, 2}, {"cd", 3, 5}}, // broken UTF-8 separates
		"ΕΛΛΆΔΑ, ĐÀ NẴNG":    {{"ελλαδα", 0, 12}, {"đa", 14, 18}, {"nang", 19, 25}},
		"  ":                 nil,
		"PEMERINTAH daerah.": {{"pemerintah", 0, 10}, {"daerah", 11, 17}},
	} {
		if got := query.Tokenize(text); !reflect.DeepEqual(got, want) {
			t.Errorf("Tokenize(%q) = %v, want %v", text, got, want)
		}
	}
}

// The hits say which words to highlight, where in the original text.
func TestHits(t *testing.T) {
	text := "Banjir melanda Jakarta; warga Café Ölé kebanjiran, tapi tidak di Bekasi."
	q, err := query.Parse(`("banjir melanda" OR longsor) ole NOT bogor`)
	if err != nil {
		t.Fatal(err)
	}
	m := query.NewMatcher(map[int64]*query.Query{3: q})
	got := m.Match(text)
	want := []query.Match{{Topic: 3, Hits: []query.Hit{
		{Term: `"banjir melanda"`, Pos: 0, Len: 2, Start: 0, End: 14},
		{Term: "ole", Pos: 5, Len: 1, Start: 36, End: 41},
	}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if s := text[36:41]; s != "Ölé" {
		t.Errorf("hit covers %q", s)
	}
	hits, _ := q.Match(text)
	if !reflect.DeepEqual(hits, want[0].Hits) {
		t.Errorf("Query.Match hits %+v", hits)
	}
	// NEAR highlights only the pair that is near, not every banjir.
	q, _ = query.Parse("banjir NEAR/2 bekasi")
	hits, _ = q.Match("Banjir di Bogor. Banjir di Bekasi.")
	if len(hits) != 2 || hits[0].Pos != 3 || hits[1].Pos != 5 {
		t.Errorf("NEAR hits %+v", hits)
	}
}

func TestParseErrors(t *testing.T) {
	b, err := i18n.NewBundle(query.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	id, en := b.Locale("id", nil), b.Locale("en", nil)
	for _, c := range []struct {
		query  string
		key    string
		pos    int
		id, en string
	}{
		{`banjir AND (jakarta OR bogor`, query.ErrUnclosedParen, 12, "Kurung buka di posisi 12 tidak ditutup.", "The bracket opened at position 12 is never closed."},
		{`banjir) jakarta`, query.ErrUnopenedParen, 7, "Kurung tutup di posisi 7 tidak punya kurung buka.", "The bracket closed at position 7 was never opened."},
		{`"banjir jakarta`, query.ErrUnclosedQuote, 1, "Tanda kutip di posisi 1 tidak ditutup.", "The quotation mark at position 1 is never closed."},
		{`banjir AND`, query.ErrMissingOperand, 8, "AND di posisi 8 belum punya kata atau frasa untuk dihubungkan.", "AND at position 8 needs a word or phrase to work on."},
		{`OR banjir`, query.ErrMissingOperand, 1, "OR di posisi 1", "OR at position 1"},
		{`banjir DAN ATAU rob`, query.ErrMissingOperand, 8, "DAN di posisi 8", "DAN at position 8"},
		{`banjir NOT`, query.ErrMissingOperand, 8, "NOT di posisi 8", "NOT at position 8"},
		{`bánjír (rob OR)`, query.ErrMissingOperand, 13, "OR di posisi 13", "OR at position 13"}, // positions count characters, not bytes
		{`   `, query.ErrEmpty, 1, "Tulis setidaknya satu kata yang dicari.", "Write at least one word to look for."},
		{`banjir ()`, query.ErrEmptyParens, 8, "Kurung di posisi 8 masih kosong.", "The brackets at position 8 have nothing inside."},
		{`banjir ""`, query.ErrEmptyPhrase, 8, "Tanda kutip di posisi 8 belum berisi kata.", "The quotation marks at position 8 have no words inside."},
		{`banjir NEAR/x rob`, query.ErrNearDistance, 8, "tulis jarak 1 sampai 50 kata", "from 1 to 50 words"},
		{`(a OR b) NEAR/3 rob`, query.ErrNearOperand, 10, "NEAR/3 di posisi 10 hanya bisa", "NEAR/3 at position 10 only joins"},
		{`ba* rob`, query.ErrShortWildcard, 1, "minimal 3 huruf", "at least 3 letters"},
		{`NOT banjir`, query.ErrMatchesEverything, 1, "cocok dengan semua berita", "would match every item"},
		{`rob OR -banjir`, query.ErrMatchesEverything, 1, "cocok dengan semua berita", "would match every item"},
		{strings.Repeat("a", query.MaxLength+1), query.ErrTooLong, query.MaxLength + 1, "maksimal 1000 karakter", "at most 1000 characters"},
		{strings.Repeat("kata ", query.MaxTerms+1), query.ErrTooManyTerms, 5*query.MaxTerms + 1, "maksimal 50 kata", "at most 50"},
	} {
		_, err := query.Parse(c.query)
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Errorf("Parse(%q) = %v, want a query error", c.query, err)
			continue
		}
		if qe.Key != c.key || qe.Pos != c.pos {
			t.Errorf("Parse(%q): %s at %d, want %s at %d", c.query, qe.Key, qe.Pos, c.key, c.pos)
		}
		if got := id.T(qe.Key, qe.Args()...); !strings.Contains(got, c.id) {
			t.Errorf("Parse(%q) in Indonesian: %q, want %q in it", c.query, got, c.id)
		}
		if got := en.T(qe.Key, qe.Args()...); !strings.Contains(got, c.en) {
			t.Errorf("Parse(%q) in English: %q, want %q in it", c.query, got, c.en)
		}
	}
}

// Every error key the package can return has words in both languages.
func TestCatalog(t *testing.T) {
	b, err := i18n.NewBundle(query.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{query.ErrEmpty, query.ErrTooLong, query.ErrTooManyTerms, query.ErrUnclosedParen,
		query.ErrUnopenedParen, query.ErrEmptyParens, query.ErrUnclosedQuote, query.ErrEmptyPhrase, query.ErrMissingOperand,
		query.ErrNearDistance, query.ErrNearOperand, query.ErrShortWildcard, query.ErrMatchesEverything} {
		if !b.Has(key) {
			t.Errorf("%s is missing from a catalog", key)
		}
	}
	if n := len(b.Keys("id")); n != 13 || len(b.Keys("en")) != n {
		t.Errorf("catalogs have %d and %d keys, want 13", n, len(b.Keys("en")))
	}
}

// 200 topics matched together give the same topics and hits as each query alone.
func TestMatcherManyTopics(t *testing.T) {
	topics := benchTopics(200)
	m := query.NewMatcher(topics)
	for i, text := range append(benchArticles(20), article) {
		got := map[int64][]query.Hit{}
		for _, mt := range m.Match(text) {
			got[mt.Topic] = mt.Hits
		}
		want := map[int64][]query.Hit{}
		for id, q := range topics {
			if hits, ok := q.Match(text); ok {
				want[id] = hits
			}
		}
		if len(want) == 0 {
			t.Fatalf("text %d matched no topic alone; the test would prove nothing", i)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("text %d: matcher found %d topics, alone %d", i, len(got), len(want))
			for id := range want {
				if !reflect.DeepEqual(got[id], want[id]) {
					t.Errorf("topic %d %q: %+v vs %+v", id, topics[id], got[id], want[id])
				}
			}
		}
	}
}

// benchTopics builds n realistic topic queries from a fixed vocabulary.
func benchTopics(n int) map[int64]*query.Query {
	r := rand.New(rand.NewPCG(7, 7))
	pick := func() string { return vocabulary[r.IntN(len(vocabulary))] }
	topics := map[int64]*query.Query{}
	for i := range n {
		var src string
		switch i % 6 {
		case 0:
			src = fmt.Sprintf("%s %s", pick(), pick())
		case 1:
			src = fmt.Sprintf(`"%s %s" OR %s`, pick(), pick(), pick())
		case 2:
			src = fmt.Sprintf("(%s OR %s) AND %s NOT %s", pick(), pick(), pick(), pick())
		case 3:
			src = fmt.Sprintf("%s NEAR/5 %s", pick(), pick())
		case 4:
			src = fmt.Sprintf("%s* ATAU %s", pick()[:4], pick())
		default:
			src = fmt.Sprintf("%s -%s", pick(), pick())
		}
		q, err := query.Parse(src)
		if err != nil {
			panic(fmt.Sprintf("%s: %v", src, err))
		}
		topics[int64(i+1)] = q
	}
	return topics
}

var vocabulary = strings.Fields(`banjir jakarta pemerintah kementerian menteri presiden pembangunan
	jalan tol bencana gempa warga masyarakat kesehatan rumah sakit pendidikan sekolah ekonomi inflasi
	harga beras listrik energi investasi perusahaan saham bank pajak anggaran korupsi polisi hukum
	pemilu partai gubernur bupati desa petani nelayan pariwisata bandara pelabuhan kereta transportasi
	government minister flood president company market prices climate energy investment election
	police hospital school students workers tourism airport railway infrastructure digital startup`)

func benchArticles(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	extra := strings.Fields(`dan yang di ke dari untuk dengan pada ini itu akan telah sudah tidak juga
		the of and to in for on with is was has been said that will menurut mengatakan kata
		dibangun membangun kebanjiran membaca pelajaran memperbaiki ditemukan kedatangan flooding floods
		ministers policies elected Café Ölé pemerintahnya masyarakatnya`)
	var out []string
	for range n {
		var b strings.Builder
		for j := range 400 {
			w := extra[r.IntN(len(extra))]
			if r.IntN(4) == 0 {
				w = vocabulary[r.IntN(len(vocabulary))]
			}
			if j%12 == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if j%15 == 14 {
				b.WriteString(". ")
			} else {
				b.WriteByte(' ')
			}
		}
		out = append(out, b.String())
	}
	return out
}

// article is a news item of about 400 words, in Indonesian with English quotes and terms.
const article = `JAKARTA — Pemerintah Provinsi DKI Jakarta menyiapkan langkah darurat setelah hujan deras sejak
Senin malam membuat sedikitnya 120 rukun tetangga kebanjiran. Ketinggian air di beberapa
permukiman di Kampung Melayu dan Bidara Cina mencapai dua meter pada Selasa pagi, menurut Badan
Penanggulangan Bencana Daerah (BPBD). "Kami sudah mengerahkan perahu karet dan membuka posko
pengungsian di sekolah-sekolah terdekat," kata Kepala Pelaksana BPBD DKI dalam keterangan tertulis.

Warga mengeluhkan pompa air yang tidak berfungsi. Siti, seorang pedagang di Jatinegara, mengatakan
rumahnya terendam untuk ketiga kalinya tahun ini. "Pembangunan tanggul belum selesai, padahal
dijanjikan sejak tahun lalu," ujarnya. Dinas Sumber Daya Air menyebut pekerjaan tanggul tertunda
karena pembebasan lahan dan anggaran yang belum cair.

Di tingkat nasional, Kementerian Pekerjaan Umum dan Perumahan Rakyat menyatakan pembangunan
bendungan di hulu Ciliwung akan dipercepat. Menteri mengatakan investasi infrastruktur pengendali
banjir menjadi prioritas anggaran tahun depan. The World Bank, which is financing part of the
flood management programme, said in a statement that "climate resilience investments in Jakarta
are among the most urgent in the region", adding that flooding costs the city's economy billions
of rupiah every year.

Ekonom dari sebuah universitas negeri menilai banjir yang berulang mengganggu distribusi barang dan
mendorong kenaikan harga beras serta sayuran di pasar tradisional. "Inflasi pangan biasanya naik
setelah banjir besar karena pasokan terhambat," katanya. Bank Indonesia disebut terus memantau
dampaknya terhadap inflasi daerah.

Sementara itu, PT Kereta Commuter Indonesia mengalihkan sejumlah perjalanan KRL karena rel di
dekat Stasiun Manggarai tergenang. Penumpang diminta memantau informasi melalui aplikasi dan
media sosial resmi perusahaan. Beberapa ruas jalan tol dalam kota juga ditutup sementara, dan
polisi lalu lintas mengatur pengalihan arus di persimpangan utama.

Presiden dijadwalkan meninjau lokasi pengungsian pada Rabu. Juru bicara Istana mengatakan
Presiden meminta kementerian dan pemerintah daerah bekerja sama memastikan kebutuhan pengungsi,
termasuk air bersih, makanan, dan layanan kesehatan, terpenuhi. Rumah sakit di Jakarta Timur
menyiagakan tenaga medis untuk mengantisipasi penyakit pascabanjir seperti diare dan
leptospirosis.

Para pegiat lingkungan mendesak pemerintah menata ulang tata ruang dan menghentikan alih fungsi
lahan resapan. "Floods in Jakarta are not only about rain; they are about how the city has been
built," said a researcher from an environmental group. Ia menambahkan, tanpa perbaikan drainase
dan penegakan hukum atas pelanggaran tata ruang, banjir akan terus berulang setiap musim hujan,
dan masyarakat miskin di bantaran sungai yang paling menderita. Pemerintah provinsi berjanji
mengevaluasi seluruh proyek pengendalian banjir bersama DPRD dalam rapat pekan depan, termasuk
pengerukan sungai, pembangunan waduk, dan relokasi warga dari bantaran kali ke rumah susun.`
