package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/content/approval"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/press/release"
)

// The boilerplate the city's releases end with.
const (
	releaseBoilerplateID = "**Tentang Pemerintah Kota Sukamaju**\n\nKota Sukamaju adalah kota pesisir di Jawa Timur dengan 1,2 juta penduduk."
	releaseBoilerplateEN = "**About the City of Sukamaju**\n\nSukamaju is a coastal city in East Java with 1.2 million residents."
)

// The newsroom's look and its "about us", as the public pages show them.
var newsroomSettings = newsroom.Settings{
	Enabled:      true,
	Title:        "Pusat Media Pemkot Sukamaju",
	TaglineID:    "Siaran pers, foto, dan data resmi Pemerintah Kota Sukamaju",
	TaglineEN:    "Official press releases, photos and facts from the City of Sukamaju",
	ColorPrimary: cityBlue,
	ColorAccent:  cityGold,
	Font:         "humanist",
	BoilerplateID: "**Pemerintah Kota Sukamaju** melayani 1,2 juta warga kota pesisir di Jawa Timur. Bagian Hubungan Masyarakat " +
		"Sekretariat Daerah menyampaikan informasi resmi pemerintah kota kepada media dan publik: siaran pers, foto, data, dan narasumber.\n\n" +
		"Untuk permintaan wawancara dan konfirmasi, hubungi Bagian Humas di humas@sukamaju.example atau +62 31 555 0123 " +
		"(Senin–Jumat, 07.30–16.00 WIB).",
	BoilerplateEN: "**The City of Sukamaju** serves 1.2 million residents of a coastal city in East Java. The Public Relations " +
		"Division of the City Secretariat gives the media and the public the city's official information: press releases, photos, data " +
		"and people to interview.\n\nFor interviews and confirmation, contact Public Relations at humas@sukamaju.example or " +
		"+62 31 555 0123 (Monday to Friday, 07:30–16:00 WIB).",
	FactsID: "- **Luas wilayah:** 187 km²\n- **Penduduk:** 1,2 juta jiwa (2025)\n- **Wilayah administrasi:** 12 kecamatan, 48 kelurahan\n" +
		"- **Wali Kota:** Hendra Kurniawan (2025–2030)\n- **Berdiri:** 1951 (Hari Jadi ke-75 pada 2026)\n- **APBD 2026:** Rp 3,4 triliun\n" +
		"- **Layanan kesehatan:** 30 puskesmas, 2 RSUD, ambulans gratis di setiap kelurahan (112)\n" +
		"- **Pelayanan publik:** Mal Pelayanan Publik dengan 212 jenis layanan dari 18 instansi\n- **Situs resmi:** https://sukamaju.example",
	FactsEN: "- **Area:** 187 km²\n- **Population:** 1.2 million (2025)\n- **Administration:** 12 districts, 48 urban villages\n" +
		"- **Mayor:** Hendra Kurniawan (2025–2030)\n- **Founded:** 1951 (75th anniversary in 2026)\n- **2026 budget:** Rp 3.4 trillion\n" +
		"- **Health care:** 30 community health centres, 2 city hospitals, a free ambulance in every urban village (112)\n" +
		"- **Public services:** a Public Service Mall with 212 services from 18 agencies\n- **Official website:** https://sukamaju.example",
}

// The topics releases are filed under.
var newsroomTopics = []newsroom.Topic{
	{NameID: "Kesehatan", NameEN: "Health"},
	{NameID: "Infrastruktur", NameEN: "Infrastructure"},
	{NameID: "Pelayanan Publik", NameEN: "Public Services"},
	{NameID: "Pariwisata", NameEN: "Tourism"},
}

// photo is a picture drawn by scene, as the media library describes it.
type photo struct {
	scene, filename, alt, credit, licence string
}

type releaseText struct {
	headline, subheadline, body string
}

// pastRelease is a release the office sent before the demo begins: lifted a number of working
// days ago at an hour in the city's zone, approved, and on the newsroom.
type pastRelease struct {
	workdays, hour int
	topics         []string // Indonesian topic names
	featured       bool
	photo          *photo
	id             releaseText
	en             *releaseText
}

