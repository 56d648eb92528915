package sentiment

import (
	"bufio"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"warta.dev/warta/internal/monitor/query"
)

//go:embed lexicon/*.tsv
var lexiconFiles embed.FS

// kind is what a word does besides carrying its own weight; see lexicon/modifiers.tsv.
type kind uint8

const (
	plain  kind = iota
	negate      // flips the next sentiment word
	cancel      // undoes a negator just before it ("tidak hanya")
	before      // scales the next sentiment word
	after       // scales the sentiment word just before it
	either      // after, or else before
	lowers      // a decrease acting on what follows ("menekan angka kecelakaan")
	falls       // a decrease acting on what precedes ("kemiskinan turun")
	raises      // an increase acting on what follows
	rises       // an increase acting on what precedes
	stop        // ends a clause
)

var kindNames = map[string]kind{
	"negate": negate, "cancel": cancel, "before": before, "after": after, "either": either,
	"lowers": lowers, "falls": falls, "raises": raises, "rises": rises, "stop": stop,
}

func (k kind) shifts() bool { return k >= lowers && k <= rises }
func (k kind) scales() bool { return k >= before && k <= either }

// entry is what the lexicon knows of one word or phrase.
type entry struct {
	weight float32 // as an ordinary word; 0 for a word that carries no sentiment
	factor float32 // as a modifier
	kind   kind
	phrase bool // the first word of a two-word phrase
}

// lexicon is one language's words. words holds every form the analyser may meet: the lexicon's
// own words, the Indonesian forms derived from its roots, and the modifiers.
type lexicon struct {
	words   map[string]entry
	phrases map[[2]string]entry
	stems   map[string]entry // English: entries by query.StemEnglish, for inflected forms
	english bool
}

// lookup finds a folded word: as written, then without an Indonesian particle or possessive
// (rumahnya, bisakah), then, in English, by its stem.
func (lx *lexicon) lookup(w string) (entry, bool) {
	if e, ok := lx.words[w]; ok {
		return e, true
	}
	if lx.english {
		e, ok := lx.stems[query.StemEnglish(w)]
		return e, ok
	}
	for _, s := range [...]string{"nya", "lah", "kah", "pun", "ku", "mu"} {
		if len(w) >= len(s)+4 && strings.HasSuffix(w, s) {
			if e, ok := lx.words[w[:len(w)-len(s)]]; ok {
				return e, true
			}
		}
	}
	return entry{}, false
}

var lexicons = sync.OnceValue(func() map[string]*lexicon {
	m := map[string]*lexicon{}
	for _, lang := range []string{"id", "en"} {
		lx, err := loadLexicon(lang)
		if err != nil {
			panic(err) // the files are embedded: a test catches this before a build ships
		}
		m[lang] = lx
	}
	return m
})

func loadLexicon(lang string) (*lexicon, error) {
	lx := &lexicon{words: map[string]entry{}, phrases: map[[2]string]entry{}, english: lang == "en"}
	var roots []string
	err := readTSV(lang+".tsv", 2, func(f []string) error {
		w, err := strconv.ParseFloat(f[1], 32)
		if err != nil || w < -3 || w > 3 {
			return fmt.Errorf("weight %q is not a number from -3 to 3", f[1])
		}
		word := query.Fold(f[0])
		if first, second, ok := strings.Cut(word, " "); ok {
			lx.phrases[[2]string{first, second}] = entry{weight: float32(w)}
			return nil
		}
		lx.words[word] = entry{weight: float32(w)}
		roots = append(roots, word)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if lx.english {
		lx.stems = map[string]entry{}
		for _, w := range roots {
			if _, ok := lx.stems[query.StemEnglish(w)]; !ok {
				lx.stems[query.StemEnglish(w)] = lx.words[w]
			}
		}
	} else {
		derived := map[string]entry{}
		for _, w := range roots {
			for _, form := range indonesianForms(w) {
				if _, ok := derived[form]; !ok {
					derived[form] = lx.words[w]
				}
			}
		}
		for form, e := range derived {
			if _, ok := lx.words[form]; !ok {
				lx.words[form] = e
			}
		}
	}
	err = readTSV("modifiers.tsv", 4, func(f []string) error {
		if f[0] != lang {
			return nil
		}
		k, ok := kindNames[f[1]]
		factor, err := strconv.ParseFloat(f[3], 32)
		if !ok || err != nil {
			return fmt.Errorf("unknown kind %q or bad factor %q", f[1], f[3])
		}
		word := query.Fold(f[2])
		e := lx.words[word] // keeps the word's own weight, if it has one
		e.kind, e.factor = k, float32(factor)
		lx.words[word] = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	for p := range lx.phrases {
		e := lx.words[p[0]]
		e.phrase = true
		lx.words[p[0]] = e
	}
	return lx, nil
}

func readTSV(name string, fields int, fn func([]string) error) error {
	f, err := lexiconFiles.Open("lexicon/" + name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != fields {
			return fmt.Errorf("%s:%d: want %d tab-separated fields", name, n, fields)
		}
		if err := fn(fs); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	return sc.Err()
}

// indonesianForms derives the common affixed forms of a root: nasal prefixes with their sound
// changes (kecewa → mengecewakan, tolak → menolak, sapu → menyapu, pukul → memukul), di-, ter-,
// ke-…-an, peN-, peN-…-an, per-, ber-, memper-, diper- and the suffixes -kan, -i, -an. Forms that
// are not words are harmless: no text contains them. Loanwords keep their first consonant after a
// nasal prefix too (mengkritik, mempublikasikan), so both forms are made.
func indonesianForms(root string) []string {
	var out []string
	add := func(prefix string, suffixes ...string) {
		for _, s := range suffixes {
			out = append(out, prefix+root+s)
		}
	}
	addN := func(nasal string, suffixes ...string) { // nasal is "me" or "pe"
		for _, stem := range nasalForms(nasal, root) {
			for _, s := range suffixes {
				out = append(out, stem+s)
			}
		}
	}
	add("", "kan", "i", "an")
	addN("me", "", "kan", "i")
	add("di", "", "kan", "i")
	add("ke", "an")
	addN("pe", "", "an")
	add("memper", "", "kan", "i")
	add("diper", "", "kan", "i")
	if strings.HasPrefix(root, "r") {
		add("te", "")
		add("pe", "", "an", "kan", "i")
		add("be", "", "an")
	} else {
		add("ter", "")
		add("per", "", "an", "kan", "i")
		add("ber", "", "an")
	}
	return out
}

// nasalForms are root with meN- or peN- in front, as the root's first sound wants it.
func nasalForms(p, root string) []string {
	if root == "" {
		return nil
	}
	switch c := root[0]; {
	case strings.ContainsRune("aeiou", rune(c)):
		return []string{p + "ng" + root}
	case c == 'k':
		return []string{p + "ng" + root[1:], p + "ng" + root}
	case c == 'g' || c == 'h':
		return []string{p + "ng" + root}
	case c == 'p':
		return []string{p + "m" + root[1:], p + "m" + root}
	case c == 'b' || c == 'f' || c == 'v':
		return []string{p + "m" + root}
	case c == 't':
		return []string{p + "n" + root[1:], p + "n" + root}
	case c == 's' && !strings.HasPrefix(root, "sy"):
		return []string{p + "ny" + root[1:], p + "n" + root}
	case c == 'd' || c == 'c' || c == 'j' || c == 'z' || c == 's':
		return []string{p + "n" + root}
	default: // l m n r w y
		return []string{p + root}
	}
}
