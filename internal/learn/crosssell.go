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
	pairs := map[uint64]int32{}
	for _, items := range customers {
		set := uniqueSorted(items)
		ids := make([]uint32, len(set))
		for i, x := range set {
			id, ok := c.ids[x]
			if !ok {
				id = uint32(len(c.names))
				c.ids[x] = id
				c.names = append(c.names, x)
				c.buyers = append(c.buyers, 0)
				c.with = append(c.with, nil)
			}
			ids[i] = id
			c.buyers[id]++
		}
		for _, x := range ids {
			for _, y := range ids {
				if x != y {
					pairs[uint64(x)<<32|uint64(y)]++
				}
			}
		}
	}
	for k, n := range pairs {
		x := k >> 32
		c.with[x] = append(c.with[x], pairCount{uint32(k), n})
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
	var out []Offer
	for y, b := range because {
		if b >= 0 && !have[c.names[y]] {
			out = append(out, Offer{Product: c.names[y], Because: c.names[b], Share: share[y]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Share != out[j].Share {
			return out[i].Share > out[j].Share
		}
		return out[i].Product < out[j].Product
	})
	if len(out) > k {
		out = out[:k]
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
