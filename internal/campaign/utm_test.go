package campaign_test

import (
	"testing"

	"warta.dev/warta/internal/campaign"
)

func TestTagLinks(t *testing.T) {
	p := campaign.UTM{Source: "x", Medium: "social", Campaign: "hut-ri-81"}
	const tags = "utm_source=x&utm_medium=social&utm_campaign=hut-ri-81"
	cases := []struct{ name, in, want string }{
		{"inline link",
			"Baca [siaran pers](https://warta.id/rilis) hari ini.",
			"Baca [siaran pers](https://warta.id/rilis?" + tags + ") hari ini."},
		{"existing query and fragment kept",
			"[Jadwal](https://warta.id/acara?id=7&lang=id#sesi-2)",
			"[Jadwal](https://warta.id/acara?id=7&lang=id&" + tags + "#sesi-2)"},
		{"utm already there is not overwritten",
			"[Rilis](https://warta.id/r?utm_source=newsletter&utm_campaign=lain)",
			"[Rilis](https://warta.id/r?utm_source=newsletter&utm_campaign=lain&utm_medium=social)"},
		{"bare URL, sentence punctuation stays outside",
			"Daftar di https://warta.id/daftar. Gratis!",
			"Daftar di https://warta.id/daftar?" + tags + ". Gratis!"},
		{"bare URL in parentheses",
			"(lihat https://warta.id/peta)",
			"(lihat https://warta.id/peta?" + tags + ")"},
		{"parentheses inside the URL",
			"[Bandung](https://id.wikipedia.org/wiki/Bandung_(kota)) dan https://id.wikipedia.org/wiki/Bogor_(kota)",
			"[Bandung](https://id.wikipedia.org/wiki/Bandung_(kota)?" + tags + ") dan https://id.wikipedia.org/wiki/Bogor_(kota)?" + tags},
		{"autolink",
			"Situs: <https://warta.id/>",
			"Situs: <https://warta.id/?" + tags + ">"},
		{"link with a title",
			`[Profil](https://warta.id/profil "Profil lembaga")`,
			`[Profil](https://warta.id/profil?` + tags + ` "Profil lembaga")`},
		{"http and upper-case scheme",
			"[lama](HTTP://warta.id/lama)",
			"[lama](HTTP://warta.id/lama?" + tags + ")"},
		{"mailto, tel and relative links untouched",
			"[Email](mailto:humas@warta.id) · [Telepon](tel:+62211234) · [Tentang](/tentang) · [Unduh](berkas.pdf)",
			"[Email](mailto:humas@warta.id) · [Telepon](tel:+62211234) · [Tentang](/tentang) · [Unduh](berkas.pdf)"},
		// Code is text to copy, not a link to follow: left exactly as written.
		{"code span",
			"Panggil `https://api.warta.id/v1/me` dengan token, lalu buka https://warta.id/doc",
			"Panggil `https://api.warta.id/v1/me` dengan token, lalu buka https://warta.id/doc?" + tags},
		{"fenced code block",
			"Contoh:\n```\ncurl https://api.warta.id/v1/me\n```\nLihat https://warta.id/api",
			"Contoh:\n```\ncurl https://api.warta.id/v1/me\n```\nLihat https://warta.id/api?" + tags},
		{"triple backticks inside a line are inline code",
			"```https://api.warta.id``` atau https://warta.id/api",
			"```https://api.warta.id``` atau https://warta.id/api?" + tags},
		{"unclosed backtick is plain text",
			"Harga `5 ribu di https://warta.id/toko",
			"Harga `5 ribu di https://warta.id/toko?" + tags},
		{"a URL inside another URL's query is not tagged twice",
			"https://warta.id/go?to=https://contoh.id/a",
			"https://warta.id/go?to=https://contoh.id/a&" + tags},
		{"emphasis around a bare URL",
			"**https://warta.id/penting**",
			"**https://warta.id/penting?" + tags + "**"},
		{"reference definition",
			"[rilis]: https://warta.id/rilis/9",
			"[rilis]: https://warta.id/rilis/9?" + tags},
		{"no links", "Selamat Hari Kemerdekaan!", "Selamat Hari Kemerdekaan!"},
	}
	for _, c := range cases {
		if got := campaign.TagLinks(c.in, p); got != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.name, got, c.want)
		}
		// Tagging twice changes nothing more: an item published again keeps the same links.
		if again := campaign.TagLinks(c.want, p); again != c.want {
			t.Errorf("%s: tagging twice gave %s", c.name, again)
		}
	}
}

func TestTagLinksContentAndEscaping(t *testing.T) {
	p := campaign.UTM{Source: "email", Medium: "email", Campaign: "rilis akhir tahun", Content: "tombol&atas"}
	got := campaign.TagLinks("[Baca](https://warta.id/r)", p)
	want := "[Baca](https://warta.id/r?utm_source=email&utm_medium=email&utm_campaign=rilis+akhir+tahun&utm_content=tombol%26atas)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestTagURL(t *testing.T) {
	p := campaign.UTM{Source: "bluesky", Medium: "social", Campaign: "ramadan-2026"}
	if got, ok := campaign.TagURL(" https://warta.id/zakat#cara ", p); !ok || got != "https://warta.id/zakat?utm_source=bluesky&utm_medium=social&utm_campaign=ramadan-2026#cara" {
		t.Errorf("TagURL: %q %v", got, ok)
	}
	for _, bad := range []string{"warta.id/zakat", "/zakat", "mailto:humas@warta.id", "javascript:alert(1)", "https://", "https://warta.id/a b"} {
		if got, ok := campaign.TagURL(bad, p); ok {
			t.Errorf("TagURL(%q) accepted: %q", bad, got)
		}
	}
}
