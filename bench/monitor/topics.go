package main

import (
	"fmt"
	"strings"

	"warta.dev/warta/internal/monitor"
)

// The benchmark's 200 topics are those of a PR agency that monitors for 20 clients, ten topics
// each, written from the vocabulary of the corpus (internal/monitor/corpus: its templates and
// names) as the clients' staff would write them: the organisation, its people (common names, so
// tied to a place or a subject), its competitors and the issues of its sector. Most issues are
// followed in the client's own city or province, a few (corruption cases, festivals, land fires)
// everywhere; about 57 % of the stories match a topic. A line is "kind | name | query"; {X} are
// the client's values below.
var clientKinds = map[string]string{
	"city": `
brand | Pemkot {C} | "Pemkot {C}" OR "Pemerintah {C}" OR "Pemerintah Kota {C}" OR "{C} administration" OR "{C} city government"
person | Wali Kota {O1} | "{O1}" ("{C}" OR "{P}" OR "{PE}")
person | Sekda {O2} | "{O2}" NEAR/15 "{C}"
issue | Banjir {C} | (banjir OR genangan OR rob OR flood* OR inundat*) "{C}"
issue | Jalan rusak {C} | (jalan NEAR/3 rusak OR "jalan berlubang" OR pothole* OR "damaged road") "{C}"
issue | Layanan kesehatan {C} | (puskesmas OR RSUD OR "demam berdarah" OR DBD OR dengue OR "health centres" OR hospital*) "{C}"
issue | Korupsi dan pungli {C} | (korupsi OR suap OR pungli OR "pungutan liar" OR graft OR bribery OR "illegal fees") "{C}" NOT festival
issue | Sampah {C} | (sampah OR TPA OR limbah OR landfill OR rubbish OR waste) "{C}"
campaign | Hari Jadi {C} | "Hari Jadi {C}" OR "Festival Budaya {C}" OR "{C} Culture Festival" OR "{C} anniversary"
competitor | Investasi {C2} | (investasi OR investment OR UMKM OR "small businesses") "{C2}"`,

	"province": `
brand | Pemprov {P} | "Pemprov {P}" OR "Pemerintah Provinsi {P}" OR "{PE} provincial administration" OR "{PE} provincial government"
person | Gubernur {O1} | "{O1}" ("{P}" OR "{PE}")
issue | Gempa dan longsor {P} | (gempa OR longsor OR earthquake* OR landslide*) ("{P}" OR "{PE}")
issue | Tanggap darurat {P} | ("tanggap darurat" OR "status darurat" OR "emergency response") ("{P}" OR "{PE}")
issue | Ombudsman {P} | Ombudsman ("{P}" OR "{PE}")
issue | Inflasi {P} | (inflasi NEAR/10 beras OR inflation NEAR/10 rice) ("{C}" OR "{C2}" OR "{P}" OR "{PE}")
issue | Stunting {P} | stunting ("{P}" OR "{PE}" OR "{C}" OR "{C2}")
issue | Normalisasi sungai {P} | ("normalisasi sungai" OR pengerukan OR dredg*) ("{C}" OR "{C2}" OR "{P}" OR "{PE}")
campaign | Pilkada {P} | (pilkada OR "regional elections" OR KPU OR Bawaslu) ("{P}" OR "{PE}" OR "{C}" OR "{C2}")
competitor | Pemprov {P2} | "Pemprov {P2}" OR "Pemerintah Provinsi {P2}" OR "{PE2} provincial administration"`,

	"water": `
brand | PDAM {C} | "PDAM {C}" OR "{C} water utility" OR "Perumda Air Minum {C}"
person | Direktur {O1} | "{O1}" (PDAM OR air OR water)
issue | Pipa bocor {C} | (pipa NEAR/5 bocor OR "burst main" OR pipe* NEAR/5 leak*) ("{C}" OR "{P}" OR "{PE}")
issue | Distribusi bergilir {C} | (gilir* OR bergilir OR ration*) (air OR water) ("{C}" OR "{P}" OR "{PE}")
issue | Tarif air | tarif NEAR/5 air OR "water tariff" OR "water rates"
issue | Kekeringan {P} | (kemarau OR kekeringan OR drought* OR "dry season") ("{C}" OR "{P}" OR "{PE}")
issue | Keluhan pelanggan {C} | (pelanggan NEAR/8 keluh* OR customers NEAR/8 complain*) "{C}"
issue | Air bersih {C} | ("air bersih" OR "clean water") "{C}" NOT banjir
competitor | PDAM {C2} | "PDAM {C2}" OR "{C2} water utility"
issue | Sanitasi | (sanitasi OR sanitation) (stunting OR "air bersih" OR "clean water")`,

	"company": `
brand | {CO} | "{CO}"
competitor | {R1} | "{R1}"
competitor | {R2} | "{R2}"
issue | Proyek molor {P} | (proyek NEAR/8 molor OR "behind schedule" OR "falls behind") ("{C}" OR "{P}" OR "{PE}")
issue | Jembatan baru {P} | (jembatan NEAR/10 dibuka OR bridge NEAR/10 open* OR "uji beban" OR "load test") ("{C}" OR "{P}" OR "{PE}")
issue | Lelang dan tender {P} | (lelang* OR tender*) ("{C}" OR "{P}" OR "{PE}")
issue | Kontraktor disorot | (kontraktor* OR contractor*) (jalan OR road* OR jembatan OR bridge*) NOT (festival OR karnaval)
issue | Aspal mengelupas {P} | (aspal NEAR/5 mengelupas OR asphalt NEAR/5 peel*) ("{C}" OR "{P}" OR "{PE}")
person | Dirut {O1} | "{O1}" (proyek OR project OR kontraktor OR contractor)
issue | Dinas PUPR {C} | ("Dinas PUPR" OR "Pekerjaan Umum" OR "public works") "{C}"`,

	"health": `
brand | Dinkes {C} | "Dinas Kesehatan {C}" OR "Dinkes {C}" OR "{C} health office"
person | Kepala Dinkes {O1} | "{O1}" (kesehatan OR health)
issue | DBD {C} | ("demam berdarah" OR DBD OR dengue) ("{C}" OR "{P}")
issue | Stok obat {C} | (obat NEAR/5 kosong OR "empty medicine shelves" OR medicine NEAR/5 shortage*) ("{C}" OR "{P}")
issue | Antrean BPJS {C} | ("BPJS Kesehatan" OR antrean NEAR/5 pasien OR "patients queue") ("{C}" OR "{P}")
issue | Stunting {C} | (stunting OR "kurang gizi" OR malnutrition OR posyandu) ("{C}" OR "{P}")
issue | Pemeriksaan gratis | pemeriksaan NEAR/3 gratis OR "free health checks"
issue | Penyakit pascabanjir | (diare OR leptospirosis OR diarrhoea OR gatal*) (banjir OR flood*) ("{C}" OR "{P}")
issue | RSUD {C} | (RSUD OR "public hospital") ("{C}" OR "{P}")
competitor | Klinik swasta | ("klinik swasta" OR "private clinic" OR "private clinics" OR "apotek swasta") ("{C}" OR "{P}")`,

	"disaster": `
brand | BPBD {P} | (BPBD OR "disaster agency") ("{C}" OR "{P}" OR "{PE}")
issue | Gempa | (gempa* OR earthquake* OR magnitudo OR magnitude) ("{C}" OR "{P}" OR "{PE}")
issue | Longsor | (longsor OR landslide*) ("{C}" OR "{P}" OR "{PE}")
issue | Puting beliung | ("puting beliung" OR whirlwind* OR "angin kencang") ("{C}" OR "{P}" OR "{PE}")
issue | Erupsi | erupsi OR eruption* OR volcano* OR "gunung api"
issue | Pengungsi {P} | (pengungsi* OR evacuee* OR "posko pengungsian") ("{C}" OR "{P}" OR "{PE}")
issue | Cuaca ekstrem | (BMKG NEAR/10 hujan OR BMKG NEAR/10 rain OR "cuaca ekstrem" OR "extreme weather") ("{C}" OR "{P}" OR "{PE}")
issue | Evakuasi | ("perahu karet" OR "rubber boats" OR evakuasi OR evacuat*) ("{C}" OR "{P}" OR "{PE}")
person | Kalaksa {O1} | "{O1}" (BPBD OR bencana OR disaster)
campaign | Siaga darurat | ("tanggap darurat" OR "emergency response" OR "siaga darurat") ("{C}" OR "{P}" OR "{PE}") NOT latihan`,

	"election": `
brand | KPU {C} | "KPU {C}" OR "{C} election commission"
issue | TPS {C} | (TPS OR "polling stations" OR "polling station") ("{C}" OR "{P}")
issue | Pelanggaran kampanye | pelanggaran NEAR/5 kampanye OR "campaign violations"
issue | Bawaslu {C} | (Bawaslu OR "election watchdog") ("{C}" OR "{P}")
issue | Politik uang | "politik uang" OR "money politics" OR "vote buying"
issue | Partisipasi pemilih | "partisipasi pemilih" OR "voter turnout" OR golput
issue | Debat calon {C} | (debat NEAR/5 calon OR "mayoral debate") ("{C}" OR "{P}")
issue | KPPS | KPPS OR "polling officers" OR "bimbingan teknis"
person | Ketua KPU {O1} | "{O1}" (KPU OR pemilu OR election*)
campaign | Pilkada damai | (pilkada OR "regional elections") (damai OR peaceful OR hoaks OR hoax*)`,

	"environment": `
brand | Jaga Pesisir | "Jaga Pesisir" OR "Coastal Watch Indonesia"
issue | Mangrove | mangrove*
issue | Limbah sungai {P} | (limbah NEAR/8 sungai OR "polluted river" OR river NEAR/5 pollut*) ("{C}" OR "{P}" OR "{PE}")
issue | Ikan mati {P} | ("ikan mati" OR "dead fish") ("{C}" OR "{P}" OR "{PE}")
issue | Kebakaran lahan | kebakaran NEAR/3 lahan OR "land fires" OR "forest fires" OR karhutla
issue | Kualitas udara {P} | ("kualitas udara" OR "air quality" OR ISPU) ("{C}" OR "{P}" OR "{PE}")
issue | TPA overkapasitas {P} | (TPA OR landfill*) (overkapasitas OR "over capacity" OR menggunung) ("{C}" OR "{P}" OR "{PE}")
issue | Bank sampah {P} | ("bank sampah" OR "waste bank" OR "sampah plastik" OR "plastic waste") ("{C}" OR "{P}" OR "{PE}")
competitor | Dinas Lingkungan Hidup {P} | ("Dinas Lingkungan Hidup" OR DLH OR "environment agency") ("{C}" OR "{P}" OR "{PE}")
issue | Abrasi pesisir {P} | (abrasi OR erosion) (pesisir OR coast*) ("{C}" OR "{P}" OR "{PE}")`,

	"tourism": `
brand | Dispar {C} | ("Dinas Pariwisata" OR "tourism office") ("{C}" OR "{P}")
issue | Kunjungan wisatawan {P} | (wisatawan* OR tourist* OR "kunjungan wisata") ("{C}" OR "{P}")
issue | Festival kuliner | "festival kuliner" OR "food festival"
issue | Karnaval | (karnaval OR carnival* OR pawai OR parade) ("{C}" OR "{P}")
issue | Festival budaya | "festival budaya" OR "culture festival" OR "cultural festival"
issue | Okupansi hotel | (hotel* NEAR/8 okupansi OR occupancy OR "tingkat hunian") ("{C}" OR "{P}")
issue | Libur panjang | ("libur panjang" OR "long weekend" OR "year-end holidays") ("{C}" OR "{P}")
competitor | Wisata {C2} | (wisata* OR touris*) ("{C2}" OR Lombok OR "Nusa Tenggara Barat" OR "West Nusa Tenggara")
person | Kadispar {O1} | "{O1}" (wisata OR pariwisata OR tourism OR festival)
campaign | {P} aman dikunjungi | ("{C}" OR "{P}") (aman OR safe OR nyaman) NOT gempa NOT earthquake`,

	"transport": `
brand | Trans {C} | "Trans {C}" OR ("bus listrik" OR "electric bus" OR "electric buses") ("{C}" OR "{C2}")
issue | Angkot {C} | (angkot OR minibus* OR "angkutan kota") ("{C}" OR "{C2}")
issue | Penumpang kereta | kereta NEAR/5 penumpang OR train NEAR/5 passenger*
issue | Uji coba satu arah {C} | ("satu arah" OR "one-way" OR "rekayasa lalu lintas") ("{C}" OR "{C2}")
issue | Parkir liar {C} | ("parkir liar" OR "illegal parking" OR "juru parkir") ("{C}" OR "{C2}")
issue | Terminal sepi {P} | (terminal NEAR/5 sepi OR terminal NEAR/5 empt*) ("{C}" OR "{P}" OR "{PE}")
issue | Kemacetan {C} | (macet OR kemacetan OR "traffic jam" OR congest*) ("{C}" OR "{C2}")
competitor | Ojek daring | ("ojek online" OR "ojek daring" OR "ride-hailing" OR ojol) ("{C}" OR "{P}" OR "{PE}")
brand | Dishub {C} | "Dinas Perhubungan {C}" OR "Dishub {C}" OR "{C} transport office"
person | Direktur {O1} | "{O1}" (bus OR kereta OR train OR terminal OR transport*)`,

	"education": `
brand | Disdik {C} | ("Dinas Pendidikan" OR Disdik OR "education office") ("{C}" OR "{P}" OR "{PE}")
issue | Zonasi | (zonasi OR zoning OR PPDB) ("{C}" OR "{P}" OR "{PE}")
issue | Guru honorer | "guru honorer" OR "contract teachers" OR honorer
issue | Sekolah rusak | atap NEAR/5 ambruk OR plafon NEAR/5 ambruk OR roof NEAR/5 collaps*
issue | Laptop sekolah {P} | laptop* ("{C}" OR "{P}" OR "{PE}")
issue | Olimpiade sains | olimpiade OR olympiad
issue | Sekolah diliburkan | (sekolah NEAR/5 libur* OR "sent students home" OR "sent pupils home") ("{C}" OR "{P}" OR "{PE}")
person | Kadisdik {O1} | "{O1}" (pendidikan OR sekolah OR education OR school*)
competitor | Sekolah swasta | "sekolah swasta" OR "private school" OR "private schools"
issue | Beasiswa | beasiswa OR scholarship*`,

	"integrity": `
brand | Indonesia Bersih Watch | "Indonesia Bersih Watch" OR IBW
issue | KPK | KPK OR "Komisi Pemberantasan Korupsi" OR "Corruption Eradication Commission"
issue | Kejaksaan | (Kejari OR kejaksaan OR prosecutor*) (korupsi OR graft)
issue | Tersangka korupsi | tersangka NEAR/5 korupsi OR suspect* NEAR/5 graft
issue | Sidang tipikor | (sidang OR trial) (korupsi OR tipikor OR graft)
issue | Dana hibah | "dana hibah" OR "grant funds" OR hibah
issue | Suap perizinan | suap NEAR/5 izin* OR bribery NEAR/5 permit*
issue | Tuntutan penjara | (dituntut OR tuntutan OR penjara OR prison) (korupsi OR graft)
issue | Pungli rekrutmen | (pungli OR "pungutan liar" OR "illegal fees") (rekrutmen OR recruitment OR pegawai)
competitor | Ombudsman dan inspektorat | (Ombudsman OR inspektorat OR inspectorate) (korupsi OR pungli OR graft OR "illegal fees")`,
}

