// Package chart draws touchpoint's charts as inline SVG: the cockpit and
// the board pack use the same functions, so a chart looks the same on screen
// and on paper, needs no JavaScript and prints sharply.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Point is one value of a series; Missing points (no data, too few) are gaps.
type Point struct {
	Label     string
	Value     float64
	Low, High float64 // interval; equal to Value when there is none
	Missing   bool
}

// Trend turns a KPI's monthly estimates into points; months without data or
// with too few answers are gaps, not zeros.
func Trend(months []string, trend []tp.Estimate) []Point {
	ps := make([]Point, len(trend))
	for i, e := range trend {
		ps[i] = Point{Label: months[i], Value: e.Value, Low: e.Low, High: e.High, Missing: e.N == 0 || e.TooFew}
	}
	return ps
}

func bounds(ps []Point, withBand bool) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		if p.Missing {
			continue
		}
		l, h := p.Value, p.Value
		if withBand && !math.IsInf(p.Low, 0) && !math.IsInf(p.High, 0) {
			l, h = math.Min(l, p.Low), math.Max(h, p.High)
		}
		lo, hi, ok = math.Min(lo, l), math.Max(hi, h), true
	}
	if ok && hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	return lo, hi, ok
}

func f(v float64) string { return fmt.Sprintf("%.1f", v) }