// pastReleases are oldest first, so their numbers follow their dates.
var pastReleases = []pastRelease{
	{workdays: 23, hour: 10, topics: []string{"Infrastruktur"},
		photo: &photo{"road", "perbaikan-jalan-sukamaju.png", "Jalan kota beraspal baru dengan marka kuning di tengah dan garis putih di tepi, diapit deretan pohon peneduh",
			"Andi Pratama/Humas Pemkot Sukamaju", "CC BY 4.0"},
		id: releaseText{"Perbaikan 48 kilometer jalan kota rampung sebelum musim hujan",
			"Dinas PUPR juga membersihkan 62 kilometer saluran drainase untuk mengurangi genangan",
			"Dinas Pekerjaan Umum dan Penataan Ruang (PUPR) Kota Sukamaju menyelesaikan perbaikan 48 kilometer jalan kota, dua pekan lebih cepat " +
				"dari jadwal. Perbaikan meliputi pengaspalan ulang, penambalan lubang, dan pengecatan ulang marka di 37 ruas jalan.\n\n" +
				"Bersamaan dengan perbaikan jalan, petugas mengangkat sedimen dari 62 kilometer saluran drainase di kawasan yang kerap tergenang, " +
				"antara lain Jalan Diponegoro, Jalan Merdeka, dan kawasan Pasar Baru.\n\n" +
				"\"Kami kejar agar semua selesai sebelum hujan deras datang. Jalan berlubang bukan hanya membuat tidak nyaman, tetapi juga " +
				"membahayakan pengendara sepeda motor,\" kata Kepala Dinas PUPR Kota Sukamaju, Ir. Bambang Setiawan.\n\n" +
				"Warga dapat melaporkan jalan rusak atau saluran tersumbat melalui kanal **Lapor Sukamaju** di aplikasi Sukamaju Pintar. " +
				"Setiap laporan ditindaklanjuti paling lama tiga hari kerja."},
		en: &releaseText{"Repairs to 48 kilometres of city roads finished before the rainy season",
			"The public works office also cleared 62 kilometres of drains to reduce flooding",
			"The City of Sukamaju's Public Works and Spatial Planning Office has finished repairing 48 kilometres of city roads, two weeks " +
				"ahead of schedule. The work covered resurfacing, filling potholes and repainting road markings on 37 roads.\n\n" +
				"At the same time, crews removed sediment from 62 kilometres of drains in areas that often flood, including Jalan Diponegoro, " +
				"Jalan Merdeka and the Pasar Baru area.\n\n" +
				"\"We pushed to finish everything before the heavy rain arrives. Potholes are not only uncomfortable, they are dangerous for " +
				"motorcyclists,\" said Bambang Setiawan, head of the city's public works office.\n\n" +
				"Residents can report damaged roads or blocked drains through **Lapor Sukamaju** in the Sukamaju Pintar app. Every report is " +
				"followed up within three working days."}},
	{workdays: 19, hour: 9, topics: []string{"Kesehatan"},
		id: releaseText{"Ambulans gratis kini siaga di seluruh 48 kelurahan Kota Sukamaju",
			"Warga cukup menghubungi 112; dalam uji coba, ambulans tiba rata-rata 15 menit setelah panggilan",
			"Pemerintah Kota Sukamaju menambah 20 unit ambulans sehingga kini setiap kelurahan memiliki ambulans yang siaga 24 jam. Layanan ini " +
				"gratis bagi seluruh warga Sukamaju dan dapat dipanggil melalui nomor darurat 112.\n\n" +
				"Ambulans ditempatkan di 30 puskesmas dan 18 pos kelurahan, dilengkapi peralatan gawat darurat dasar, dan diawaki tenaga " +
				"kesehatan terlatih. Dalam uji coba di 12 kelurahan, ambulans tiba di lokasi rata-rata 15 menit setelah panggilan diterima.\n\n" +
				"\"Dalam keadaan darurat, setiap menit sangat berarti. Kami ingin tidak ada lagi warga yang terpaksa membawa keluarganya yang " +
				"sakit ke rumah sakit dengan sepeda motor,\" kata Kepala Dinas Kesehatan Kota Sukamaju, dr. Maya Anggraini, M.Kes.\n\n" +
				"Pengadaan ambulans dibiayai APBD Kota Sukamaju 2026 sebesar Rp 9,6 miliar. Dinas Kesehatan mengingatkan warga agar nomor 112 " +
				"hanya digunakan untuk keadaan darurat."}},
	{workdays: 15, hour: 10, topics: []string{"Pelayanan Publik"},
		id: releaseText{"Urus akta kelahiran dan KIA kini cukup dari rumah lewat aplikasi Sukamaju Pintar",
			"Dokumen terbit dalam bentuk elektronik dengan tanda tangan elektronik tersertifikasi, tanpa perlu datang ke kantor",
			"Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil) Kota Sukamaju meluncurkan layanan pengurusan akta kelahiran dan Kartu " +
				"Identitas Anak (KIA) secara daring melalui aplikasi Sukamaju Pintar. Warga cukup mengunggah dokumen persyaratan dari ponsel.\n\n" +
				"Akta kelahiran dan KIA diterbitkan sebagai dokumen elektronik bertanda tangan elektronik tersertifikasi, yang sah dan dapat " +
				"dicetak sendiri. Permohonan yang lengkap diproses paling lama tiga hari kerja.\n\n" +
				"\"Orang tua yang baru memiliki bayi semestinya tidak perlu antre di kantor. Cukup dari rumah, dan dokumennya sampai di ponsel,\" " +
				"kata Kepala Disdukcapil Kota Sukamaju, Yuliana Hartono.\n\n" +
				"Selama masa uji coba pada September dan Oktober, Disdukcapil menerbitkan 3.120 akta kelahiran secara daring. Warga yang " +
				"mengalami kendala dapat menghubungi layanan pengaduan melalui WhatsApp di nomor 0811-3300-112."}},
	{workdays: 11, hour: 9, topics: []string{"Infrastruktur"},
		photo: &photo{"bridge", "jembatan-kali-jaya.png", "Jembatan Kali Jaya dengan lengkung baja merah membentang di atas sungai, dengan deretan rumah warga di seberang",
			"Andi Pratama/Humas Pemkot Sukamaju", "CC BY 4.0"},
		id: releaseText{"Jembatan Kali Jaya dibuka, warga Sukamaju Utara hemat 20 menit ke pusat kota",
			"Jembatan sepanjang 120 meter itu dilengkapi jalur pejalan kaki dan lajur sepeda di kedua sisinya",
			"Wali Kota Sukamaju, Hendra Kurniawan, meresmikan Jembatan Kali Jaya yang menghubungkan Kecamatan Sukamaju Utara dengan pusat kota. " +
				"Jembatan baru ini memangkas waktu tempuh warga Sukamaju Utara ke pusat kota sekitar 20 menit pada jam sibuk.\n\n" +
				"Jembatan sepanjang 120 meter dan selebar 18 meter ini dibangun sejak Agustus 2025 dengan anggaran Rp 86 miliar dari APBD Kota " +
				"Sukamaju dan bantuan keuangan Provinsi Jawa Timur. Selain empat lajur kendaraan, jembatan dilengkapi jalur pejalan kaki dan " +
				"lajur sepeda di kedua sisi.\n\n" +
				"\"Selama ini warga Sukamaju Utara harus memutar lewat Jalan Raya Pelabuhan yang padat kendaraan berat. Kini anak-anak sekolah " +
				"pun bisa bersepeda dengan aman ke pusat kota,\" kata Hendra.\n\n" +
				"Kepala Dinas PUPR, Ir. Bambang Setiawan, memastikan jembatan telah lulus uji beban dan dinyatakan laik fungsi oleh Komisi " +
				"Keamanan Jembatan dan Terowongan Jalan. Jembatan dibuka untuk umum mulai pukul 14.00 WIB pada hari peresmian."}},
	{workdays: 8, hour: 14, topics: []string{"Pariwisata"}, featured: true,
		photo: &photo{"festival", "festival-pesisir-2026.png", "Tenda-tenda warna-warni pelaku UMKM berjajar di Pantai Tanjung Sari di bawah untaian bendera saat matahari terbenam",
			"Dinas Pariwisata dan Kebudayaan Kota Sukamaju", "CC BY 4.0"},
		id: releaseText{"Festival Pesisir Sukamaju 2026 dihadiri 85 ribu pengunjung",
			"Perputaran uang selama tiga hari festival diperkirakan mencapai Rp 14 miliar, sebagian besar di UMKM lokal",
			"Festival Pesisir Sukamaju 2026 yang berlangsung tiga hari di Pantai Tanjung Sari telah ditutup dengan pesta kembang api." +
				" Panitia mencatat sekitar 85.000 pengunjung, naik 30 persen dibandingkan tahun lalu.\n\n" +
				"Festival menghadirkan lomba perahu hias nelayan, parade budaya pesisir, panggung musik, serta 160 stan kuliner dan kerajinan " +
				"milik pelaku UMKM Sukamaju. Dinas Pariwisata dan Kebudayaan memperkirakan perputaran uang selama festival mencapai Rp 14 miliar.\n\n" +
				"\"Festival ini milik warga pesisir. Yang paling membahagiakan bagi kami adalah melihat stan-stan UMKM kehabisan dagangan sebelum " +
				"malam tiba,\" kata Kepala Dinas Pariwisata dan Kebudayaan Kota Sukamaju, Agus Prasetyo.\n\n" +
				"Tingkat hunian hotel di Sukamaju selama festival mencapai 92 persen. Pemerintah Kota Sukamaju akan mengusulkan Festival Pesisir " +
				"masuk kalender pariwisata Provinsi Jawa Timur tahun depan."},
		en: &releaseText{"Sukamaju Coastal Festival 2026 draws 85,000 visitors",
			"Spending over the three days is estimated at Rp 14 billion, most of it at local small businesses",
			"The three-day Sukamaju Coastal Festival 2026 at Tanjung Sari Beach has closed with fireworks. The organisers counted " +
				"about 85,000 visitors, 30 per cent more than last year.\n\n" +
				"The festival featured a decorated fishing boat race, a parade of coastal culture, a music stage, and 160 food and craft stalls " +
				"run by Sukamaju's small businesses. The city's tourism and culture office estimates that visitors spent Rp 14 billion.\n\n" +
				"\"This festival belongs to the people of the coast. What made us happiest was seeing the small businesses sell out before " +
				"nightfall,\" said Agus Prasetyo, head of the city's tourism and culture office.\n\n" +
				"Hotel occupancy in Sukamaju reached 92 per cent during the festival. The city will propose the Coastal Festival for East Java's " +
				"provincial tourism calendar next year."}},
	{workdays: 5, hour: 13, topics: []string{"Kesehatan"},
		photo: &photo{"puskesmas", "puskesmas-sukamaju.png", "Gedung Puskesmas Sukamaju bercat putih beratap merah dengan papan nama hijau",
			"Dinas Kesehatan Kota Sukamaju", "CC BY 4.0"},
		id: releaseText{"Cakupan imunisasi dasar lengkap di Kota Sukamaju capai 96 persen",
			"Capaian tertinggi dalam lima tahun terakhir, berkat layanan jemput bola di posyandu dan sekolah",
			"Dinas Kesehatan Kota Sukamaju mencatat cakupan imunisasi dasar lengkap pada bayi mencapai 96 persen hingga akhir Oktober 2026, " +
				"naik dari 88 persen pada tahun lalu. Angka ini melampaui target nasional sebesar 95 persen.\n\n" +
				"Kenaikan tersebut didorong layanan jemput bola di 412 posyandu serta pengingat jadwal imunisasi melalui WhatsApp kepada orang " +
				"tua. Petugas dari 30 puskesmas juga mendatangi keluarga yang belum sempat membawa anaknya ke fasilitas kesehatan.\n\n" +
				"\"Setiap anak yang terlindungi berarti satu keluarga terhindar dari biaya dan kekhawatiran akibat penyakit yang sebenarnya bisa " +
				"dicegah. Terima kasih kepada para kader posyandu yang bekerja tanpa kenal lelah,\" kata Kepala Dinas Kesehatan Kota Sukamaju, " +
				"dr. Maya Anggraini, M.Kes.\n\n" +
				"Dinas Kesehatan mengimbau orang tua yang imunisasi anaknya belum lengkap untuk datang ke puskesmas atau posyandu terdekat. " +
				"Imunisasi di seluruh puskesmas tidak dipungut biaya."}},
	{workdays: 2, hour: 10, topics: []string{"Pelayanan Publik"},
		photo: &photo{"mall", "mal-pelayanan-publik.png", "Gedung Mal Pelayanan Publik Sukamaju dengan fasad kaca dan papan nama biru di atas pintu masuk",
			"Andi Pratama/Humas Pemkot Sukamaju", "CC BY 4.0"},
		id: releaseText{"Mal Pelayanan Publik Sukamaju kini buka setiap Sabtu",
			"212 jenis layanan dari 18 instansi dapat diurus dalam satu gedung, kini juga pada akhir pekan",
			"Pemerintah Kota Sukamaju memperpanjang jam layanan Mal Pelayanan Publik (MPP) di Jalan Pahlawan. Mulai pekan ini, MPP buka setiap " +
				"Sabtu pukul 08.00–14.00 WIB, selain hari kerja pukul 07.30–16.00 WIB.\n\n" +
				"Di MPP, warga dapat mengurus 212 jenis layanan dari 18 instansi dalam satu gedung, antara lain KTP elektronik, akta kelahiran, " +
				"perizinan usaha, paspor, BPJS Kesehatan, dan pembayaran pajak daerah. Sepanjang Januari–Oktober 2026, MPP melayani rata-rata " +
				"1.450 warga per hari.\n\n" +
				"\"Banyak warga yang bekerja tidak bisa izin dari kantor hanya untuk mengurus dokumen. Dengan layanan hari Sabtu, mereka tidak " +
				"perlu lagi memilih antara pekerjaan dan urusan administrasi,\" kata Wali Kota Sukamaju, Hendra Kurniawan, saat meninjau MPP.\n\n" +
				"Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu, Siti Rahmawati, menambahkan bahwa warga dapat mengambil nomor " +
				"antrean dari rumah melalui aplikasi Sukamaju Pintar. Daftar layanan dan persyaratannya tersedia di https://sukamaju.example/mpp."},
		en: &releaseText{"Sukamaju Public Service Mall now opens every Saturday",
			"212 services from 18 agencies under one roof, now at the weekend too",
			"The City of Sukamaju has extended the opening hours of its Public Service Mall on Jalan Pahlawan. From this week the mall opens " +
				"every Saturday from 08:00 to 14:00 WIB, as well as on weekdays from 07:30 to 16:00 WIB.\n\n" +
				"At the mall, residents can use 212 services from 18 agencies in one building, among them electronic ID cards, birth " +
				"certificates, business licences, passports, national health insurance and local tax payments. From January to October 2026 " +
				"the mall served an average of 1,450 residents a day.\n\n" +
				"\"Many working residents cannot take time off just to sort out documents. With Saturday opening, they no longer have to " +
				"choose between their job and their paperwork,\" said the Mayor of Sukamaju, Hendra Kurniawan, on a visit to the mall.\n\n" +
				"Siti Rahmawati, head of the city's investment and one-stop services office, added that residents can take a queue number " +
				"from home in the Sukamaju Pintar app. The list of services and what each needs is at https://sukamaju.example/mpp."}},
}

