package sqldb

import "testing"

// TestCustomerIndex: every id finds its place and no other id finds one,
// with ids close together (a slice by id) and far apart (a map).
func TestCustomerIndex(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ids   []int64
		dense bool
	}{
		{"close together", []int64{3, 4, 7, 8, 100}, true},
		{"far apart", []int64{5, 1 << 40, 1<<40 + 2, 1 << 50}, false},
		{"one", []int64{42}, true},
		{"out of order", []int64{9, 2, 5}, true},
	} {
		x := newCustomerIndex(tc.ids)
		if dense := x.byID == nil; dense != tc.dense {
			t.Errorf("%s: dense %v", tc.name, dense)
		}
		places := map[int64]int{}
		for i, id := range tc.ids {
			places[id] = i
		}
		for _, id := range append([]int64{-1, 0, 1, 2, 6, 99, 101, 1<<40 + 1, 1<<50 + 1}, tc.ids...) {
			i, ok := x.at(id)
			want, in := places[id]
			if ok != in || ok && i != want {
				t.Errorf("%s: at(%d) = %d, %v; want %d, %v", tc.name, id, i, ok, want, in)
			}
		}
	}
	if _, ok := newCustomerIndex(nil).at(1); ok {
		t.Error("an empty index found id 1")
	}
}
