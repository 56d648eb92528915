package content

import "strings"

// DiffRow is one row of a side-by-side comparison: the line on the left, the line on the right,
// and whether it was kept, changed, removed or added.
type DiffRow struct {
	Left, Right string
	Kind        string // same, changed, removed, added
}

// Diff compares two texts line by line (longest common subsequence), pairing a removed line with
// the added line that replaced it so a changed sentence sits side by side.
func Diff(a, b string) []DiffRow {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// Texts are small (posts, releases); a guard keeps a pathological input from costing too much.
	if len(x)*len(y) > 4_000_000 {
		return []DiffRow{{Left: a, Right: b, Kind: "changed"}}
	}
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var rows []DiffRow
	var removed, added []string
	flush := func() {
		for len(removed) > 0 || len(added) > 0 {
			switch {
			case len(removed) > 0 && len(added) > 0:
				rows = append(rows, DiffRow{Left: removed[0], Right: added[0], Kind: "changed"})
				removed, added = removed[1:], added[1:]
			case len(removed) > 0:
				rows = append(rows, DiffRow{Left: removed[0], Kind: "removed"})
				removed = removed[1:]
			default:
				rows = append(rows, DiffRow{Right: added[0], Kind: "added"})
				added = added[1:]
			}
		}
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			flush()
			rows = append(rows, DiffRow{Left: x[i], Right: y[j], Kind: "same"})
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			added = append(added, y[j])
			j++
		default:
			removed = append(removed, x[i])
			i++
		}
	}
	flush()
	return rows
}

// VersionText is a version as one comparable text: title, body and each variant.
func VersionText(v Version) string {
	var b strings.Builder
	b.WriteString("# " + v.Title + "\n\n" + v.Body)
	for _, vr := range v.Variants {
		b.WriteString("\n\n[" + string(vr.Network) + "]\n" + vr.Text)
		if vr.FirstComment != "" {
			b.WriteString("\n\n[" + string(vr.Network) + " · 1]\n" + vr.FirstComment)
		}
	}
	return b.String()
}