// kitFile is a file of the media kit, drawn or written by make.
type kitFile struct {
	kind                                  kit.Kind
	title, filename, alt, credit, licence string
	make                                  func() ([]byte, error)
}

const photoLicence = "Bebas dipakai untuk pemberitaan dengan mencantumkan kredit"

var kitFiles = []kitFile{
	{kit.Logo, "Logo Pemkot Sukamaju (horizontal, latar transparan)", "logo-pemkot-sukamaju.png",
		"Logo Pemerintah Kota Sukamaju: lambang bundar biru bertuliskan SK di atas gelombang, dengan tulisan Pemerintah Kota Sukamaju",
		"Pemerintah Kota Sukamaju", "Untuk pemberitaan; jangan mengubah warna dan bentuknya", logoWide},
	{kit.Logo, "Lambang Pemkot Sukamaju (persegi, untuk media sosial)", "lambang-pemkot-sukamaju.png",
		"Lambang Pemerintah Kota Sukamaju: lingkaran putih berbingkai emas bertuliskan SK di atas gelombang, pada latar biru",
		"Pemerintah Kota Sukamaju", "Untuk pemberitaan; jangan mengubah warna dan bentuknya", logoSquare},
	{kit.Photo, "Balai Kota Sukamaju", "balai-kota-sukamaju.png",
		"Gedung Balai Kota Sukamaju bercat putih dengan deretan pilar dan bendera Merah Putih di halaman depan",
		"Andi Pratama/Humas Pemkot Sukamaju", "CC BY 4.0", func() ([]byte, error) { return scene("cityhall") }},
	{kit.Photo, "Pantai Tanjung Sari saat senja", "pantai-tanjung-sari.png",
		"Perahu nelayan berlayar putih di Pantai Tanjung Sari saat matahari terbenam, dengan pohon kelapa di tepi pantai",
		"Dinas Pariwisata dan Kebudayaan Kota Sukamaju", "CC BY 4.0", func() ([]byte, error) { return scene("beach") }},
	{kit.Photo, "Alun-alun dan Masjid Agung Sukamaju", "alun-alun-sukamaju.png",
		"Dua pohon beringin di Alun-alun Sukamaju dengan Masjid Agung berkubah hijau di latar belakang",
		"Andi Pratama/Humas Pemkot Sukamaju", photoLicence, func() ([]byte, error) { return scene("square") }},
	{kit.Document, "Lembar fakta Kota Sukamaju 2026", "lembar-fakta-sukamaju-2026.pdf", "", "Bagian Humas Pemkot Sukamaju", "",
		func() ([]byte, error) { return factSheetPDF("Lembar Fakta Kota Sukamaju 2026", factSheet), nil }},
}

