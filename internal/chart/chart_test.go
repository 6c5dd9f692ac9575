package chart

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
)

// wellFormed fails unless s parses as XML (browsers and Chromium's PDF
// printer drop a broken inline SVG silently).
func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
	}
}

func TestChartsAreWellFormedAndHonestAboutGaps(t *testing.T) {
	ps := []Point{{Label: "2026-01", Value: 10, Low: 5, High: 15}, {Label: "2026-02", Missing: true},
		{Label: "2026-03", Value: 20, Low: math.Inf(-1), High: math.Inf(1)}, {Label: "<&>", Value: -3, Low: -8, High: 2}}
	spark := string(Sparkline(ps, `NPS "Online" <b>`))
	wellFormed(t, spark)
	// The missing month breaks the line: two sub-paths start with M.
	if d := spark[strings.Index(spark, ` d="`):]; strings.Count(d[:strings.Index(d[4:], `"`)+4], "M") != 2 {
		t.Errorf("a gap should start a new sub-path: %s", spark)
	}
	line := string(Line(ps, "NPS <Online>", "%"))
	wellFormed(t, line)
	if !strings.Contains(line, "&lt;&amp;&gt;") || strings.Contains(line, "Inf") || strings.Contains(line, "NaN") {
		t.Errorf("labels must be escaped and infinite intervals left out: %s", line)
	}
	wellFormed(t, string(Bar([]string{"delivery", "billing & co"}, []float64{12, 0}, "top")))
	wellFormed(t, string(Stacked([]string{"2025-10", "2026-10"}, [][]float64{{1, 2, 3}, {0, 0, 0}}, []string{"d", "p", "p"},
		[]string{"#a00", "#999", "#0a0"}, "mix")))
	// Nothing to draw is an empty chart, not an error.
	empty := string(Line([]Point{{Label: "x", Missing: true}}, "none", ""))
	wellFormed(t, empty)
	if strings.Contains(empty, "<path") {
		t.Errorf("an empty chart drew a path: %s", empty)
	}
	if one := string(Sparkline([]Point{{Label: "x", Value: 5}}, "one")); !strings.Contains(one, "<circle") {
		t.Errorf("a single point is drawn as a dot: %s", one)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{12.3, 79, "[0 20 40 60 80]"},
		{-31.2, 30.9, "[-40 -20 0 20 40]"},
		{4.12, 4.87, "[4 4.2 4.4 4.6 4.8 5]"},
		{0, 1, "[0 0.25 0.5 0.75 1]"},
		{221, 274, "[220 240 260 280]"},
	} {
		if got := fmt.Sprint(niceTicks(c.lo, c.hi, 4)); got != c.want {
			t.Errorf("niceTicks(%g, %g) = %s, want %s", c.lo, c.hi, got, c.want)
		}
	}
}