// clients are the agency's 20 clients: their kind and values. Officials are the corpus's.
var clients = []struct {
	kind string
	vars map[string]string
}{
	{"city", map[string]string{"C": "Surabaya", "C2": "Malang", "P": "Jawa Timur", "PE": "East Java", "O1": "Bambang Sutrisno", "O2": "Sri Wahyuni"}},
	{"city", map[string]string{"C": "Makassar", "C2": "Manado", "P": "Sulawesi Selatan", "PE": "South Sulawesi", "O1": "Andi Syamsuddin", "O2": "Hasan Basri"}},
	{"city", map[string]string{"C": "Medan", "C2": "Padang", "P": "Sumatera Utara", "PE": "North Sumatra", "O1": "Robert Simanjuntak", "O2": "Tiurma Siregar"}},
	{"city", map[string]string{"C": "Bandung", "C2": "Bekasi", "P": "Jawa Barat", "PE": "West Java", "O1": "Dedi Kurniadi", "O2": "Lilis Suryani"}},
	{"city", map[string]string{"C": "Semarang", "C2": "Surakarta", "P": "Jawa Tengah", "PE": "Central Java", "O1": "Teguh Santoso", "O2": "Endang Susilowati"}},
	{"city", map[string]string{"C": "Palembang", "C2": "Jambi", "P": "Sumatera Selatan", "PE": "South Sumatra", "O1": "Rahmat Hidayat", "O2": "Fitri Handayani"}},
	{"province", map[string]string{"P": "Jawa Timur", "PE": "East Java", "C": "Surabaya", "C2": "Malang", "P2": "Jawa Tengah", "PE2": "Central Java", "O1": "Hari Purnomo"}},
	{"province", map[string]string{"P": "Kalimantan Timur", "PE": "East Kalimantan", "C": "Samarinda", "C2": "Balikpapan", "P2": "Kalimantan Selatan", "PE2": "South Kalimantan", "O1": "Darmawan Saputra"}},
	{"water", map[string]string{"C": "Malang", "C2": "Kediri", "P": "Jawa Timur", "PE": "East Java", "O1": "Wahyu Nugroho"}},
	{"water", map[string]string{"C": "Denpasar", "C2": "Mataram", "P": "Bali", "PE": "Bali", "O1": "I Made Sukarta"}},
	{"company", map[string]string{"CO": "PT Karya Bangun Persada", "R1": "PT Cipta Marga Utama", "R2": "PT Sinar Jaya Konstruksi", "C": "Bekasi", "P": "Jawa Barat", "PE": "West Java", "O1": "Joko Susanto"}},
	{"company", map[string]string{"CO": "PT Wahana Beton Mandiri", "R1": "PT Graha Teknik Sejahtera", "R2": "PT Lintas Nusa Rekayasa", "C": "Balikpapan", "P": "Kalimantan Timur", "PE": "East Kalimantan", "O1": "Eko Prasetyo"}},
	{"health", map[string]string{"C": "Yogyakarta", "P": "DI Yogyakarta", "O1": "Ratna Dewi Anggraeni"}},
	{"disaster", map[string]string{"C": "Palu", "P": "Sulawesi Tengah", "PE": "Central Sulawesi", "O1": "Rudy Hermawan"}},
	{"election", map[string]string{"C": "Bandar Lampung", "P": "Lampung", "O1": "Nurul Hidayah"}},
	{"environment", map[string]string{"C": "Pekanbaru", "P": "Riau", "PE": "Riau"}},
	{"tourism", map[string]string{"C": "Denpasar", "C2": "Mataram", "P": "Bali", "O1": "Ni Luh Sekarini"}},
	{"transport", map[string]string{"C": "Semarang", "C2": "Surakarta", "P": "Jawa Tengah", "PE": "Central Java", "O1": "Muhammad Iqbal Harahap"}},
	{"education", map[string]string{"C": "Pontianak", "P": "Kalimantan Barat", "PE": "West Kalimantan", "O1": "Intan Permatasari"}},
	{"integrity", map[string]string{}},
}

// benchTopics returns the clients' topics, each named after its client (its first topic's name).
func benchTopics() ([]monitor.TopicInput, error) {
	var out []monitor.TopicInput
	for _, c := range clients {
		var pairs []string
		for k, v := range c.vars {
			pairs = append(pairs, "{"+k+"}", v)
		}
		r := strings.NewReplacer(pairs...)
		client := ""
		for line := range strings.Lines(clientKinds[c.kind]) {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			parts := strings.SplitN(line, " | ", 3)
			if len(parts) != 3 {
				return nil, fmt.Errorf("topic line %q", line)
			}
			name := r.Replace(parts[1])
			if client == "" {
				client = name
			}
			q := r.Replace(parts[2])
			if strings.Contains(q, "{") {
				return nil, fmt.Errorf("topic %q: a value is missing in %s", name, q)
			}
			if name != client {
				name = client + ": " + name
			}
			out = append(out, monitor.TopicInput{Name: name, Kind: parts[0], Query: q})
		}
	}
	return out, nil
}