// factSheet is the PDF's text (ASCII: see factSheetPDF).
var factSheet = []string{
	"# Profil kota",
	"Kota Sukamaju adalah kota pesisir di Jawa Timur, berdiri pada 1951.",
	"Luas wilayah: 187 km persegi. Penduduk: 1,2 juta jiwa (2025).",
	"Wilayah administrasi: 12 kecamatan dan 48 kelurahan.",
	"Wali Kota: Hendra Kurniawan (masa jabatan 2025-2030).",
	"",
	"# Anggaran dan layanan",
	"APBD 2026: Rp 3,4 triliun.",
	"Kesehatan: 30 puskesmas, 2 RSUD, ambulans gratis 24 jam di setiap kelurahan (112).",
	"Mal Pelayanan Publik: 212 jenis layanan dari 18 instansi, buka Senin-Sabtu.",
	"Aplikasi Sukamaju Pintar: antrean daring, dokumen kependudukan, Lapor Sukamaju.",
	"",
	"# Ekonomi dan pariwisata",
	"Festival Pesisir 2026: 85.000 pengunjung, perputaran uang Rp 14 miliar.",
	"Destinasi: Pantai Tanjung Sari, Alun-alun dan Masjid Agung, Jembatan Kali Jaya.",
	"",
	"# Kontak media",
	"Bagian Humas Sekretariat Daerah Kota Sukamaju",
	"humas@sukamaju.example | +62 31 555 0123 | https://sukamaju.example",
}

