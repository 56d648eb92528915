package tabular

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// ImportFields are the contact fields an import column can map to.
var ImportFields = []string{
	"name", "first_name", "last_name", "salutation", "email", "email2", "phone", "mobile", "whatsapp", "outlet",
	"role", "beats", "province", "city", "country", "languages", "x", "instagram", "linkedin", "facebook", "tiktok",
	"youtube", "website", "notes", "labels", "consent",
}

// aliases maps a normalised header (lower case, no accents, words separated by one space) to a field. The names
// are those of Cision, Muck Rack and Prowly exports and of spreadsheets people keep in Indonesian and English.
var aliases = map[string]string{}

func init() {
	for field, names := range map[string][]string{
		"name": {"name", "full name", "fullname", "contact name", "contact", "journalist", "journalist name",
			"nama", "nama lengkap", "nama wartawan", "nama jurnalis", "nama kontak", "wartawan", "jurnalis",
			"contact full name", "display name"},
		"first_name": {"first name", "firstname", "given name", "first", "nama depan", "contact first name"},
		"last_name":  {"last name", "lastname", "surname", "family name", "last", "nama belakang", "contact last name"},
		"salutation": {"salutation", "prefix", "honorific", "sapaan", "panggilan", "gelar", "title prefix", "mr ms"},
		"email": {"email", "e mail", "email address", "e mail address", "mail", "work email", "primary email",
			"business email", "contact email", "surel", "alamat email", "alamat surel", "email 1", "email1",
			"surel 1", "emails"},
		"email2": {"email 2", "email2", "secondary email", "alternate email", "alternative email", "other email",
			"personal email", "email lain", "email pribadi", "surel 2"},
		"phone": {"phone", "phone number", "telephone", "tel", "telp", "telepon", "no telepon", "nomor telepon",
			"no telp", "work phone", "office phone", "business phone", "direct phone", "phone 1", "telepon kantor",
			"phones", "contact phone", "landline"},
		"mobile": {"mobile", "mobile phone", "mobile number", "cell", "cell phone", "cellphone", "hp", "no hp",
			"nomor hp", "no handphone", "handphone", "ponsel", "nomor ponsel", "phone 2", "no hp wa"},
		"whatsapp": {"whatsapp", "wa", "no wa", "nomor wa", "nomor whatsapp", "no whatsapp", "whatsapp number"},
		"outlet": {"outlet", "outlets", "outlet name", "outlet s", "media", "media outlet", "media name",
			"nama media", "publication", "publications", "publication name", "company", "organization",
			"organisation", "employer", "media outlet name", "perusahaan", "instansi", "kantor", "outlet media",
			"news outlet", "station", "program", "media group", "grup media"},
		"role": {"title", "job title", "jobtitle", "position", "role", "jabatan", "posisi", "job", "job role",
			"designation", "contact title"},
		"beats": {"beat", "beats", "topic", "topics", "subject", "subjects", "desk", "desks", "coverage",
			"areas of coverage", "coverage areas", "rubrik", "topik", "bidang liputan", "liputan", "isu",
			"outlet subjects", "contact subjects", "categories", "category", "kategori"},
		"province": {"province", "provinsi", "state", "region", "state province", "state region", "wilayah",
			"propinsi"},
		"city": {"city", "kota", "kabupaten kota", "kota kabupaten", "kabupaten", "town", "location", "lokasi",
			"domisili"},
		"country":   {"country", "negara", "country code", "country region"},
		"languages": {"language", "languages", "bahasa", "lang", "preferred language"},
		"x": {"twitter", "x", "x handle", "twitter handle", "x twitter", "twitter x", "twitter url", "x url",
			"twitter username", "akun twitter", "akun x"},
		"instagram": {"instagram", "ig", "instagram handle", "instagram url", "akun instagram"},
		"linkedin":  {"linkedin", "linked in", "linkedin url", "linkedin profile"},
		"facebook":  {"facebook", "fb", "facebook url"},
		"tiktok":    {"tiktok", "tik tok", "tiktok handle"},
		"youtube":   {"youtube", "youtube channel", "youtube url"},
		"website":   {"website", "web", "url", "site", "blog", "homepage", "situs", "situs web", "laman"},
		"notes":     {"notes", "note", "comments", "comment", "remarks", "bio", "catatan", "keterangan", "ket"},
		"labels":    {"label", "labels", "tag", "tags", "groups", "group", "lists", "list", "kelompok", "grup"},
		"consent":   {"consent", "consent status", "gdpr consent", "persetujuan", "status persetujuan", "opt in"},
	} {
		for _, n := range names {
			aliases[n] = field
		}
	}
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// normHeader makes "E-mail Address", "e_mail address" and "EMAIL ADDRESS" the same key.
func normHeader(h string) string {
	if s, _, err := transform.String(stripMarks, h); err == nil {
		h = s
	}
	h = strings.ToLower(strings.TrimPrefix(h, "\ufeff"))
	h = strings.ReplaceAll(h, "e-mail", "email")
	return strings.TrimSpace(nonWord.ReplaceAllString(h, " "))
}

// Guess maps each header to a contact field (one of ImportFields), "" when unsure. A field is given to one
// column only; a second email column becomes email2 and a second phone column mobile.
func Guess(header []string) []string {
	out := make([]string, len(header))
	used := map[string]bool{}
	for i, h := range header {
		f := guessOne(h)
		if f == "" {
			continue
		}
		if used[f] {
			switch f {
			case "email":
				f = "email2"
			case "phone":
				f = "mobile"
			}
			if used[f] {
				continue
			}
		}
		used[f] = true
		out[i] = f
	}
	// A full name column wins over first/last name columns only when they are not both present.
	if used["first_name"] && used["name"] && !used["last_name"] {
		for i, f := range out {
			if f == "first_name" {
				out[i] = ""
			}
		}
	}
	return out
}

func guessOne(h string) string {
	n := normHeader(h)
	if f, ok := aliases[n]; ok {
		return f
	}
	// "Email (work)", "Phone - mobile", "Twitter handle @": try the first words.
	words := strings.Fields(n)
	for k := len(words) - 1; k > 0; k-- {
		if f, ok := aliases[strings.Join(words[:k], " ")]; ok {
			return f
		}
	}
	return ""
}

var (
	emailLike  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	numberLike = regexp.MustCompile(`^[+\-(]?[0-9][0-9 ().\-/]*$`)
)

// looksLikeData is true for cells a header row would not hold: addresses, phone numbers, numbers, dates.
func looksLikeData(c string) bool {
	c = strings.TrimSpace(c)
	return emailLike.MatchString(c) || numberLike.MatchString(c) && digits(c) >= 1
}

// looksLikeHeader decides whether the first row names the columns: none of its cells is data, and either one
// of them is a known column name or the next row holds data where this one holds words.
func looksLikeHeader(first, next []string) bool {
	known := false
	for _, c := range first {
		if looksLikeData(c) {
			return false
		}
		if guessOne(c) != "" {
			known = true
		}
	}
	if known {
		return true
	}
	for _, c := range next {
		if looksLikeData(c) {
			return true
		}
	}
	return false
}
