package learn

import (
	"sort"
)

// Cross-sell from co-purchases: for a customer who bought X, how often
// buyers of X also bought Y. A product's score for a customer is the
// strongest such share over what they bought, so the reason reads "bought
// X; 38 % of X buyers bought Y". Products the customer holds are never offered.

// CoPurchases counts, over the baskets of many customers, how many buyers
// bought each product and each pair of products.
type CoPurchases struct {
	ids    map[string]uint32 // products by number: pair counts are keyed x<<32 | y
	names  []string
	buyers []int
	with   [][]pairCount // per product, the products bought with it and by how many
	// MinBuyers is how many buyers a product needs to be a reason (default 10):
	// "2 of 3 buyers" is no pattern.
	MinBuyers int
}

type pairCount struct {
	y uint32
	n int32
}

// NewCoPurchases counts each customer's set of products (a customer counts
// once per product and pair, however often they bought them).
func NewCoPurchases(customers [][]string) *CoPurchases {
	c := &CoPurchases{ids: map[string]uint32{}, MinBuyers: 10}
	baskets := make([][]uint32, len(customers))
	var buyersOf [][]int32 // per product, the customers who bought it
	for ci, items := range customers {
		set := uniqueSorted(items)
		ids := make([]uint32, len(set))
		for i, x := range set {
			id, ok := c.ids[x]
			if !ok {
				id = uint32(len(c.names))
				c.ids[x] = id
				c.names = append(c.names, x)
				c.buyers = append(c.buyers, 0)
				buyersOf = append(buyersOf, nil)
			}
			ids[i] = id
			c.buyers[id]++
			buyersOf[id] = append(buyersOf[id], int32(ci))
		}
		baskets[ci] = ids
	}
	// Pair counts product by product through its buyers' baskets, into a
	// dense counter: a map per pair cost 60 % of the Online Retail eval's
	// time (profiled), as wholesale baskets hold a thousand products.
	c.with = make([][]pairCount, len(c.names))
	counts := make([]int32, len(c.names))
	var touched []uint32
	for x := range c.names {
		for _, ci := range buyersOf[x] {
			for _, y := range baskets[ci] {
				if int(y) == x {
					continue
				}
				if counts[y] == 0 {
					touched = append(touched, y)
				}
				counts[y]++
			}
		}
		with := make([]pairCount, len(touched))
		for i, y := range touched {
			with[i], counts[y] = pairCount{y, counts[y]}, 0
		}
		c.with[x], touched = with, touched[:0]
	}
	return c
}

// Offer is a product to offer with its reason.
type Offer struct {
	Product string  `json:"product"`
	Because string  `json:"because"` // the product bought that makes it likely
	Share   float64 `json:"share"`   // of the Because buyers who bought Product
}

// Recommend returns up to k products for a customer who holds held, most
// likely first, none of them held.
func (c *CoPurchases) Recommend(held []string, k int) []Offer {
	if k <= 0 {
		return nil
	}
	have := map[string]bool{}
	for _, h := range held {
		have[h] = true
	}
	// Per product, the best share so far and the product behind it (dense:
	// a customer's history can touch most of the catalogue).
	share := make([]float64, len(c.names))
	because := make([]int32, len(c.names))
	for i := range because {
		because[i] = -1
	}
	for x := range have {
		xi, ok := c.ids[x]
		if !ok || c.buyers[xi] < c.MinBuyers {
			continue
		}
		n := float64(c.buyers[xi])
		for _, pc := range c.with[xi] {
			s := float64(pc.n) / n
			b := because[pc.y]
			if b < 0 || s > share[pc.y] || (s == share[pc.y] && x < c.names[b]) {
				share[pc.y], because[pc.y] = s, int32(xi)
			}
		}
	}
	better := func(a, b Offer) bool {
		if a.Share != b.Share {
			return a.Share > b.Share
		}
		return a.Product < b.Product
	}
	// The best k by insertion: sorting every candidate cost a fifth of the
	// eval's time, and k is small.
	out := make([]Offer, 0, k+1)
	for y, b := range because {
		if b < 0 || have[c.names[y]] {
			continue
		}
		o := Offer{Product: c.names[y], Because: c.names[b], Share: share[y]}
		if len(out) == k && !better(o, out[k-1]) {
			continue
		}
		i := sort.Search(len(out), func(i int) bool { return better(o, out[i]) })
		out = append(out, Offer{})
		copy(out[i+1:], out[i:])
		out[i] = o
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

// Popular returns up to k of the most bought products not in held: the
// baseline a recommender must beat.
func (c *CoPurchases) Popular(held []string, k int) []string {
	have := map[string]bool{}
	for _, h := range held {
		have[h] = true
	}
	type pc struct {
		p string
		n int
	}
	var all []pc
	for i, n := range c.buyers {
		if p := c.names[i]; !have[p] {
			all = append(all, pc{p, n})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].p < all[j].p
	})
	var out []string
	for _, x := range all {
		if len(out) == k {
			break
		}
		out = append(out, x.p)
	}
	return out
}

func uniqueSorted(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	sort.Strings(out)
	return out
}