// spokesperson is a kit profile with the look of its drawn portrait.
type spokesperson struct {
	in                   kit.PersonInput
	hijab, clothes, file string
	whiteCoat            bool
}

var spokespeople = []spokesperson{
	{in: kit.PersonInput{Name: "Rina Wulandari, S.I.Kom.", TitleID: "Kepala Bagian Humas Sekretariat Daerah Kota Sukamaju",
		TitleEN: "Head of Public Relations, City of Sukamaju", Topics: "kebijakan dan agenda Wali Kota, pelayanan publik, Hari Jadi Kota",
		Email: AdminEmail, Phone: "+62 812-3456-7890",
		BioID: "Rina memimpin Bagian Humas sejak 2022 dan sebelumnya sepuluh tahun menjadi jurnalis di harian regional Jawa Timur. Ia menjadi " +
			"juru bicara resmi Pemerintah Kota Sukamaju untuk kebijakan umum dan agenda Wali Kota.",
		BioEN: "Rina has led the city's public relations since 2022, after ten years as a reporter for a regional daily in East Java. She is " +
			"the City of Sukamaju's official spokesperson on general policy and the Mayor's agenda.", Public: true},
		hijab: cityBlue, clothes: "#a08c5b", file: "rina-wulandari.png"},
	{in: kit.PersonInput{Name: "dr. Maya Anggraini, M.Kes.", TitleID: "Kepala Dinas Kesehatan Kota Sukamaju",
		TitleEN: "Head of the Sukamaju City Health Office", Topics: "kesehatan masyarakat, puskesmas, imunisasi, ambulans 112",
		Email: "dinkes@sukamaju.example", Phone: "+62 31 555 0140",
		BioID: "Dokter dan ahli kesehatan masyarakat, memimpin Dinas Kesehatan sejak 2024. Sebelumnya ia mengepalai Puskesmas Sukamaju Utara " +
			"dan memimpin program imunisasi kota.",
		BioEN: "A physician and public health specialist, she has headed the health office since 2024. She previously ran the North Sukamaju " +
			"community health centre and led the city's immunisation programme.", Public: true},
		clothes: "#2a7a8c", file: "maya-anggraini.png", whiteCoat: true},
}

