package app

import "fmt"

func bench(e *env, args []string) error {
	return fmt.Errorf("bench: not built yet")
}
