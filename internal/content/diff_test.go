package content

import "testing"

func TestDiffPairsChangedLines(t *testing.T) {
	rows := Diff("Siaran pers\nBanjir di Sukamaju\nNarahubung: Rina", "Siaran pers\nBanjir surut di Sukamaju\nNarahubung: Rina\nFoto: Budi")
	want := []DiffRow{
		{"Siaran pers", "Siaran pers", "same"},
		{"Banjir di Sukamaju", "Banjir surut di Sukamaju", "changed"},
		{"Narahubung: Rina", "Narahubung: Rina", "same"},
		{"", "Foto: Budi", "added"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: got %+v want %+v", i, rows[i], want[i])
		}
	}
	if rows := Diff("a\nb", "a"); len(rows) != 2 || rows[1].Kind != "removed" || rows[1].Left != "b" {
		t.Errorf("removed line: %+v", rows)
	}
}