// subscribers have confirmed the newsroom's emails; topics are Indonesian names, none for all.
var subscribers = []struct {
	email, name, lang string
	topics            []string
}{
	{"nadia.putri@kabarsukamaju.example", "Nadia Putri", "id", nil},
	{"redaksi@suarapesisir.example", "Redaksi Suara Pesisir", "id", []string{"Infrastruktur", "Pelayanan Publik"}},
	{"james.walker@eastjavapost.example", "James Walker", "en", []string{"Pariwisata", "Kesehatan"}},
}

// loadNewsroom opens the city's press room: its look, topics and media kit, the releases the office
// sent over the past month (approved by approver, then copied to the newsroom by its sync), and a
// few confirmed subscribers.
func loadNewsroom(ctx context.Context, a *app.App, actor, approver audit.Actor, wsID int64, zone *time.Location) error {
	logo, err := loadKit(ctx, a, actor, wsID)
	if err != nil {
		return err
	}
	st, err := a.Newsroom.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	want := newsroomSettings
	want.WorkspaceID, want.Slug, want.LogoAssetID = wsID, st.Slug, logo
	if err := a.Newsroom.SaveSettings(ctx, actor, &want); err != nil {
		return err
	}
	topics := map[string]int64{}
	for _, t := range newsroomTopics {
		saved, err := a.Newsroom.SaveTopic(ctx, actor, wsID, t)
		if err != nil {
			return err
		}
		topics[t.NameID] = saved.ID
	}
	type placement struct {
		release  int64
		featured bool
		topics   []int64
	}
	var placements []placement
	for _, pr := range pastReleases {
		ids, err := sendPastRelease(ctx, a, actor, approver, wsID, zone, pr)
		if err != nil {
			return fmt.Errorf("demo release %q: %w", pr.id.headline, err)
		}
		var filed []int64
		for _, name := range pr.topics {
			filed = append(filed, topics[name])
		}
		for i, id := range ids {
			placements = append(placements, placement{id, pr.featured && i == 0, filed})
		}
	}
	// The newsroom copies approved releases in a periodic job; the demo does not wait for it.
	if err := a.Newsroom.SyncChanged(ctx); err != nil {
		return err
	}
	for _, p := range placements {
		if err := a.Newsroom.SetPlacement(ctx, actor, wsID, p.release, newsroom.Public, p.featured, p.topics); err != nil {
			return err
		}
	}
	home := a.Newsroom.URL(&want)
	for _, s := range subscribers {
		var chosen []int64
		for _, name := range s.topics {
			chosen = append(chosen, topics[name])
		}
		// The token only ever travels in the confirmation email; the demo opens the link itself.
		var token string
		if err := a.Subscribers.Subscribe(ctx, subscribe.Request{WorkspaceID: wsID, Email: s.email, Name: s.name, Lang: s.lang,
			Topics: chosen, NewsroomName: want.Title, ConfirmURL: func(t string) string { token = t; return home + "/confirm/" + t }}); err != nil {
			return err
		}
		if _, err := a.Subscribers.Confirm(ctx, token); err != nil {
			return err
		}
	}
	return nil
}