// niceTicks widens [lo, hi] to round bounds and returns the axis values
// between them: a step of 1, 2, 2.5 or 5 times a power of ten, giving about
// n intervals (readers compare 20, 40, 60 faster than 12.3, 45.7, 79).
func niceTicks(lo, hi float64, n int) []float64 {
	span := hi - lo
	if span <= 0 || n < 1 || math.IsInf(span, 0) || math.IsNaN(span) {
		return []float64{lo, hi}
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	// Multiples of the step, rounded to its decimals (0.2 × 23 is 4.6, not
	// 4.6000000000000005).
	scale := math.Pow(10, math.Max(0, 2-math.Floor(math.Log10(step))))
	var out []float64
	for k := math.Floor(lo / step); k <= math.Ceil(hi/step); k++ {
		out = append(out, math.Round(k*step*scale)/scale)
	}
	return out
}

// tickLabel writes an axis value with no more decimals than its step needs.
func tickLabel(v, step float64) string {
	switch {
	case step >= 1:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case step >= 0.1:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// Sparkline is a small line without axes; the last point is marked. title
// is read by screen readers.
func Sparkline(ps []Point, title string) template.HTML {
	const w, h, pad = 96.0, 24.0, 3.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, int(w), int(h), int(w), int(h), html.EscapeString(title))
	lo, hi, ok := bounds(ps, false)
	if ok && len(ps) > 0 {
		x := func(i int) float64 {
			if len(ps) == 1 {
				return w / 2
			}
			return pad + float64(i)*(w-2*pad)/float64(len(ps)-1)
		}
		y := func(v float64) float64 { return h - pad - (v-lo)/(hi-lo)*(h-2*pad) }
		b.WriteString(`<path fill="none" stroke="currentColor" stroke-width="1.5" d="`)
		pen := "M"
		last := -1
		for i, p := range ps {
			if p.Missing {
				pen = "M"
				continue
			}
			fmt.Fprintf(&b, "%s%s %s ", pen, f(x(i)), f(y(p.Value)))
			pen, last = "L", i
		}
		b.WriteString(`"/>`)
		if last >= 0 {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.2" fill="currentColor"/>`, f(x(last)), f(y(ps[last].Value)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Line is a labelled line chart with the 95 % interval as a band and the
// axis range written at the left.
func Line(ps []Point, title, unit string) template.HTML {
	const w, h, left, right, top, bottom = 560.0, 180.0, 44.0, 8.0, 10.0, 24.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, int(w), int(h), html.EscapeString(title), html.EscapeString(title))
	lo, hi, ok := bounds(ps, true)
	if !ok {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	x := func(i int) float64 {
		if len(ps) == 1 {
			return (left + w - right) / 2
		}
		return left + float64(i)*(w-left-right)/float64(len(ps)-1)
	}
	ticks := niceTicks(lo, hi, 4)
	lo, hi = ticks[0], ticks[len(ticks)-1]
	y := func(v float64) float64 { return top + (hi-v)/(hi-lo)*(h-top-bottom) }
	// axis labels and grid at round values
	for _, v := range ticks {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#ddd"/>`, f(left), f(w-right), f(y(v)), f(y(v)))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" text-anchor="end" fill="#555">%s%s</text>`, f(left-4), f(y(v)+3), tickLabel(v, ticks[1]-ticks[0]), html.EscapeString(unit))
	}
	// band
	var upper, lower []string
	for i, p := range ps {
		if p.Missing || math.IsInf(p.Low, 0) || math.IsInf(p.High, 0) {
			continue
		}
		upper = append(upper, f(x(i))+" "+f(y(p.High)))
		lower = append([]string{f(x(i)) + " " + f(y(p.Low))}, lower...)
	}
	if len(upper) > 1 {
		fmt.Fprintf(&b, `<path fill="#1f6feb" fill-opacity="0.12" stroke="none" d="M%s L%s Z"/>`, strings.Join(upper, " L"), strings.Join(lower, " L"))
	}
	b.WriteString(`<path fill="none" stroke="#1f6feb" stroke-width="2" d="`)
	pen := "M"
	for i, p := range ps {
		if p.Missing {
			pen = "M"
			continue
		}
		fmt.Fprintf(&b, "%s%s %s ", pen, f(x(i)), f(y(p.Value)))
		pen = "L"
	}
	b.WriteString(`"/>`)
	step := max(1, len(ps)/6)
	for i, p := range ps {
		if !p.Missing {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="#1f6feb"><title>%s: %s</title></circle>`, f(x(i)), f(y(p.Value)), html.EscapeString(p.Label), f(p.Value))
		}
		// Every step-th label and the last one, without crowding the last.
		if (i%step == 0 && (i == len(ps)-1 || len(ps)-1-i > step/2)) || i == len(ps)-1 {
			anchor := "middle"
			if i == len(ps)-1 && len(ps) > 1 {
				anchor = "end"
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" text-anchor="%s" fill="#555">%s</text>`, f(x(i)), f(h-6), anchor, html.EscapeString(p.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Bar is a horizontal bar chart of labelled counts, largest first as given.
func Bar(labels []string, values []float64, title string) template.HTML {
	const w, rowH, labelW = 560.0, 20.0, 180.0
	h := rowH*float64(len(labels)) + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, int(w), int(h), html.EscapeString(title), html.EscapeString(title))
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	for i, l := range labels {
		y := float64(i) * rowH
		bw := 0.0
		if top > 0 {
			bw = values[i] / top * (w - labelW - 50)
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="end" fill="#333">%s</text>`, f(labelW-6), f(y+14), html.EscapeString(l))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#1f6feb"/>`, f(labelW), f(y+3), f(bw), f(rowH-6))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" fill="#333">%s</text>`, f(labelW+bw+4), f(y+14), trim(values[i]))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Stacked draws one 100 % bar per label, split into parts (e.g. detractors,
// passives, promoters) with the given colours.
func Stacked(labels []string, parts [][]float64, names, colors []string, title string) template.HTML {
	const w, h, bottom = 560.0, 150.0, 34.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, int(w), int(h), html.EscapeString(title), html.EscapeString(title))
	n := float64(max(1, len(labels)))
	bw := w / n
	for i, l := range labels {
		total := 0.0
		for _, v := range parts[i] {
			total += v
		}
		y := h - bottom
		for j, v := range parts[i] {
			if total == 0 {
				break
			}
			ph := v / total * (h - bottom - 4)
			y -= ph
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s %s: %s</title></rect>`,
				f(float64(i)*bw+2), f(y), f(bw-4), f(ph), colors[j%len(colors)], html.EscapeString(l), html.EscapeString(names[j]), trim(v))
		}
		if len(labels) <= 8 || i%2 == 0 {
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" text-anchor="middle" fill="#555">%s</text>`, f(float64(i)*bw+bw/2), f(h-bottom+12), html.EscapeString(l))
		}
	}
	x := 0.0
	for j, name := range names {
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="10" height="10" fill="%s"/><text x="%s" y="%s" font-size="10" fill="#333">%s</text>`,
			f(x), f(h-12), colors[j%len(colors)], f(x+14), f(h-3), html.EscapeString(name))
		x += 110
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func trim(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%d", int64(v))
	}
	return f(v)
}

// Effects is a horizontal chart of signed effects with their 95 % intervals
// around a zero line (key drivers): red bars cost points, green ones add.
func Effects(labels []string, values, lows, highs []float64, title, unit string) template.HTML {
	const w, rowH, labelW, pad = 560.0, 22.0, 180.0, 40.0
	h := rowH*float64(len(labels)) + 18
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, int(w), int(h), html.EscapeString(title), html.EscapeString(title))
	span := 0.0
	for i := range values {
		span = math.Max(span, math.Max(math.Abs(lows[i]), math.Abs(highs[i])))
	}
	if span == 0 {
		span = 1
	}
	plotW := w - labelW - pad
	x := func(v float64) float64 { return labelW + plotW/2 + v/span*plotW/2 }
	fmt.Fprintf(&b, `<line x1="%s" y1="0" x2="%s" y2="%s" stroke="#888"/>`, f(x(0)), f(x(0)), f(h-16))
	for _, v := range []float64{-span, span} {
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" text-anchor="middle" fill="#555">%s%s</text>`, f(x(v)), f(h-4), trim(math.Round(v)), html.EscapeString(unit))
	}
	for i, l := range labels {
		y := float64(i) * rowH
		lo, hi := math.Min(x(0), x(values[i])), math.Max(x(0), x(values[i]))
		color := "#1a7f37"
		if values[i] < 0 {
			color = "#cf222e"
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="end" fill="#333">%s</text>`, f(labelW-6), f(y+15), html.EscapeString(l))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s: %s [%s, %s]</title></rect>`,
			f(lo), f(y+5), f(math.Max(hi-lo, 1)), f(rowH-10), color, html.EscapeString(l), trim(math.Round(values[i]*10)/10), trim(math.Round(lows[i]*10)/10), trim(math.Round(highs[i]*10)/10))
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#222"/>`, f(x(lows[i])), f(y+rowH/2), f(x(highs[i])), f(y+rowH/2))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
