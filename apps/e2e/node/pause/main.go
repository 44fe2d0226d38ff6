// The pod sandbox's pause process: holds the pod's namespaces open, sleeps, and exits 0 on SIGTERM or
// SIGINT so the kubelet's StopPodSandbox ends at once (a process that ignored them would wait out the grace
// period). Zombie reaping is left to the container runtime: no pod here shares its PID namespace.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