// loadKit fills the media kit and the spokespeople; it returns the logo's asset for the newsroom's
// header.
func loadKit(ctx context.Context, a *app.App, actor audit.Actor, wsID int64) (int64, error) {
	var logo int64
	for _, f := range kitFiles {
		body, err := f.make()
		if err != nil {
			return 0, err
		}
		it, err := a.Kit.Add(ctx, actor, wsID, kit.ItemInput{Kind: f.kind, Title: f.title, Alt: f.alt, Credit: f.credit, Licence: f.licence,
			Public: true}, kit.Upload{Filename: f.filename, Body: bytes.NewReader(body)})
		if err != nil {
			return 0, fmt.Errorf("demo kit %q: %w", f.title, err)
		}
		if logo == 0 && f.kind == kit.Logo {
			logo = it.Asset.ID
		}
	}
	for _, p := range spokespeople {
		body, err := portrait(p.hijab, p.clothes, p.whiteCoat)
		if err != nil {
			return 0, err
		}
		if _, err := a.Kit.AddPerson(ctx, actor, wsID, p.in, kit.Upload{Filename: p.file, Body: bytes.NewReader(body)}); err != nil {
			return 0, fmt.Errorf("demo spokesperson %q: %w", p.in.Name, err)
		}
	}
	return logo, nil
}

