package corpus

// Real cities with their provinces; everything below them is invented.
var places = []struct{ city, prov, provEN string }{
	{"Semarang", "Jawa Tengah", "Central Java"}, {"Surakarta", "Jawa Tengah", "Central Java"}, {"Tegal", "Jawa Tengah", "Central Java"},
	{"Surabaya", "Jawa Timur", "East Java"}, {"Malang", "Jawa Timur", "East Java"}, {"Kediri", "Jawa Timur", "East Java"},
	{"Jember", "Jawa Timur", "East Java"}, {"Banyuwangi", "Jawa Timur", "East Java"}, {"Bandung", "Jawa Barat", "West Java"},
	{"Bekasi", "Jawa Barat", "West Java"}, {"Bogor", "Jawa Barat", "West Java"}, {"Cirebon", "Jawa Barat", "West Java"},
	{"Yogyakarta", "DI Yogyakarta", "Yogyakarta"}, {"Serang", "Banten", "Banten"}, {"Medan", "Sumatera Utara", "North Sumatra"},
	{"Padang", "Sumatera Barat", "West Sumatra"}, {"Pekanbaru", "Riau", "Riau"}, {"Jambi", "Jambi", "Jambi"},
	{"Palembang", "Sumatera Selatan", "South Sumatra"}, {"Bengkulu", "Bengkulu", "Bengkulu"}, {"Bandar Lampung", "Lampung", "Lampung"},
	{"Banda Aceh", "Aceh", "Aceh"}, {"Pontianak", "Kalimantan Barat", "West Kalimantan"},
	{"Banjarmasin", "Kalimantan Selatan", "South Kalimantan"}, {"Samarinda", "Kalimantan Timur", "East Kalimantan"},
	{"Balikpapan", "Kalimantan Timur", "East Kalimantan"}, {"Palangka Raya", "Kalimantan Tengah", "Central Kalimantan"},
	{"Manado", "Sulawesi Utara", "North Sulawesi"}, {"Makassar", "Sulawesi Selatan", "South Sulawesi"},
	{"Palu", "Sulawesi Tengah", "Central Sulawesi"}, {"Kendari", "Sulawesi Tenggara", "Southeast Sulawesi"},
	{"Gorontalo", "Gorontalo", "Gorontalo"}, {"Denpasar", "Bali", "Bali"}, {"Mataram", "Nusa Tenggara Barat", "West Nusa Tenggara"},
	{"Kupang", "Nusa Tenggara Timur", "East Nusa Tenggara"}, {"Ambon", "Maluku", "Maluku"}, {"Ternate", "Maluku Utara", "North Maluku"},
	{"Jayapura", "Papua", "Papua"}, {"Sorong", "Papua Barat Daya", "Southwest Papua"}, {"Merauke", "Papua Selatan", "South Papua"},
}

var districts = []string{"Sukorejo", "Tegalsari", "Karangrejo", "Sumbersari", "Kedungwaru", "Mulyorejo", "Margomulyo", "Sidomukti",
	"Gunungsari", "Tanjungsari", "Pasirsari", "Banjarsari", "Kebonsari", "Rejosari", "Mekarjaya", "Talang Kelapa", "Kota Baru",
	"Tanjung Harapan", "Bukit Indah", "Sungai Lima", "Pantai Timur", "Lembah Hijau", "Air Mancur", "Padang Luas"}

var villages = []string{"Kebon Agung", "Sidomulyo", "Pandanwangi", "Karanganyar", "Tegalrejo", "Margasari", "Mekarsari", "Sukamulya",
	"Jatimulyo", "Wonorejo", "Purwodadi", "Cempaka Putih", "Kampung Baru", "Tanjung Mas", "Sungai Bambu", "Batu Merah",
	"Lorong Dalam", "Kali Anyar", "Bandar Raya", "Pulau Kecil", "Taman Sari", "Gedong Kuning", "Pasar Lama", "Bojongsari"}

var streets = []string{"Jalan Ahmad Yani", "Jalan Sudirman", "Jalan Diponegoro", "Jalan Gatot Subroto", "Jalan Pahlawan",
	"Jalan Veteran", "Jalan Imam Bonjol", "Jalan Pemuda", "Jalan Gajah Mada", "Jalan Hayam Wuruk", "Jalan Raya Pelabuhan",
	"Jalan Merdeka", "Jalan Kartini", "Jalan Cut Nyak Dien", "Jalan Hasanuddin", "Jalan Pattimura", "Jalan Raya Lingkar Timur"}

var companies = []string{"PT Karya Bangun Persada", "PT Cipta Marga Utama", "PT Sinar Jaya Konstruksi", "CV Mitra Abadi Teknik",
	"PT Wahana Beton Mandiri", "PT Graha Teknik Sejahtera", "CV Putra Tunggal Jaya", "PT Lintas Nusa Rekayasa"}

var officials = []string{"Bambang Sutrisno", "Sri Wahyuni", "Dedi Kurniadi", "Yuliana Sari", "Hari Purnomo", "Endang Susilowati",
	"Rudy Hermawan", "Nurul Hidayah", "Teguh Santoso", "Wahyu Nugroho", "Ratna Dewi Anggraeni", "Joko Susanto", "Fitri Handayani",
	"Eko Prasetyo", "Lilis Suryani", "Darmawan Saputra", "Intan Permatasari", "Hasan Basri", "Rahmat Hidayat", "Yohana Manuhutu",
	"Frans Wonda", "I Made Sukarta", "Ni Luh Sekarini", "Andi Syamsuddin", "Muhammad Iqbal Harahap", "Dian Puspitasari",
	"Robert Simanjuntak", "Tiurma Siregar", "Suryadi Lubis", "Abdul Rahman Tuasikal", "Maria Goreti Lake", "Gede Widiana"}

var residents = []string{"Sumarni", "Darto", "Siti Aminah", "Yanto", "Rukmini", "Slamet", "Wartini", "Ujang Suherman", "Nengsih",
	"Ahmad Syukur", "Marlina", "Hendrik Lumban", "Wayan Sudira", "Kartini Rahayu", "Suparno", "Lastri", "Mardiyah", "Rosalina",
	"Yusuf Mansur Lubis", "Tono Sugiarto", "Aisyah Putri", "Barnabas Yikwa", "Komang Arta", "Heru Santoso", "Nur Aini"}

var reporters = []string{"Ahmad Fauzan", "Dewi Kartika", "Rizky Ramadhan", "Novita Sari", "Bayu Aji Pratama", "Larasati Wening",
	"Fikri Haikal", "Anggun Maharani", "Yogi Saputra", "Melati Suryaningsih", "Irfan Maulana", "Putu Eka Yasa", "Sartika Nasution",
	"Daniel Tampubolon", "Citra Ayu Lestari", "Gilang Permana"}

var (
	daysID   = [7]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	daysEN   = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthsID = [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
	monthsEN = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)