// sendPastRelease writes a release (and its English version), asks for approval and has it
// approved, as the office did on the day. It returns the versions' ids, Indonesian first.
func sendPastRelease(ctx context.Context, a *app.App, actor, approver audit.Actor, wsID int64, zone *time.Location, pr pastRelease) ([]int64, error) {
	lift := workdaysAgo(time.Now().In(zone), pr.workdays, pr.hour)
	var attachments []int64
	if p := pr.photo; p != nil {
		body, err := scene(p.scene)
		if err != nil {
			return nil, err
		}
		asset, err := a.Library.Upload(ctx, medialib.Actor(actor), wsID, p.filename, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if _, err := a.Library.Update(ctx, medialib.Actor(actor), wsID, asset.ID, p.alt, p.credit, p.licence); err != nil {
			return nil, err
		}
		attachments = []int64{asset.ID}
	}
	r, err := a.Releases.Create(ctx, actor, wsID, release.Input{Lang: "id", Headline: pr.id.headline, Subheadline: pr.id.subheadline,
		DatelineCity: "Sukamaju", DatelineDate: lift.Format(time.DateOnly), Body: pr.id.body, Boilerplate: releaseBoilerplateID,
		ContactName: "Rina Wulandari", ContactRole: "Kepala Bagian Humas", ContactPhone: "+62 812-3456-7890", ContactEmail: AdminEmail,
		Embargo: &lift, Zone: zone.String(), Attachments: attachments}, zone)
	if err != nil {
		return nil, err
	}
	versions := []*release.Release{r}
	if pr.en != nil {
		en, err := a.Releases.Translate(ctx, actor, wsID, r.ID)
		if err != nil {
			return nil, err
		}
		en, err = a.Releases.Update(ctx, actor, wsID, en.ID, release.Input{Number: en.Number, Headline: pr.en.headline,
			Subheadline: pr.en.subheadline, DatelineCity: "Sukamaju", DatelineDate: en.DatelineDate, Body: pr.en.body,
			Boilerplate: releaseBoilerplateEN, ContactName: en.ContactName, ContactRole: "Head of Public Relations",
			ContactPhone: en.ContactPhone, ContactEmail: en.ContactEmail, Embargo: en.Embargo, Zone: en.Zone, Attachments: attachments,
			BaseVersion: en.Version})
		if err != nil {
			return nil, err
		}
		versions = append(versions, en)
	}
	ids := make([]int64, 0, len(versions))
	for _, v := range versions {
		if err := a.Releases.Submit(ctx, actor, wsID, v.ID); err != nil {
			return nil, err
		}
		out, err := a.Approvals.Decide(ctx, approver, approval.Reviewer{UserID: approver.UserID}, wsID, v.ItemID, 0, true, "")
		if err != nil {
			return nil, err
		}
		if out != approval.OutcomeApproved {
			return nil, fmt.Errorf("approval left the release %s", out)
		}
		ids = append(ids, v.ID)
	}
	return ids, nil
}

// workdaysAgo is n working days (Monday to Friday) before now, at hour o'clock in now's zone.
func workdaysAgo(now time.Time, n, hour int) time.Time {
	d := now
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n--
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, now.Location())
}
